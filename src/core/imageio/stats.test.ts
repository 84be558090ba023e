/**
 * @file imageStats on hand-checked values: finite-only moments, non-finite counting, histogram edges.
 */
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_BINS, imageStats } from './index';

const img = (values: number[]) => ({ width: values.length, height: 1, data: Float32Array.from(values) });

describe('imageStats', () => {
  it('min, max, mean and population std of finite pixels; non-finite counted apart', () => {
    const s = imageStats(img([2, 4, 4, 4, 5, 5, 7, 9, NaN, Infinity, -Infinity]));
    expect(s).toMatchObject({ min: 2, max: 9, mean: 5, std: 2, nonFinite: 3 });
    expect(s.histogram).toHaveLength(HISTOGRAM_BINS);
    expect(s.histogram.reduce((a, b) => a + b, 0)).toBe(8);
    expect(s.histogram[0]).toBe(1); // 2 = min
    expect(s.histogram[255]).toBe(1); // 9 = max lands in the top bin
    expect(s.histogram[Math.floor(((4 - 2) / 7) * 256)]).toBe(3);
  });
  it('a constant image puts everything in bin 0 with zero spread', () => {
    const s = imageStats(img([3, 3, 3]));
    expect(s).toMatchObject({ min: 3, max: 3, mean: 3, std: 0, nonFinite: 0 });
    expect(s.histogram[0]).toBe(3);
  });
  it('an image with no finite pixel reports NaN and an empty histogram', () => {
    const s = imageStats(img([NaN, Infinity]));
    expect(s.min).toBeNaN();
    expect(s.mean).toBeNaN();
    expect(s.nonFinite).toBe(2);
    expect(s.histogram.every((c) => c === 0)).toBe(true);
  });
  it('keeps precision on large offsets (16-bit detector with a 60000 pedestal)', () => {
    const values = Array.from({ length: 10001 }, (_, i) => 60000 + (i % 2));
    const s = imageStats(img(values));
    expect(s.mean).toBeCloseTo(60000.49995, 6);
    expect(s.std).toBeCloseTo(0.5, 4);
  });
});
