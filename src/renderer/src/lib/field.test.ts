import { describe, expect, it } from 'vitest';
import { autoRange, difference, finiteStats, histogram, magnitude, percentiles, sharedSymmetricRange, valueAt } from './field';

const N = Number.NaN;

describe('derived maps', () => {
  it('|u| is the length of (u, v) and NaN where either is NaN', () => {
    const m = magnitude(new Float32Array([3, N, 1]), new Float32Array([4, 1, N]));
    expect(m[0]).toBe(5);
    expect(Number.isNaN(m[1]) && Number.isNaN(m[2])).toBe(true);
  });
  it('difference keeps NaN', () => {
    const d = difference(new Float32Array([1.5, N]), new Float32Array([0.5, 1]));
    expect(d[0]).toBe(1);
    expect(Number.isNaN(d[1])).toBe(true);
  });
  it('refuses maps of different sizes with a sentence', () => {
    expect(() => magnitude(new Float32Array(2), new Float32Array(3))).toThrow(/must match/);
  });
});

describe('statistics', () => {
  it('skips NaN instead of counting it as 0', () => {
    const s = finiteStats(new Float32Array([1, 2, 3, N, Infinity]));
    expect(s).toMatchObject({ valid: 3, total: 5, min: 1, max: 3, mean: 2 });
    expect(s.std).toBeCloseTo(1, 12);
  });
  it('has NaN statistics when nothing was measured', () => {
    const s = finiteStats(new Float32Array([N, N]));
    expect(s.valid).toBe(0);
    expect(Number.isNaN(s.mean)).toBe(true);
  });
  it('histograms finite values into equal bins', () => {
    expect(histogram(new Float32Array([0, 0.1, 0.5, 1, N, 2]), 2, 0, 1)).toEqual([2, 2]);
  });
  it('percentiles come from the fine histogram', () => {
    const data = new Float32Array(1001).map((_, i) => i / 1000);
    const [p10, p90] = percentiles(data, [10, 90])!;
    expect(p10).toBeCloseTo(0.1, 2);
    expect(p90).toBeCloseTo(0.9, 2);
    expect(percentiles(new Float32Array([N]), [50])).toBeNull();
  });
});

describe('automatic colour ranges', () => {
  it('is symmetric about 0 for signed fields, even when every value is positive', () => {
    const r = autoRange(new Float32Array(100).fill(1.3), true)!;
    expect(r.lo).toBeCloseTo(-1.3, 5);
    expect(r.hi).toBeCloseTo(1.3, 5);
    const mixed = new Float32Array(1000).map((_, i) => (i - 300) / 100); // −3 … 6.99
    const m = autoRange(mixed, true)!;
    expect(m.hi).toBeCloseTo(-m.lo, 10);
    expect(m.hi).toBeGreaterThan(6.8);
  });
  it('ignores a few wild points (0.5–99.5 %)', () => {
    const data = new Float32Array(1000).fill(1);
    for (let i = 0; i < 1000; i++) data[i] = (i % 10) / 10;
    data[0] = 1e6;
    expect(autoRange(data, false)!.hi).toBeLessThan(2);
  });
  it('never returns a degenerate range, and null when nothing was measured', () => {
    const r = autoRange(new Float32Array([0.8, 0.8]), false)!;
    expect(r.hi).toBeGreaterThan(r.lo);
    expect(autoRange(new Float32Array([0, 0]), true)).toEqual({ lo: -1, hi: 1 });
    expect(autoRange(new Float32Array([N]), false)).toBeNull();
  });
  it('a shared range covers every map', () => {
    const r = sharedSymmetricRange([new Float32Array(10).fill(0.5), new Float32Array(10).fill(-2), new Float32Array([N])])!;
    expect(r.hi).toBeCloseTo(2, 5);
    expect(r.lo).toBeCloseTo(-2, 5);
  });
});

describe('valueAt', () => {
  it('reads row-major and is null outside', () => {
    const d = new Float32Array([0, 1, 2, 3, 4, 5]);
    expect(valueAt(d, 3, 2, 2, 1)).toBe(5);
    expect(valueAt(d, 3, 2, 3, 0)).toBeNull();
    expect(valueAt(null, 3, 2, 0, 0)).toBeNull();
  });
});
