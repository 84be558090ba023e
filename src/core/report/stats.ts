/**
 * @file Numbers the report computes from maps: values inside the ROI, summary statistics (the same
 * `summarise` result.json uses, so the report's mean u is result.json's mean u to the last digit), the
 * display range and colour map of a quantity, histograms and the |u| map. NaN = not measured is skipped
 * everywhere and counted, never treated as 0.
 */
import { robustRange } from '../render/colormap';
import { summarise, type FieldSummary } from '../results/summary';
import type { Rect } from './model';
import type { Quantity } from './quantities';

/** The values inside a rectangle (row-major copy); the whole map when there is no ROI. */
export function cropValues(values: Float32Array, width: number, height: number, roi?: Rect): Float32Array {
  if (!roi) return values;
  const x0 = Math.max(0, roi.x), y0 = Math.max(0, roi.y);
  const x1 = Math.min(width, roi.x + roi.width), y1 = Math.min(height, roi.y + roi.height);
  if (x1 <= x0 || y1 <= y0) return new Float32Array(0);
  const out = new Float32Array((x1 - x0) * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(values.subarray(y * width + x0, y * width + x1), (y - y0) * (x1 - x0));
  return out;
}

/** Stored values × scale (the display unit); the same array when scale is 1. */
export function scaled(values: Float32Array, scale: number): Float32Array {
  return scale === 1 ? values : values.map((v) => v * scale);
}

export function magnitude(u: Float32Array, v: Float32Array): Float32Array {
  const out = new Float32Array(u.length);
  for (let k = 0; k < u.length; k++) out[k] = Math.hypot(u[k], v[k]);
  return out;
}

export interface MapStats extends FieldSummary {
  median: number;
  /** points considered (finite or not) */
  n: number;
}

/** result.json's summary statistics plus the median, over the finite values. */
export function mapStats(values: Float32Array): MapStats {
  const s = summarise(values);
  const finite = Float64Array.from(values.filter(Number.isFinite)).sort();
  const m = finite.length;
  const median = m === 0 ? Number.NaN : m % 2 ? finite[(m - 1) / 2] : 0.5 * (finite[m / 2 - 1] + finite[m / 2]);
  return { ...s, median, n: values.length };
}

/**
 * Colour map and range of a quantity: grey ramp for images (0.5–99.5th percentile); for signed quantities
 * whose range spans zero, the diverging map symmetric about zero so white means zero; otherwise viridis
 * over the 1st–99th percentile. Percentiles rather than min/max so one outlier cannot flatten a map.
 */
export function displayRange(values: Float32Array, q: Quantity): { colormap: 'viridis' | 'diverging' | 'grey'; range: [number, number] } {
  if (q.grey) return { colormap: 'grey', range: robustRange(values, 0.005, 0.995) };
  const [lo, hi] = robustRange(values);
  if (q.signed && lo < 0 && hi > 0) {
    const r = Math.max(-lo, hi);
    return { colormap: 'diverging', range: [-r, r] };
  }
  return { colormap: 'viridis', range: [lo, hi] };
}

/** Finite values below and above a range, and the NaN count. */
export function outside(values: Float32Array, range: [number, number]): { below: number; above: number; nan: number } {
  let below = 0, above = 0, nan = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) nan++;
    else if (v < range[0]) below++;
    else if (v > range[1]) above++;
  }
  return { below, above, nan };
}

/** Histogram of the finite values over `range` in `bins` equal bins; values outside are counted apart. */
export function histogram(values: Float32Array, range: [number, number], bins = 48): { edges: number[]; counts: number[]; below: number; above: number } {
  const [a, b] = range;
  const w = (b - a) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => a + k * w);
  const counts = new Array<number>(bins).fill(0);
  let below = 0, above = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < a) below++;
    else if (v > b) above++;
    else counts[Math.min(bins - 1, Math.floor((v - a) / w))]++;
  }
  return { edges, counts, below, above };
}
