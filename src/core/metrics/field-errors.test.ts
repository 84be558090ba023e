/**
 * @file fieldErrors and perDisplacementStats against closed forms: exact constant offsets, seeded
 * Gaussian errors (bias, RMSE, MAE of a normal; Rayleigh law of the EPE), NaN and mask handling, and
 * precision on large float inputs. Tolerances are stated per assertion (a few standard errors).
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { gaussian, mulberry32 } from '../synth/rng';
import { constantField, fieldErrors } from './field-errors';
import { perDisplacementStats, type ShiftExperiment } from './per-displacement';
import { formatTable } from './table';

/** Seeded random truth in [−2, 2) px, float32 like a tracker's output. */
function randomTruth(n: number, seed: number) {
  const rng = mulberry32(seed);
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = 4 * rng() - 2;
    v[i] = 4 * rng() - 2;
  }
  return { u, v };
}

describe('fieldErrors', () => {
  it('a constant offset gives bias = offset, rmse = mae = |offset|, std = 0', () => {
    const truth = randomTruth(20_000, 1);
    const measured = { u: truth.u.map((x) => x + 0.3), v: truth.v.map((x) => x - 0.2) };
    const e = fieldErrors(measured, truth);
    console.log('constant offset (0.3, −0.2):', e.bias, e.rmse, e.std, e.epe);
    // float32 rounding of truth + offset: |error| < 2^-23·2.3 ≈ 3e-7 per point.
    expect([e.n, e.nValid, e.nMissing]).toEqual([20_000, 20_000, 0]);
    expect(e.bias.u).toBeCloseTo(0.3, 6);
    expect(e.bias.v).toBeCloseTo(-0.2, 6);
    expect(e.rmse.u).toBeCloseTo(0.3, 6);
    expect(e.mae.v).toBeCloseTo(0.2, 6);
    expect(e.std.u).toBeLessThan(1e-6);
    expect(e.epe.mean).toBeCloseTo(Math.hypot(0.3, 0.2), 6);
    expect(e.epe.p95).toBeCloseTo(Math.hypot(0.3, 0.2), 6);
    expect(e.epe.max).toBeCloseTo(Math.hypot(0.3, 0.2), 6);
  });

  it('seeded Gaussian errors match the closed forms (bias, std, rmse, MAE, Rayleigh EPE)', () => {
    const n = 400_000;
    const s = 0.05;
    const truth = randomTruth(n, 2);
    const rng = mulberry32(3);
    const u = new Float32Array(n);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      u[i] = truth.u[i] + 0.1 + s * gaussian(rng); // biased component
      v[i] = truth.v[i] + s * gaussian(rng); // unbiased
    }
    const e = fieldErrors({ u, v }, truth);
    const se = s / Math.sqrt(n); // standard error of a mean: 7.9e-5
    console.log(`gaussian σ=${s}, n=${n}: bias ${e.bias.u.toFixed(5)}, ${e.bias.v.toFixed(5)}; std ${e.std.u.toFixed(5)}; mae(v) ${e.mae.v.toFixed(5)} (σ√(2/π) = ${(s * Math.sqrt(2 / Math.PI)).toFixed(5)})`);
    expect(Math.abs(e.bias.u - 0.1)).toBeLessThan(4 * se);
    expect(Math.abs(e.bias.v)).toBeLessThan(4 * se);
    expect(Math.abs(e.std.u - s)).toBeLessThan(4 * s / Math.sqrt(2 * n));
    expect(Math.abs(e.rmse.u - Math.hypot(0.1, s))).toBeLessThan(4 * se);
    expect(e.rmse.u ** 2).toBeCloseTo(e.bias.u ** 2 + e.std.u ** 2, 12); // identity, population std
    expect(Math.abs(e.mae.v - s * Math.sqrt(2 / Math.PI))).toBeLessThan(4 * se);

    // Unbiased isotropic errors: the EPE is Rayleigh(σ): mean σ√(π/2), rms σ√2, p95 σ√(−2 ln 0.05).
    const w = { u: new Float32Array(n), v: new Float32Array(n) };
    for (let i = 0; i < n; i++) {
      w.u[i] = truth.u[i] + s * gaussian(rng);
      w.v[i] = truth.v[i] + s * gaussian(rng);
    }
    const r = fieldErrors(w, truth);
    console.log(`Rayleigh EPE: mean ${r.epe.mean.toFixed(5)} (${(s * Math.sqrt(Math.PI / 2)).toFixed(5)}), p95 ${r.epe.p95.toFixed(5)} (${(s * Math.sqrt(-2 * Math.log(0.05))).toFixed(5)})`);
    expect(r.epe.mean).toBeCloseTo(s * Math.sqrt(Math.PI / 2), 3.3); // ±2.5e-4
    expect(r.epe.rmse).toBeCloseTo(s * Math.SQRT2, 3.3);
    expect(r.epe.p95).toBeCloseTo(s * Math.sqrt(-2 * Math.log(0.05)), 3);
  });

  it('leaves out and counts NaN/Inf in either field', () => {
    const truth = randomTruth(1000, 4);
    const measured = { u: truth.u.map((x) => x + 0.5), v: Float32Array.from(truth.v) };
    for (let i = 0; i < 10; i++) measured.u[i * 7] = NaN; // 10 measurement failures
    measured.v[999] = Infinity; // an 11th
    for (let i = 0; i < 5; i++) truth.v[500 + i] = NaN; // 5 points without truth
    measured.u[500] = NaN; // NaN in both: counted once, as missing truth
    const e = fieldErrors(measured, truth);
    expect([e.n, e.nValid, e.nMissing, e.missingMeasured, e.missingTruth]).toEqual([1000, 984, 16, 11, 5]);
    expect(e.bias.u).toBeCloseTo(0.5, 6);
    expect(e.bias.v).toBe(0);
    expect(Number.isFinite(e.epe.max)).toBe(true);
  });

  it('counts only points inside the mask', () => {
    const truth = randomTruth(1000, 5);
    const measured = { u: Float32Array.from(truth.u), v: Float32Array.from(truth.v) };
    const mask = new Uint8Array(1000);
    for (let i = 0; i < 1000; i++) {
      if (i % 2) mask[i] = 255;
      else measured.u[i] += 100; // gross errors outside the ROI must not count
    }
    measured.u[1] = NaN;
    const e = fieldErrors(measured, truth, { mask });
    expect([e.n, e.nValid, e.nMissing]).toEqual([500, 499, 1]);
    expect(e.rmse.u).toBe(0);
    expect(e.epe.max).toBe(0);
  });

  it('keeps precision on large inputs: compensated sums and a two-pass std', () => {
    // 4 M points with an error of 0.1 + 1e-4·(±1): a plain float64 sum drifts ~1e-11; one-pass std fails.
    const n = 4_000_000;
    const truth = constantField(n, 1000, -1000);
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = 1000 + 5 + (i % 2 ? 1e-4 : -1e-4);
    const e = fieldErrors({ u, v: truth.v }, truth);
    console.log(`precision: bias ${e.bias.u} (5), std ${e.std.u} (1e-4)`);
    expect(Math.abs(e.bias.u - 5)).toBeLessThan(1e-12);
    expect(Math.abs(e.std.u - 1e-4)).toBeLessThan(1e-12);
  });

  it('returns NaN statistics when nothing is valid, and refuses arrays of different lengths', () => {
    const t = constantField(4, 0, 0);
    const e = fieldErrors({ u: new Float32Array(4).fill(NaN), v: new Float32Array(4) }, t);
    expect([e.nValid, e.nMissing]).toEqual([0, 4]);
    expect(e.bias.u).toBeNaN();
    expect(e.epe.p95).toBeNaN();
    const err = (() => {
      try {
        fieldErrors({ u: new Float32Array(4), v: new Float32Array(5) }, t);
      } catch (x) {
        return x as LabError;
      }
    })();
    expect(err).toBeInstanceOf(LabError);
    expect(err?.code).toBe('E_SIZE_MISMATCH');
    expect(err?.message).toMatch(/"measured v" has 5 values but "measured u" has 4/);
    expect(() => fieldErrors(t, t, { mask: new Uint8Array(3) })).toThrow(/"mask" has 3 values/);
  });
});

