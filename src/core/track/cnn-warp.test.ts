/**
 * Warping by a field and the field smoothing used by the CNN refinement passes (cnn-warp.ts).
 */
import { describe, expect, it } from 'vitest';
import { smoothMap, warpByField } from './cnn-warp';

/** A smooth test image: sums of sines, so cubic B-spline interpolation is accurate to ~1e-3. */
function smoothImage(w: number, h: number) {
  const data = new Float32Array(w * h);
  const f = (x: number, y: number) => Math.sin(x / 5) + 0.5 * Math.cos(y / 7) + 0.25 * Math.sin((x + y) / 9);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { img: { width: w, height: h, data }, f };
}

describe('warpByField', () => {
  it('samples g(x + u(x)) inside a box, from pixels outside the box within the margin', () => {
    const { img, f } = smoothImage(80, 60);
    const box = { x0: 20, y0: 10, x1: 50, y1: 40 };
    const bw = 30;
    const u = new Float32Array(bw * 30);
    const v = new Float32Array(bw * 30);
    for (let i = 0; i < u.length; i++) {
      const x = i % bw;
      u[i] = -6.3 + 0.05 * x; // reaches 6 px left of the box
      v[i] = 2.7;
    }
    const w = warpByField(img, box, u, v, 8);
    let worst = 0;
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        const c = (y - box.y0) * bw + x - box.x0;
        worst = Math.max(worst, Math.abs(w[c] - f(x + u[c], y + v[c])));
      }
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('keeps the unwarped value where x + u leaves the image or u is not finite', () => {
    const { img } = smoothImage(32, 32);
    const box = { x0: 0, y0: 0, x1: 32, y1: 32 };
    const u = new Float32Array(32 * 32).fill(-40);
    const v = new Float32Array(32 * 32);
    u[5] = Number.NaN;
    const w = warpByField(img, box, u, v, 4);
    expect(Array.from(w)).toEqual(Array.from(img.data));
  });

  it('takes the fill (the reference) where there is nothing to warp, and the warped image elsewhere', () => {
    const { img, f } = smoothImage(40, 20);
    const box = { x0: 0, y0: 0, x1: 40, y1: 20 };
    const u = new Float32Array(40 * 20).fill(10); // x + 10 leaves the image for x > 29
    const v = new Float32Array(40 * 20);
    const fill = new Float32Array(40 * 20).map((_, i) => 100 + i);
    const w = warpByField(img, box, u, v, 12, fill);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 40; x++) {
        const c = y * 40 + x;
        if (x + 10 > 39) expect(w[c]).toBe(fill[c]);
        else expect(Math.abs(w[c] - f(x + 10, y))).toBeLessThan(0.01);
      }
    }
  });
});

describe('smoothMap', () => {
  it('keeps constants (also at the borders) and linear ramps where its support is whole, and removes pixel noise', () => {
    const w = 60, h = 50;
    const c = new Float32Array(w * h).fill(0.7);
    expect(Math.max(...smoothMap(c, w, h).map((x) => Math.abs(x - 0.7)))).toBeLessThan(1e-6);
    const ramp = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ramp[y * w + x] = 0.1 * x - 0.05 * y;
    const s = smoothMap(ramp, w, h, 3);
    // Three symmetric boxes of radius 3 keep a linear ramp exactly 9 px from every edge (and bend it nearer).
    for (let y = 9; y < h - 9; y++) for (let x = 9; x < w - 9; x++) expect(Math.abs(s[y * w + x] - ramp[y * w + x])).toBeLessThan(1e-4);
    expect(Math.abs(s[0] - ramp[0])).toBeGreaterThan(0.05);
    const noise = new Float32Array(w * h).map((_, i) => ((i % w) % 2 ? 1 : -1) * (Math.floor(i / w) % 2 ? 1 : -1));
    const n = smoothMap(noise, w, h);
    expect(Math.max(...n.slice(10 * w, 40 * w).map(Math.abs))).toBeLessThan(0.02);
  });

  it('equals three box passes computed naively (running sums are exact, edges divided by the samples inside)', () => {
    const w = 13, h = 9, r = 2;
    const a = new Float32Array(w * h).map((_, i) => Math.sin(i * 1.7) + (i % 5));
    const naive = (src: Float32Array) => {
      let cur = Float64Array.from(src);
      for (let k = 0; k < 3; k++) {
        for (const axis of ['x', 'y'] as const) {
          const out = new Float64Array(cur.length);
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              let sum = 0, n = 0;
              for (let d = -r; d <= r; d++) {
                const xx = axis === 'x' ? x + d : x, yy = axis === 'y' ? y + d : y;
                if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
                sum += cur[yy * w + xx];
                n++;
              }
              out[y * w + x] = sum / n;
            }
          }
          cur = out;
        }
      }
      return cur;
    };
    const want = naive(a);
    const got = smoothMap(a, w, h, r);
    for (let i = 0; i < a.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  it('skips non-finite samples instead of spreading them, and is NaN only where a window has none', () => {
    const w = 40, h = 30;
    const a = new Float32Array(w * h).fill(0.25);
    a[15 * w + 20] = Number.NaN;
    a[3 * w + 4] = Number.POSITIVE_INFINITY;
    const s = smoothMap(a, w, h);
    expect(Math.max(...s.map((x) => Math.abs(x - 0.25)))).toBeLessThan(1e-6);
    expect(Array.from(smoothMap(new Float32Array(w * h).fill(Number.NaN), w, h)).every(Number.isNaN)).toBe(true);
  });
});
