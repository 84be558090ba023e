import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synth';
import { integralImage, productRows, rectSum, regularStarts, WindowSums, windowWeights } from './window-sums';

function randomImage(w: number, h: number, seed: number, offset = 0): Float64Array {
  const rng = mulberry32(seed);
  const a = new Float64Array(w * h);
  for (let k = 0; k < a.length; k++) a[k] = offset + 255 * rng();
  return a;
}

/** Brute-force weighted window sums: the definition. */
function bruteSums(src: Float64Array, width: number, w: Float64Array, xs: Int32Array, ys: Int32Array): Float64Array {
  const n = w.length;
  const out = new Float64Array(xs.length * ys.length);
  ys.forEach((y, j) =>
    xs.forEach((x, i) => {
      let s = 0;
      for (let t = 0; t < n; t++) for (let q = 0; q < n; q++) s += w[t] * w[q] * src[(y + t) * width + x + q];
      out[j * xs.length + i] = s;
    }),
  );
  return out;
}

describe('windowWeights', () => {
  it('gives numpy.hamming weights (0.08 at the ends, 1 in the middle, symmetric) and ones for a box', () => {
    const w = windowWeights('hamming', 11);
    expect(w[0]).toBeCloseTo(0.08, 12);
    expect(w[5]).toBeCloseTo(1, 12);
    for (let k = 0; k < 11; k++) expect(w[k]).toBeCloseTo(w[10 - k], 12);
    expect(w[3]).toBeCloseTo(0.54 - 0.46 * Math.cos((2 * Math.PI * 3) / 10), 14);
    expect(Array.from(windowWeights('box', 4))).toEqual([1, 1, 1, 1]);
  });
});

describe('WindowSums', () => {
  const width = 97, height = 83;
  const src = randomImage(width, height, 7, 1000);
  // Steps below, at and above the window size exercise the running and the direct pass of each axis.
  for (const kind of ['box', 'hamming'] as const) {
    for (const [n, step] of [[7, 1], [7, 3], [7, 7], [7, 11], [21, 1], [3, 2]] as const) {
      it(`matches the brute-force sums for ${kind} windows of ${n} px at step ${step}`, () => {
        const ni = Math.floor((width - n) / step) + 1, nj = Math.floor((height - n) / step) + 1;
        const xs = regularStarts(ni, step), ys = regularStarts(nj, step);
        const sums = new WindowSums(kind, n, xs, ys, width, height);
        const out = new Float64Array(ni * nj);
        // Only what the plan says it reads may matter: poison everything else.
        const masked = new Float64Array(src.length).fill(Number.NaN);
        for (const r of sums.rows) for (const c of sums.cols) masked[r * width + c] = src[r * width + c];
        sums.sum(masked, out);
        const ref = bruteSums(src, width, windowWeights(kind, n), xs, ys);
        let worst = 0;
        for (let k = 0; k < out.length; k++) worst = Math.max(worst, Math.abs(out[k] - ref[k]) / Math.abs(ref[k]));
        expect(worst).toBeLessThan(1e-12);
      });
    }
  }

  it('handles an offset first window and a single output', () => {
    const xs = Int32Array.from([5]), ys = Int32Array.from([9]);
    const sums = new WindowSums('hamming', 9, xs, ys, width, height);
    const out = new Float64Array(1);
    sums.sum(src, out);
    expect(out[0]).toBeCloseTo(bruteSums(src, width, windowWeights('hamming', 9), xs, ys)[0], 6);
  });
});

describe('integralImage / rectSum', () => {
  it('sums any rectangle exactly like a loop', () => {
    const w = 31, h = 17, src = randomImage(w, h, 3);
    const ii = integralImage(src, w, h);
    for (const [x0, y0, x1, y1] of [[0, 0, w, h], [3, 4, 10, 9], [30, 16, 31, 17], [5, 5, 5, 8]]) {
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += src[y * w + x];
      expect(rectSum(ii, w, x0, y0, x1, y1)).toBeCloseTo(s, 8);
    }
  });
});