describe('perDisplacementStats', () => {
  it('pools experiments by true shift and recovers an S-curve bias', () => {
    const sigma = 0.01;
    const n = 10_000;
    const rng = mulberry32(11);
    const experiments: ShiftExperiment[] = [];
    const sCurve = (s: number) => 0.02 * Math.sin(2 * Math.PI * s);
    // Two noise realisations per shift, listed out of order to check sorting and grouping.
    for (const repeat of [0, 1]) {
      for (const s of [0.5, 0.1, 0.3, 0, 0.2, 0.4]) {
        const u = new Float32Array(n);
        const v = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          u[i] = s + sCurve(s) + sigma * gaussian(rng);
          v[i] = -s + sigma * gaussian(rng);
        }
        if (repeat === 1) u[0] = NaN;
        experiments.push({ shift: { u: s, v: -s }, measuredU: u, measuredV: v, label: `shift ${s} #${repeat}` });
      }
    }
    const rows = perDisplacementStats(experiments);
    console.log(`\n${formatTable(rows.map((r) => ({ shiftU: r.shiftU, n: r.n, missing: r.nMissing, biasU: r.biasU, rmseU: r.rmseU, biasV: r.biasV })))}`);
    expect(rows.map((r) => r.shiftU)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    const se = sigma / Math.sqrt(2 * n); // 7e-5
    for (const r of rows) {
      expect([r.experiments, r.n, r.nMissing]).toEqual([2, 2 * n, 1]);
      expect(Math.abs(r.biasU - sCurve(r.shiftU))).toBeLessThan(4 * se);
      expect(Math.abs(r.biasV)).toBeLessThan(4 * se);
      expect(Math.abs(r.rmseU - Math.hypot(sCurve(r.shiftU), sigma))).toBeLessThan(4 * se);
    }
  });

  it('refuses an empty list and a non-finite shift', () => {
    expect(() => perDisplacementStats([])).toThrow(/empty/);
    const a = new Float32Array(2);
    expect(() => perDisplacementStats([{ shift: { u: NaN, v: 0 }, measuredU: a, measuredV: a, label: 'x.tif' }])).toThrow(/x\.tif/);
  });
});
