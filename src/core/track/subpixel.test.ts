import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synth';
import { gaussian3, gaussianPeak, parabola3, quadraticPeak, ShiftPeakTracker } from './subpixel';

/** 3×3 patch of f around the origin, row-major (ey outer). */
function patchOf(f: (x: number, y: number) => number): number[] {
  const p: number[] = [];
  for (let ey = -1; ey <= 1; ey++) for (let ex = -1; ex <= 1; ex++) p.push(f(ex, ey));
  return p;
}

describe('1-D three-point fits', () => {
  it('gaussian3 finds the centre of a sampled Gaussian exactly', () => {
    for (const x0 of [-0.49, -0.2, 0, 0.13, 0.45]) {
      const g = (x: number) => 0.9 * Math.exp(-((x - x0) ** 2) / (2 * 1.3 ** 2));
      expect(gaussian3(g(-1), g(0), g(1))).toBeCloseTo(x0, 12);
    }
  });

  it('parabola3 finds the vertex of a sampled parabola exactly, and refuses minima and flat lines', () => {
    const x0 = 0.31;
    const f = (x: number) => 2 - 0.7 * (x - x0) ** 2;
    expect(parabola3(f(-1), f(0), f(1))).toBeCloseTo(x0, 12);
    expect(parabola3(1, 0, 1)).toBeNaN();
    expect(parabola3(1, 1, 1)).toBeNaN();
  });

  it('gaussian3 needs positive samples; gaussianPeak then falls back to the parabola on that axis', () => {
    expect(gaussian3(-0.1, 0.8, 0.3)).toBeNaN();
    const p = patchOf((x, y) => (x === -1 && y === 0 ? -0.1 : x === 1 && y === 0 ? 0.3 : 0.8 - 0.2 * y * y + 0.05 * y));
    const r = gaussianPeak(p);
    expect(r.ok).toBe(true);
    expect(r.dx).toBeCloseTo(parabola3(-0.1, 0.8, 0.3), 12);
    expect(r.dy).toBeCloseTo(gaussian3(0.55, 0.8, 0.65), 12);
  });
});

describe('quadraticPeak', () => {
  it('recovers the extremum of a quadratic surface with a cross term exactly', () => {
    const [x0, y0] = [0.27, -0.41];
    const q = (x: number, y: number) => {
      const [a, b] = [x - x0, y - y0];
      return 0.95 - 0.3 * a * a - 0.1 * a * b - 0.2 * b * b;
    };
    const r = quadraticPeak(patchOf(q), 0, 'max');
    expect(r.ok).toBe(true);
    expect(r.dx).toBeCloseTo(x0, 12);
    expect(r.dy).toBeCloseTo(y0, 12);
    expect(r.value).toBeCloseTo(0.95, 12);
    const m = quadraticPeak(patchOf((x, y) => -q(x, y)), 0, 'min');
    expect([m.ok, m.dx, m.dy]).toEqual([true, expect.closeTo(x0, 12), expect.closeTo(y0, 12)]);
    expect(quadraticPeak(patchOf(q), 0, 'min').ok).toBe(false);
  });

  it('rejects saddles and flat patches, and reads from an offset', () => {
    expect(quadraticPeak(patchOf((x, y) => x * x - y * y), 0, 'max').ok).toBe(false);
    expect(quadraticPeak(patchOf(() => 1), 0, 'max').ok).toBe(false);
    const shifted = [7, 7, ...patchOf((x, y) => 1 - x * x - y * y - 0.2 * x)];
    const r = quadraticPeak(shifted, 2, 'max');
    expect(r.dx).toBeCloseTo(-0.1, 12);
    expect(r.dy).toBeCloseTo(0, 12);
  });
});

describe('ShiftPeakTracker', () => {
  it('keeps the maximum and its 3×3 neighbourhood of every point, as the full surface would', () => {
    const R = 4, S = 2 * R + 1, n = 50;
    const rng = mulberry32(11);
    // Surfaces with a random peak (sometimes on the border), random noise, and a few NaN scores.
    const surf = Array.from({ length: n }, (_, p) => {
      const [px, py] = [Math.floor(rng() * S) - R, Math.floor(rng() * S) - R];
      return Float64Array.from({ length: S * S }, (_, t) => {
        const [dx, dy] = [(t % S) - R, Math.floor(t / S) - R];
        if (p % 7 === 0 && t === 3) return Number.NaN;
        return Math.exp(-((dx - px) ** 2 + (dy - py) ** 2) / 6) + 0.3 * rng();
      });
    });
    const tr = new ShiftPeakTracker(n, R);
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        tr.beginShift(dx, dy);
        for (let p = 0; p < n; p++) tr.offer(p, surf[p][(dy + R) * S + dx + R]);
      }
    }
    let interior = 0;
    for (let p = 0; p < n; p++) {
      let best = -Infinity, bt = -1;
      surf[p].forEach((v, t) => {
        if (v > best) [best, bt] = [v, t];
      });
      const [bx, by] = [(bt % S) - R, Math.floor(bt / S) - R];
      expect([tr.best[p], tr.bestDx[p], tr.bestDy[p]]).toEqual([best, bx, by]);
      const isInterior = Math.abs(bx) < R && Math.abs(by) < R;
      expect(tr.interior(p)).toBe(isInterior);
      if (!isInterior) continue;
      interior++;
      for (let ey = -1; ey <= 1; ey++) {
        for (let ex = -1; ex <= 1; ex++) expect(tr.patch[9 * p + (ey + 1) * 3 + ex + 1]).toBe(surf[p][(by + ey + R) * S + bx + ex + R]);
      }
    }
    expect(interior).toBeGreaterThan(20);
  });

  it('never lets a NaN score win, and a point with only NaN scores has no maximum', () => {
    const tr = new ShiftPeakTracker(2, 1);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        tr.beginShift(dx, dy);
        tr.offer(0, Number.NaN);
        tr.offer(1, dx === 0 && dy === 0 ? 1 : Number.NaN);
      }
    }
    expect(tr.best[0]).toBe(-Infinity);
    expect(tr.interior(0)).toBe(false);
    expect(tr.interior(1)).toBe(true);
    expect(quadraticPeak(tr.patch, 9, 'max').ok).toBe(false);
  });
});
