import { describe, expect, it } from 'vitest';
import { bsplinePrefilter, bsplineValue, bsplineValueAt, bsplineValueGrad } from './bspline';
import { renderSpeckle } from './icgn-fixtures';

describe('bicubic B-spline', () => {
  it('reproduces the samples at integer positions (speckle on a 0–255 scale)', () => {
    const img = renderSpeckle(61, 47, 3, 11); // non-square, odd sizes: catches stride mix-ups
    const b = bsplinePrefilter(img);
    let worst = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) worst = Math.max(worst, Math.abs(bsplineValue(b, x, y) - img.data[y * img.width + x]));
    }
    console.log(`B-spline sample reproduction: max |error| ${worst.toExponential(2)} grey levels`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('reproduces the samples of tiny images (1, 2 and 3 px lines)', () => {
    for (const [w, h] of [[1, 1], [2, 1], [1, 3], [3, 2], [2, 5]]) {
      const data = Float32Array.from({ length: w * h }, (_, k) => ((k * 37) % 11) + 0.5);
      const b = bsplinePrefilter({ width: w, height: h, data });
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(bsplineValue(b, x, y)).toBeCloseTo(data[y * w + x], 4);
    }
  });

  it('interpolates a smooth function and its gradient between the samples', () => {
    const f = (x: number, y: number) => 100 + 50 * Math.sin(0.31 * x + 0.17 * y) + 30 * Math.cos(0.23 * y - 0.11 * x);
    const fx = (x: number, y: number) => 50 * 0.31 * Math.cos(0.31 * x + 0.17 * y) + 30 * 0.11 * Math.sin(0.23 * y - 0.11 * x);
    const fy = (x: number, y: number) => 50 * 0.17 * Math.cos(0.31 * x + 0.17 * y) - 30 * 0.23 * Math.sin(0.23 * y - 0.11 * x);
    const w = 48, h = 40;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
    const b = bsplinePrefilter({ width: w, height: h, data });
    const out = new Float64Array(3);
    let ev = 0, eg = 0;
    // Away from the border, where the mirror extension differs from the true function.
    for (let y = 8; y < h - 8; y += 0.37) {
      for (let x = 8; x < w - 8; x += 0.41) {
        bsplineValueGrad(b, x, y, out);
        ev = Math.max(ev, Math.abs(out[0] - f(x, y)));
        eg = Math.max(eg, Math.abs(out[1] - fx(x, y)), Math.abs(out[2] - fy(x, y)));
        expect(bsplineValueAt(b, x, y)).toBeCloseTo(out[0], 9);
      }
    }
    console.log(`B-spline on a smooth function (amplitude 80): max value error ${ev.toExponential(2)}, max gradient error ${eg.toExponential(2)}`);
    expect(ev).toBeLessThan(5e-3); // 6e-5 of the amplitude
    expect(eg).toBeLessThan(1e-2);
  });

  it('returns a gradient consistent with its own values, and NaN outside its domain', () => {
    const img = renderSpeckle(32, 32, 4, 3);
    const b = bsplinePrefilter(img);
    const out = new Float64Array(3);
    const h = 1e-4;
    for (const [x, y] of [[5.3, 7.8], [0.2, 30.9], [15.5, 15.5], [31, 0]]) {
      bsplineValueGrad(b, x, y, out);
      expect(out[1]).toBeCloseTo((bsplineValue(b, x + h, y) - bsplineValue(b, x - h, y)) / (2 * h), 2);
      expect(out[2]).toBeCloseTo((bsplineValue(b, x, y + h) - bsplineValue(b, x, y - h)) / (2 * h), 2);
    }
    expect(bsplineValue(b, -1.5, 3)).toBeNaN();
    expect(bsplineValue(b, 3, 32)).toBeNaN();
  });
});
