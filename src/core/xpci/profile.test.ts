/**
 * @file Line profiles and their CSV: a known ramp sampled along and across the line (bilinear values,
 * band averaging, standard deviation), NaN skipping, segment validation and the CSV header with units.
 */
import { describe, expect, it } from 'vitest';
import { lineProfile, profilesToCsv } from './profile';

/** value = a·x + b·y on a w×h map */
function ramp(w: number, h: number, a: number, b: number): Float32Array {
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = a * x + b * y;
  return m;
}

describe('lineProfile', () => {
  it('samples a horizontal ramp every 1 px, including a fractional end point', () => {
    const m = ramp(40, 20, 0.5, 0);
    const p = lineProfile(m, 40, 20, { x0: 2.25, y0: 10, x1: 12.75, y1: 10, pixelUm: 7 });
    expect(p.s.length).toBe(12); // s = 0 … 10 and the end at 10.5
    expect(Array.from(p.s.slice(-2))).toEqual([10, 10.5]);
    expect(p.sUm![1]).toBeCloseTo(7, 12);
    for (let k = 0; k < p.s.length; k++) expect(p.value[k]).toBeCloseTo(0.5 * p.x[k], 5);
    expect(Array.from(p.n).every((n) => n === 1)).toBe(true);
    expect(Number.isNaN(p.std[0])).toBe(true);
  });

  it('averages a band across a diagonal line: the mean stays on the ramp, std measures the spread', () => {
    const m = ramp(64, 64, 0.2, 0.1);
    // a line along (1, 1)/√2; its normal is (1, −1)/√2, along which the ramp changes by (0.2 − 0.1)/√2 per px
    const p = lineProfile(m, 64, 64, { x0: 10, y0: 10, x1: 50, y1: 50, widthPx: 5 });
    expect(p.s.length).toBe(Math.floor(40 * Math.SQRT2) + 2);
    const slope = 0.1 / Math.SQRT2;
    const offsets = [-2, -1, 0, 1, 2].map((o) => o * slope);
    const std = Math.sqrt(offsets.reduce((a, b) => a + b * b, 0) / 4);
    for (let k = 0; k < p.s.length; k++) {
      expect(p.n[k]).toBe(5);
      expect(p.value[k]).toBeCloseTo(0.2 * p.x[k] + 0.1 * p.y[k], 4);
      expect(p.std[k]).toBeCloseTo(std, 4);
    }
  });

  it('skips NaN and out-of-image samples; a point with none left is NaN with n = 0', () => {
    const m = ramp(20, 10, 1, 0);
    for (let y = 0; y < 10; y++) m[y * 20 + 10] = Number.NaN; // column 10 not measured
    const p = lineProfile(m, 20, 10, { x0: 5, y0: 0, x1: 15, y1: 0, widthPx: 3 }); // band half outside the image
    expect(p.n[0]).toBe(2); // offsets −1 (y = 1) and 0; +1 would be y = −1
    const at10 = p.x.indexOf(10);
    expect(p.n[at10]).toBe(0);
    expect(Number.isNaN(p.value[at10])).toBe(true);
    // x = 9 and 11 are exact pixels next to the NaN column: still valid (the NaN has zero weight)
    expect(p.value[at10 - 1]).toBeCloseTo(9, 6);
    expect(p.value[at10 + 1]).toBeCloseTo(11, 6);
  });

  it('refuses segments outside the image, too short, or with a bad width, in plain sentences', () => {
    const m = new Float32Array(30 * 20);
    expect(() => lineProfile(m, 30, 20, { x0: 0, y0: 0, x1: 30, y1: 5 })).toThrow(
      'The profile end point (30, 5) lies outside the 30×20 image; x must be 0–29 and y 0–19 px.',
    );
    expect(() => lineProfile(m, 30, 20, { x0: 3, y0: 3, x1: 3.5, y1: 3 })).toThrow(/shorter than 1 px/);
    expect(() => lineProfile(m, 30, 20, { x0: 0, y0: 0, x1: 5, y1: 5, widthPx: 2.5 })).toThrow(/width 2\.5 px must be a whole number/);
    expect(() => lineProfile(m, 31, 20, { x0: 0, y0: 0, x1: 5, y1: 5 })).toThrow(/600 values but a 31×20 image needs 620/);
  });
});

describe('profilesToCsv', () => {
  it('writes a header of quantity_unit[_tag] and NaN as "NaN"', () => {
    const csv = profilesToCsv([
      { quantity: 's', unit: 'um', values: [0, 7, 14] },
      { quantity: 'alpha_x', unit: 'urad', tag: 'icgn', values: [1.23456789012, Number.NaN, -0.5] },
      { quantity: 'n', unit: '1', values: [5, 0, 5] },
    ]);
    expect(csv).toBe('s_um,alpha_x_urad_icgn,n_1\n0,1.2345679,5\n7,NaN,0\n14,-0.5,5\n');
  });

  it('refuses unequal columns and names that would break the CSV', () => {
    expect(() => profilesToCsv([{ quantity: 'a', unit: 'm', values: [1] }, { quantity: 'b', unit: 'm', values: [1, 2] }])).toThrow(/has 2 values but a has 1/);
    expect(() => profilesToCsv([{ quantity: 'a,b', unit: 'm', values: [] }])).toThrow(/"a,b" may only hold/);
  });
});
