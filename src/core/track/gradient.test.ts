import { describe, expect, it } from 'vitest';
import { gradient4 } from './gradient';

function image(w: number, h: number, f: (x: number, y: number) => number) {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { width: w, height: h, data };
}

describe('gradient4', () => {
  it('is exact for cubic polynomials away from the 2 px border', () => {
    // Scaled so values stay O(100): float32 storage limits the check to ~1e-4 relative.
    const s = 0.1;
    const f = (x: number, y: number) => {
      const X = s * x, Y = s * y;
      return 3 + 2 * X - Y + 0.5 * X * X + 0.7 * X * Y - 0.3 * Y * Y + 0.2 * X * X * X - 0.1 * X * X * Y + 0.05 * X * Y * Y + 0.3 * Y * Y * Y;
    };
    const fx = (x: number, y: number) => {
      const X = s * x, Y = s * y;
      return s * (2 + X + 0.7 * Y + 0.6 * X * X - 0.2 * X * Y + 0.05 * Y * Y);
    };
    const fy = (x: number, y: number) => {
      const X = s * x, Y = s * y;
      return s * (-1 + 0.7 * X - 0.6 * Y - 0.1 * X * X + 0.1 * X * Y + 0.9 * Y * Y);
    };
    const w = 37, h = 29;
    const img = image(w, h, f);
    const { gx, gy } = gradient4(img);
    let worst = 0;
    for (let y = 2; y < h - 2; y++) {
      for (let x = 2; x < w - 2; x++) {
        worst = Math.max(worst, Math.abs(gx[y * w + x] - fx(x, y)), Math.abs(gy[y * w + x] - fy(x, y)));
      }
    }
    console.log(`gradient4 on a cubic (values up to ${Math.max(...img.data).toFixed(0)}): max error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  it('is exact for a linear ramp everywhere, borders included', () => {
    const w = 9, h = 6;
    const { gx, gy } = gradient4(image(w, h, (x, y) => 1.5 * x - 0.25 * y + 4));
    for (let k = 0; k < w * h; k++) {
      expect(gx[k]).toBeCloseTo(1.5, 5);
      expect(gy[k]).toBeCloseTo(-0.25, 5);
    }
  });

  it('handles images narrower than the stencil', () => {
    expect(gradient4(image(1, 3, (_x, y) => y)).gy[1]).toBeCloseTo(1, 6);
    expect(gradient4(image(2, 1, (x) => 3 * x)).gx[0]).toBeCloseTo(3, 6);
    expect(gradient4(image(1, 1, () => 7)).gx[0]).toBe(0);
  });
});
