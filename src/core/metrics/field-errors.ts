/**
 * @file Point-wise accuracy of a measured displacement field against the truth: bias, RMSE, MAE and
 * standard deviation per component, and the end-point error (EPE, |measured − true| as a 2-D vector) that
 * optical-flow papers report. Errors are measured − true, so a positive bias means the method
 * over-estimates. Convention of the fields: "Note: Tracking convention" (src/core/track/types.ts).
 *
 * Points where either field is not finite are left out and counted (`nMissing`), never treated as 0: a
 * tracker marks points it could not measure with NaN, and how many it gave up on is a result in its own
 * right. Accumulation: "Note: Metric precision" (sums.ts).
 */
import { LabError } from '../errors';
import { CompensatedSum, checkSameLength, quantileSorted, type FieldArray } from './sums';

/** Both components of a displacement field, same length, row-major, px. */
export interface VectorField {
  u: FieldArray;
  v: FieldArray;
}

export interface FieldErrorOptions {
  /** one byte per point; non-zero = include the point (e.g. the ROI). Points outside do not count at all. */
  mask?: Uint8Array;
}

/** One figure per displacement component, px. */
export interface PerComponent {
  u: number;
  v: number;
}

export interface FieldErrors {
  /** points considered (inside the mask, or all) */
  n: number;
  /** points where both fields are finite in both components: the statistics are over these */
  nValid: number;
  /** n − nValid */
  nMissing: number;
  /** of the missing points, those where the truth was finite (the measurement failed) */
  missingMeasured: number;
  /** of the missing points, those where the truth itself was not finite */
  missingTruth: number;
  /** mean error, px */
  bias: PerComponent;
  /** sqrt(mean error²), px; rmse² = bias² + std² */
  rmse: PerComponent;
  /** mean |error|, px */
  mae: PerComponent;
  /** population standard deviation of the error around its mean, px (divides by nValid) */
  std: PerComponent;
  /** largest |error|, px */
  maxAbs: PerComponent;
  /** end-point error sqrt(du² + dv²), px: mean, root-mean-square, largest, 95th percentile */
  epe: { mean: number; rmse: number; max: number; p95: number };
}

/**
 * Compares a measured field with the truth point by point.
 *
 * @param measured the tracker's output (u, v), NaN where it gave up
 * @param truth the true field on the same points (same length)
 * @param opts.mask optional region of interest, one byte per point
 * @returns counts and statistics; every statistic is NaN when no point is valid
 * @throws LabError E_SIZE_MISMATCH when the arrays (or the mask) differ in length
 */
export function fieldErrors(measured: VectorField, truth: VectorField, opts: FieldErrorOptions = {}): FieldErrors {
  const len = checkSameLength('fieldErrors', {
    'measured u': measured.u,
    'measured v': measured.v,
    'true u': truth.u,
    'true v': truth.v,
    mask: opts.mask,
  });
  const { mask } = opts;
  const mu = measured.u;
  const mv = measured.v;
  const tu = truth.u;
  const tv = truth.v;

  // Pass 1: counts, sums and the EPE of every valid point (kept for the percentile).
  let n = 0;
  let missingTruth = 0;
  let missingMeasured = 0;
  const sumU = new CompensatedSum();
  const sumV = new CompensatedSum();
  const absU = new CompensatedSum();
  const absV = new CompensatedSum();
  const sqU = new CompensatedSum();
  const sqV = new CompensatedSum();
  const sumE = new CompensatedSum();
  let maxU = 0;
  let maxV = 0;
  const epe = new Float64Array(len);
  let k = 0;
  for (let i = 0; i < len; i++) {
    if (mask && mask[i] === 0) continue;
    n++;
    if (!Number.isFinite(tu[i]) || !Number.isFinite(tv[i])) {
      missingTruth++;
      continue;
    }
    if (!Number.isFinite(mu[i]) || !Number.isFinite(mv[i])) {
      missingMeasured++;
      continue;
    }
    const du = mu[i] - tu[i];
    const dv = mv[i] - tv[i];
    sumU.add(du);
    sumV.add(dv);
    absU.add(Math.abs(du));
    absV.add(Math.abs(dv));
    sqU.add(du * du);
    sqV.add(dv * dv);
    if (Math.abs(du) > maxU) maxU = Math.abs(du);
    if (Math.abs(dv) > maxV) maxV = Math.abs(dv);
    const e = Math.sqrt(du * du + dv * dv);
    sumE.add(e);
    epe[k++] = e;
  }
  const nValid = k;
  const base = { n, nValid, nMissing: n - nValid, missingMeasured, missingTruth };
  if (nValid === 0) {
    const nan = { u: NaN, v: NaN };
    return { ...base, bias: nan, rmse: nan, mae: nan, std: nan, maxAbs: nan, epe: { mean: NaN, rmse: NaN, max: NaN, p95: NaN } };
  }
  const biasU = sumU.value / nValid;
  const biasV = sumV.value / nValid;

  // Pass 2: spread around the mean (see Note: Metric precision).
  const devU = new CompensatedSum();
  const devV = new CompensatedSum();
  for (let i = 0; i < len; i++) {
    if (mask && mask[i] === 0) continue;
    if (!Number.isFinite(tu[i]) || !Number.isFinite(tv[i]) || !Number.isFinite(mu[i]) || !Number.isFinite(mv[i])) continue;
    const du = mu[i] - tu[i] - biasU;
    const dv = mv[i] - tv[i] - biasV;
    devU.add(du * du);
    devV.add(dv * dv);
  }

  const sorted = epe.subarray(0, nValid).sort();
  return {
    ...base,
    bias: { u: biasU, v: biasV },
    rmse: { u: Math.sqrt(sqU.value / nValid), v: Math.sqrt(sqV.value / nValid) },
    mae: { u: absU.value / nValid, v: absV.value / nValid },
    std: { u: Math.sqrt(devU.value / nValid), v: Math.sqrt(devV.value / nValid) },
    maxAbs: { u: maxU, v: maxV },
    epe: {
      mean: sumE.value / nValid,
      rmse: Math.sqrt((sqU.value + sqV.value) / nValid),
      max: sorted[nValid - 1],
      p95: quantileSorted(sorted, 0.95),
    },
  };
}

/** A constant field of `length` points (the truth of a rigid-shift experiment). */
export function constantField(length: number, u: number, v: number): VectorField {
  if (!Number.isInteger(length) || length < 0) {
    throw new LabError('E_INVALID_INPUT', `constantField: length = ${length} must be a non-negative integer.`);
  }
  return { u: new Float64Array(length).fill(u), v: new Float64Array(length).fill(v) };
}
