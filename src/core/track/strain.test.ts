import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { computeStrain } from './strain';

function field(w: number, h: number, fu: (x: number, y: number) => number, fv: (x: number, y: number) => number) {
  const u = new Float32Array(w * h);
  const v = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      u[y * w + x] = fu(x, y);
      v[y * w + x] = fv(x, y);
    }
  }
  return { u, v };
}

function maxErr(a: Float32Array, f: (x: number, y: number) => number, w: number, h: number, inset = 0): number {
  let m = 0;
  for (let y = inset; y < h - inset; y++) {
    for (let x = inset; x < w - inset; x++) {
      const e = Math.abs(a[y * w + x] - f(x, y));
      m = Number.isNaN(e) ? Infinity : Math.max(m, e);
    }
  }
  return m;
}

describe('computeStrain', () => {
  it('recovers a homogeneous (affine) strain exactly, borders included', () => {
    const w = 83, h = 61;
    const { u, v } = field(w, h, (x, y) => 0.5 + 1e-3 * x + 2e-3 * y, (x, y) => -0.3 - 1.5e-3 * x + 4e-3 * y);
    const s = computeStrain(u, v, w, h, { window: 11 });
    const e = [maxErr(s.exx, () => 1e-3, w, h), maxErr(s.eyy, () => 4e-3, w, h), maxErr(s.exy, () => 2.5e-4, w, h)];
    console.log(`strain, affine field: max errors exx ${e[0].toExponential(1)}, eyy ${e[1].toExponential(1)}, exy ${e[2].toExponential(1)}`);
    for (const x of e) expect(x).toBeLessThan(1e-6);
  });

  it('divides by the grid step when the field is sampled every `step` px', () => {
    const w = 30, h = 20;
    const { u, v } = field(w, h, (x) => 0.05 * x, (_x, y) => -0.02 * y); // per grid point
    const s = computeStrain(u, v, w, h, { window: 5, step: 10 });
    expect(maxErr(s.exx, () => 0.005, w, h)).toBeLessThan(1e-7);
    expect(maxErr(s.eyy, () => -0.002, w, h)).toBeLessThan(1e-7);
  });

  it('gives the exact centre derivative of a quadratic field with a full window', () => {
    const w = 64, h = 48, r = 7;
    const a = 2e-5, b = -3e-5, c = 1e-5;
    const { u, v } = field(w, h, (x, y) => a * x * x + b * x * y, (x, y) => c * y * y + a * x * y);
    const s = computeStrain(u, v, w, h, { window: 2 * r + 1 });
    const e = [
      maxErr(s.exx, (x, y) => 2 * a * x + b * y, w, h, r),
      maxErr(s.eyy, (x, y) => 2 * c * y + a * x, w, h, r),
      maxErr(s.exy, (x, y) => 0.5 * (b * x + a * y), w, h, r),
    ];
    console.log(`strain, quadratic field (window ${2 * r + 1}): interior max errors ${e.map((x) => x.toExponential(1)).join(', ')}`);
    for (const x of e) expect(x).toBeLessThan(1e-6);
    // At the border the window is one-sided and the fit is no longer centred: finite, but biased.
    expect(Number.isFinite(s.exx[0])).toBe(true);
  });

  it('skips NaN points, keeps NaN at invalid points and where too few points remain', () => {
    const w = 40, h = 40;
    const { u, v } = field(w, h, (x, y) => 3e-3 * x - 1e-3 * y, (x, y) => 2e-3 * x + 5e-3 * y);
    for (let y = 10; y < 20; y++) for (let x = 12; x < 30; x++) u[y * w + x] = Number.NaN; // a hole in u only
    for (let y = 0; y < h; y++) for (let x = 35; x < w; x++) v[y * w + x] = Number.NaN; // a strip without v
    const s = computeStrain(u, v, w, h, { window: 9 });
    expect(s.exx[15 * w + 20]).toBeNaN();
    expect(s.exx[15 * w + 37]).toBeNaN();
    // Next to the hole the fit uses fewer points, but an affine field is still exact.
    expect(s.exx[15 * w + 31]).toBeCloseTo(3e-3, 6);
    expect(s.exy[9 * w + 20]).toBeCloseTo(0.5e-3, 6);
    expect(s.eyy[5 * w + 34]).toBeCloseTo(5e-3, 6);
    // An isolated valid point has no neighbours to fit.
    const lone = field(9, 9, () => Number.NaN, () => Number.NaN);
    lone.u[40] = 1;
    lone.v[40] = 1;
    expect(computeStrain(lone.u, lone.v, 9, 9, { window: 5 }).exx[40]).toBeNaN();
  });

  it('refuses bad options with a sentence naming them', () => {
    const u = new Float32Array(100);
    expect(() => computeStrain(u, u, 10, 10, { window: 4 })).toThrow(LabError);
    expect(() => computeStrain(u, u, 10, 10, { window: 4 })).toThrow(/strain window 4/);
    expect(() => computeStrain(u, u, 10, 10, { window: 5, step: 0 })).toThrow(/step/);
    expect(() => computeStrain(u, u, 10, 11, { window: 5 })).toThrow(/10×11/);
  });

  it('is fast on a full-size field', () => {
    const w = 1024, h = 1024;
    const { u, v } = field(w, h, (x, y) => Math.sin(x / 50) + y * 1e-3, (x, y) => Math.cos(y / 40) - x * 2e-3);
    const t0 = performance.now();
    computeStrain(u, v, w, h, { window: 31 });
    console.log(`strain on a 1024² field, window 31: ${(performance.now() - t0).toFixed(0)} ms`);
  });
});
