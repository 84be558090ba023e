/**
 * @file One-dimensional comparisons for fields that vary along x only, such as DIC Challenge 1.0
 * Sample 14 (u = a sine of amplitude 0.1 px whose frequency rises with x, v = 0; truth per column in
 * truth.csv, see truth-csv.ts). The measured field is reduced to a profile by the median over rows of each
 * column (robust to the odd wild point a tracker leaves), then compared column by column with the truth,
 * overall and in bins along x. Because the frequency grows with x, the bins trace the method's transfer
 * against period: in each bin the gain is the least-squares slope of measured on true (1 = follows the
 * truth, < 1 = smooths it), and, when the true strain is given, the local period of the truth.
 */
import { LabError } from '../errors';
import { CompensatedSum, checkNumber, checkSameLength, finiteMedian, type FieldArray } from './sums';

/** Median over rows y0..y1−1 of every column (NaNs ignored; NaN where a column has no finite value). */
export function columnMedian(field: FieldArray, width: number, height: number, opts: { rows?: [number, number] } = {}): Float64Array {
  checkSameLength('columnMedian', { [`width × height (${width} × ${height})`]: { length: width * height }, field });
  const [y0, y1] = opts.rows ?? [0, height];
  if (!(Number.isInteger(y0) && Number.isInteger(y1) && 0 <= y0 && y0 < y1 && y1 <= height)) {
    throw new LabError('E_INVALID_INPUT', `columnMedian: rows [${y0}, ${y1}) must be whole rows within [0, ${height}).`);
  }
  const out = new Float64Array(width);
  const col = new Float64Array(y1 - y0);
  for (let x = 0; x < width; x++) {
    for (let y = y0; y < y1; y++) col[y - y0] = field[y * width + x];
    out[x] = finiteMedian(col);
  }
  return out;
}

export interface ProfileErrorOptions {
  /** columns [x0, x1) compared; default all */
  xRange?: [number, number];
  /** number of equal bins along x for the per-bin table; default 8 */
  bins?: number;
  /** true strain ∂u/∂x in microstrain per column (truth.csv's exx), to report each bin's local period */
  truthStrain?: ArrayLike<number>;
  /** true amplitude of the sine, px; default max |truth| over the range (0.1 px for Sample 14) */
  amplitude?: number;
}

export interface ProfileStats {
  n: number;
  nValid: number;
  nMissing: number;
  /** mean, RMS, mean absolute and largest absolute of measured − true, px */
  bias: number;
  rmse: number;
  mae: number;
  maxAbs: number;
}

export interface ProfileBin extends ProfileStats {
  x0: number;
  x1: number;
  /** slope of measured on true (regression with an offset); NaN where the truth does not vary in the bin */
  gain: number;
  /** local period of the true sine, px: 2π·√(Σ(A² − u²)/Σu′²) (NaN without truthStrain or where u′ = 0) */
  period: number;
}

export interface ProfileErrors {
  overall: ProfileStats;
  bins: ProfileBin[];
}

/**
 * Compares a measured profile (e.g. `columnMedian` of a u field) with the true profile (truth.csv's u_L1).
 *
 * @throws LabError E_SIZE_MISMATCH when the profiles (or truthStrain) differ in length, E_INVALID_INPUT
 *   for a bad range or bin count
 */
export function profileErrors(measured: ArrayLike<number>, truth: ArrayLike<number>, opts: ProfileErrorOptions = {}): ProfileErrors {
  const len = checkSameLength('profileErrors', { measured, truth, truthStrain: opts.truthStrain });
  const [x0, x1] = opts.xRange ?? [0, len];
  if (!(Number.isInteger(x0) && Number.isInteger(x1) && 0 <= x0 && x0 < x1 && x1 <= len)) {
    throw new LabError('E_INVALID_INPUT', `profileErrors: xRange [${x0}, ${x1}) must be whole columns within [0, ${len}).`);
  }
  const nBins = opts.bins ?? 8;
  checkNumber('profileErrors', 'bins', nBins, 1, x1 - x0);
  let A = opts.amplitude ?? 0;
  if (opts.amplitude === undefined) for (let x = x0; x < x1; x++) if (Math.abs(truth[x]) > A) A = Math.abs(truth[x]);

  const bins: ProfileBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const b0 = x0 + Math.round(((x1 - x0) * b) / nBins);
    const b1 = x0 + Math.round(((x1 - x0) * (b + 1)) / nBins);
    bins.push({ x0: b0, x1: b1, ...stats(measured, truth, b0, b1), gain: gain(measured, truth, b0, b1), period: localPeriod(truth, opts.truthStrain, A, b0, b1) });
  }
  return { overall: stats(measured, truth, x0, x1), bins };
}

function stats(m: ArrayLike<number>, t: ArrayLike<number>, x0: number, x1: number): ProfileStats {
  const sum = new CompensatedSum();
  const sq = new CompensatedSum();
  const abs = new CompensatedSum();
  let nValid = 0;
  let maxAbs = 0;
  for (let x = x0; x < x1; x++) {
    if (!Number.isFinite(m[x]) || !Number.isFinite(t[x])) continue;
    const d = m[x] - t[x];
    sum.add(d);
    sq.add(d * d);
    abs.add(Math.abs(d));
    maxAbs = Math.max(maxAbs, Math.abs(d));
    nValid++;
  }
  const n = x1 - x0;
  const k = nValid || NaN;
  return { n, nValid, nMissing: n - nValid, bias: sum.value / k, rmse: Math.sqrt(sq.value / k), mae: abs.value / k, maxAbs: nValid ? maxAbs : NaN };
}

/** Two-pass least-squares slope of m on t over the valid columns of [x0, x1). */
function gain(m: ArrayLike<number>, t: ArrayLike<number>, x0: number, x1: number): number {
  const sm = new CompensatedSum();
  const st = new CompensatedSum();
  let n = 0;
  for (let x = x0; x < x1; x++) {
    if (!Number.isFinite(m[x]) || !Number.isFinite(t[x])) continue;
    sm.add(m[x]);
    st.add(t[x]);
    n++;
  }
  if (n < 2) return NaN;
  const mm = sm.value / n;
  const mt = st.value / n;
  const cov = new CompensatedSum();
  const vt = new CompensatedSum();
  for (let x = x0; x < x1; x++) {
    if (!Number.isFinite(m[x]) || !Number.isFinite(t[x])) continue;
    cov.add((m[x] - mm) * (t[x] - mt));
    vt.add((t[x] - mt) ** 2);
  }
  // A truth that barely moves in the bin (Sample 14's first 100 columns are 0) has no slope to measure.
  return vt.value > 1e-12 * n ? cov.value / vt.value : NaN;
}

/**
 * For u = A·sin φ(x), u′ = A·φ′·cos φ, so A² − u² = A²cos²φ and φ′² = u′²/(A² − u²); summing numerator and
 * denominator over the bin before dividing keeps the crests (where A² − u² → 0) from blowing it up.
 */
function localPeriod(t: ArrayLike<number>, strain: ArrayLike<number> | undefined, A: number, x0: number, x1: number): number {
  if (!strain || !(A > 0)) return NaN;
  let num = 0;
  let den = 0;
  for (let x = x0; x < x1; x++) {
    if (!Number.isFinite(t[x]) || !Number.isFinite(strain[x])) continue;
    const du = strain[x] * 1e-6;
    num += A * A - t[x] * t[x];
    den += du * du;
  }
  return den > 0 && num > 0 ? 2 * Math.PI * Math.sqrt(num / den) : NaN;
}
