import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { type DisplacementField, groundTruth, invertPoint, makeField } from './fields';
import type { FieldSpec } from './specs';

const e = new Float64Array(8);
const at = (f: DisplacementField, x: number, y: number) => {
  f.evaluate(x, y, e);
  return Array.from(e.subarray(0, 6));
};

const SPECS: FieldSpec[] = [
  { kind: 'constant', ux: 0.37, uy: -1.61 },
  { kind: 'sine', amplitude: 1, period: 20 },
  { kind: 'sine', amplitude: 1.5, period: 10 },
  { kind: 'star' },
  { kind: 'random-patches' },
];

describe('field formulas', () => {
  it('star: the DIC Challenge 2.0 field exactly at W = 2000, H = 501 (data/README.md)', () => {
    const f = makeField({ kind: 'star' }, 2000, 501, 1);
    for (const [x, y] of [
      [0, 0],
      [0, 250],
      [137, 31],
      [999, 400],
      [1999, 500],
      [1500.25, 77.5],
    ]) {
      const p = 10 + (140 * (x + 1)) / 2000;
      const [u, v] = at(f, x, y);
      expect(u).toBe(0);
      expect(v).toBeCloseTo(0.5 * Math.cos((2 * Math.PI * (y - 250)) / p), 12);
    }
  });
  it('star: scaled to the image, period 10 + 140/W px at the left and 150 px at the right', () => {
    const f = makeField({ kind: 'star' }, 400, 101, 1);
    const yc = 50;
    expect(at(f, 399, yc + 150)[1]).toBeCloseTo(0.5, 12); // one full period above the centre
    expect(at(f, 0, yc + (10 + 140 / 400) / 2)[1]).toBeCloseTo(-0.5, 12); // half a period
  });
  it('sine: u = AMP·sin(2πx/PERIOD), v = 0', () => {
    const f = makeField({ kind: 'sine', amplitude: 0.7, period: 32 }, 256, 64, 1);
    for (const x of [0, 3, 8, 16.5, 200]) {
      const [u, v] = at(f, x, 11);
      expect(u).toBeCloseTo(0.7 * Math.sin((2 * Math.PI * x) / 32), 14);
      expect(v).toBe(0);
    }
  });
  it('random-patches: reproducible by seed, different across seeds, amplitudes up to 3 px', () => {
    const a = makeField({ kind: 'random-patches' }, 512, 512, 9);
    const b = makeField({ kind: 'random-patches' }, 512, 512, 9);
    const c = makeField({ kind: 'random-patches' }, 512, 512, 10);
    expect(at(a, 100, 200)).toEqual(at(b, 100, 200));
    expect(at(a, 100, 200)).not.toEqual(at(c, 100, 200));
    const gt = groundTruth(a, 512, 512);
    let maxAbs = 0;
    for (const img of [gt.u, gt.v]) for (const value of img.data) maxAbs = Math.max(maxAbs, Math.abs(value));
    expect(maxAbs).toBeGreaterThan(0.2);
    expect(maxAbs).toBeLessThan(6 * 3);
  });
  it.each(SPECS)('Jacobian of %j matches central differences', (spec) => {
    const f = makeField(spec, 300, 200, 4);
    const h = 1e-5;
    for (const [x, y] of [
      [10, 20],
      [150.3, 99.7],
      [280, 190],
    ]) {
      const j = at(f, x, y).slice(2);
      const ddx = [0, 1].map((c) => (at(f, x + h, y)[c] - at(f, x - h, y)[c]) / (2 * h));
      const ddy = [0, 1].map((c) => (at(f, x, y + h)[c] - at(f, x, y - h)[c]) / (2 * h));
      expect(j[0]).toBeCloseTo(ddx[0], 6);
      expect(j[1]).toBeCloseTo(ddy[0], 6);
      expect(j[2]).toBeCloseTo(ddx[1], 6);
      expect(j[3]).toBeCloseTo(ddy[1], 6);
    }
  });
});

describe('inverse mapping X + u(X) = y', () => {
  it.each(SPECS)('has a residual below 1e-4 px (in fact 1e-9) everywhere for %j', (spec) => {
    const W = 301;
    const H = 211;
    const f = makeField(spec, W, H, 4);
    const check = new Float64Array(6);
    let worst = 0;
    for (let y = 0; y < H; y += 3) {
      for (let x = 0; x < W; x += 2) {
        invertPoint(f, x, y, x, y, e);
        const X = e[6];
        const Y = e[7];
        f.evaluate(X, Y, check); // independent re-evaluation of the residual
        worst = Math.max(worst, Math.abs(X + check[0] - x), Math.abs(Y + check[1] - y));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });
  it('is exact for a constant field', () => {
    const f = makeField({ kind: 'constant', ux: 0.3, uy: -0.2 }, 64, 64, 1);
    invertPoint(f, 10, 20, 10, 20, e);
    expect(e[6]).toBe(10 - 0.3);
    expect(e[7]).toBe(20 + 0.2);
  });
  it('reports a field it cannot invert as E_INVALID_INPUT', () => {
    const folding: DisplacementField = {
      kind: 'sine',
      constant: null,
      evaluate(x, _y, out) {
        out[0] = 3 * Math.sin(x);
        out[1] = 0;
        out[2] = 3 * Math.cos(x);
        out[3] = out[4] = out[5] = 0;
      },
      description: {},
    };
    expect(() => {
      for (let x = 0; x < 20; x += 0.5) invertPoint(folding, x, 0, x, 0, e);
    }).toThrow(LabError);
  });
});

describe('groundTruth', () => {
  it('holds u(x) at reference pixels, row-major', () => {
    const f = makeField({ kind: 'sine', amplitude: 0.5, period: 16 }, 40, 8, 1);
    const { u, v } = groundTruth(f, 40, 8);
    expect(u.width).toBe(40);
    expect(u.data[3 * 40 + 5]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 5) / 16), 6);
    expect(v.data.every((x) => x === 0)).toBe(true);
  });
});
