import { describe, expect, it } from 'vitest';
import { downsample2x, downsampleRows, halfSize } from './downsample';

/** Reference: the mean of the non-NaN pixels of each 2×2 block, blocks cut at the image's edges. */
function blockMeans(src: Float32Array, w: number, h: number): Float32Array {
  const hs = halfSize({ width: w, height: h });
  const out = new Float32Array(hs.width * hs.height);
  for (let j = 0; j < hs.height; j++)
    for (let i = 0; i < hs.width; i++) {
      let sum = 0;
      let n = 0;
      for (let y = 2 * j; y < Math.min(h, 2 * j + 2); y++)
        for (let x = 2 * i; x < Math.min(w, 2 * i + 2); x++) {
          const v = src[y * w + x];
          if (!Number.isNaN(v)) {
            sum += v;
            n++;
          }
        }
      out[j * hs.width + i] = n ? sum / n : Number.NaN;
    }
  return out;
}

function random(w: number, h: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 1000 - 300;
  }
  return a;
}

describe('2× box downsampling', () => {
  it('is the mean of each 2×2 block, with odd right and bottom edges averaged over what is there', () => {
    // 3×3: blocks of 4, 2 (right column), 2 (bottom row) and 1 (corner)
    const src = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(downsample2x(src, 3, 3))).toEqual([(1 + 2 + 4 + 5) / 4, (3 + 6) / 2, (7 + 8) / 2, 9]);
  });

  for (const [w, h] of [
    [8, 6],
    [7, 5],
    [1, 9],
    [9, 1],
    [1, 1],
    [33, 2],
  ]) {
    it(`matches the block means on random ${w}×${h}`, () => {
      const src = random(w, h, w * 31 + h);
      const got = downsample2x(src, w, h);
      const want = blockMeans(src, w, h);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 3);
    });
  }

  it('skips NaN samples, and keeps NaN only where a whole block is NaN', () => {
    const N = Number.NaN;
    const src = new Float32Array([N, 2, N, N, 4, 6, N, N, N, N, 8, 7, N, N, 3, 5, 9, N]);
    const got = downsample2x(src, 6, 3);
    const want = blockMeans(src, 6, 3);
    expect(Array.from(got.slice(0, 3))).toEqual([2, N, (4 + 6 + 8 + 7) / 4]);
    expect(Array.from(got.slice(3))).toEqual([N, (3 + 5) / 2, 9]);
    for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) < 1e-6).toBe(true);
  });

  it('infinities stay infinite, and +∞ beside −∞ is not a number', () => {
    const got = downsample2x(new Float32Array([Infinity, 1, 2, Infinity, Infinity, 0, -Infinity, 0]), 4, 2);
    expect(got[0]).toBe(Infinity);
    expect(got[1]).toBeNaN();
  });

  it('row chunks in any order give the same result as one pass', () => {
    const src = random(37, 29, 5);
    const whole = downsample2x(src, 37, 29);
    const hs = halfSize({ width: 37, height: 29 });
    const parts = new Float32Array(hs.width * hs.height).fill(-1);
    downsampleRows(src, 37, 29, parts, 10, hs.height);
    downsampleRows(src, 37, 29, parts, 0, 4);
    downsampleRows(src, 37, 29, parts, 4, 10);
    expect(Array.from(parts)).toEqual(Array.from(whole));
  });
});
