import { describe, expect, it } from 'vitest';
import { arrowHead, autoFactor, quiverField, thinning } from './quiver';

describe('quiver', () => {
  it('samples every spacing px at centred positions and skips NaN', () => {
    const w = 12;
    const h = 8;
    const u = new Float32Array(w * h).fill(1);
    const v = new Float32Array(w * h).fill(-0.5);
    u[2 * w + 6] = Number.NaN;
    const q = quiverField(u, v, w, h, 4);
    // centres at x = 2, 6, 10 and y = 2, 6; (6, 2) was not measured
    expect(q.n).toBe(5);
    expect(Array.from(q.px.subarray(0, q.n))).toEqual([2, 10, 2, 6, 10]);
    expect(Array.from(q.py.subarray(0, q.n))).toEqual([2, 2, 6, 6, 6]);
    expect(Array.from(q.gi.subarray(0, q.n))).toEqual([0, 2, 0, 1, 2]);
    expect(q.dx[0]).toBe(1);
    expect(q.dy[0]).toBe(-0.5);
  });

  it('thins by powers of two when zoomed out', () => {
    expect(thinning(16, 1)).toBe(1);
    expect(thinning(16, 0.5)).toBe(2);
    expect(thinning(16, 0.2)).toBe(8);
  });

  it('auto factor draws typical arrows about 0.8 spacing long, rounded to 1-2-5', () => {
    const u = new Float32Array(64 * 64).fill(1.3);
    const v = new Float32Array(64 * 64).fill(-0.6);
    const q = quiverField(u, v, 64, 64, 16);
    const f = autoFactor(q);
    expect(f).toBe(5); // 0.8·16 / 1.43 = 8.9 → 5
    expect(autoFactor(quiverField(new Float32Array(4), new Float32Array(4), 2, 2, 1))).toBe(1);
  });

  it('draws a head at the tip, none for a dot', () => {
    const h = arrowHead(0, 0, 20, 0)!;
    expect(h[0]).toBeLessThan(20);
    expect(h[1]).toBeCloseTo(-h[3], 10);
    expect(arrowHead(0, 0, 0.2, 0.2)).toBeNull();
  });
});
