/**
 * @file Numerical building blocks of the metrics: a compensated (Neumaier) sum, a linear-interpolation
 * quantile, and the argument checks every metric shares (equal lengths, typed arrays).
 *
 * Note: Metric precision. Fields arrive as float32 but every metric accumulates in float64 with a
 * compensated sum, and spreads (std) are computed in a second pass around the mean rather than as
 * E[x²] − E[x]². A one-pass formula loses the std when the bias is large against it (a 0.001 px scatter on
 * a 5 px offset), and a plain float64 sum over 4 million points drifts at the 1e-10 level, which is visible
 * when two trackers are compared at 1e-4 px. Both cost little next to reading the images.
 */
import { LabError } from '../errors';

/** A displacement component: one value per point, row-major, NaN where invalid. */
export type FieldArray = Float32Array | Float64Array;

/** Neumaier's variant of Kahan summation: exact to a few ulps whatever the order of magnitude of the terms. */
export class CompensatedSum {
  private s = 0;
  private c = 0;

  add(x: number): void {
    const t = this.s + x;
    // Whichever operand is larger in magnitude keeps its bits; the lost low part of the other goes into c.
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }

  get value(): number {
    return this.s + this.c;
  }
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of values ALREADY SORTED ascending, by linear interpolation between order
 * statistics (Hyndman & Fan type 7, NumPy's default), so figures match `numpy.percentile`. NaN when empty.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Median of the finite values (NaN when there are none); `values` is not modified. */
export function finiteMedian(values: ArrayLike<number>): number {
  const keep: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) keep.push(values[i]);
  keep.sort((a, b) => a - b);
  return quantileSorted(keep, 0.5);
}

/**
 * Throws E_SIZE_MISMATCH unless every named array has the same length as the first. `what` says where
 * the arrays come from, so the message tells the user which inputs disagree.
 */
export function checkSameLength(what: string, arrays: Record<string, { length: number } | undefined>): number {
  let first: [string, number] | null = null;
  for (const [name, a] of Object.entries(arrays)) {
    if (a === undefined) continue;
    if (!first) first = [name, a.length];
    else if (a.length !== first[1]) {
      throw new LabError(
        'E_SIZE_MISMATCH',
        `${what}: "${name}" has ${a.length} values but "${first[0]}" has ${first[1]}; the fields must cover the same points.`,
      );
    }
  }
  return first ? first[1] : 0;
}

/** Throws E_INVALID_INPUT naming the option unless `value` is a finite number within [min, max]. */
export function checkNumber(what: string, name: string, value: number, min = -Infinity, max = Infinity): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}` : Number.isFinite(min) ? ` ≥ ${min}` : '';
    throw new LabError('E_INVALID_INPUT', `${what}: ${name} = ${value} must be a finite number${range}.`);
  }
}
