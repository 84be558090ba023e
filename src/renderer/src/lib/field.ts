/**
 * @file Pure helpers over full-size float32 field maps (row-major, `data[y * width + x]`, NaN = not
 * measured): derived maps (|u|, differences), statistics over the finite values, histograms and the
 * automatic colour ranges of the heat maps.
 */
import type { ColourRange } from './colormap';

/** |u| = √(u² + v²), NaN where either component is NaN. */
export function magnitude(u: Float32Array, v: Float32Array): Float32Array {
  if (u.length !== v.length) throw new RangeError(`u holds ${u.length} values but v holds ${v.length}; they must match.`);
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = Math.hypot(u[i], v[i]);
  return out;
}

/** a − b, NaN where either is NaN. */
export function difference(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`The maps hold ${a.length} and ${b.length} values; they must have the same size.`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export interface FiniteStats {
  /** number of finite values */
  valid: number;
  /** number of values in all */
  total: number;
  min: number;
  max: number;
  mean: number;
  /** sample standard deviation (n − 1); NaN with fewer than 2 values */
  std: number;
}

/** Statistics over the finite values (NaN and ±Infinity skipped, not counted as 0). */
export function finiteStats(data: Float32Array): FiniteStats {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!Number.isFinite(d)) continue;
    n++;
    sum += d;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const mean = n ? sum / n : Number.NaN;
  let ss = 0;
  if (n > 1) {
    for (let i = 0; i < data.length; i++) {
      const d = data[i];
      if (Number.isFinite(d)) ss += (d - mean) * (d - mean);
    }
  }
  return { valid: n, total: data.length, min: n ? min : Number.NaN, max: n ? max : Number.NaN, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN };
}

/** Counts of the finite values in `bins` equal bins over [lo, hi] (values outside are left out). */
export function histogram(data: Float32Array, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const span = hi - lo;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!Number.isFinite(d) || d < lo || d > hi) continue;
    const k = span > 0 ? Math.min(bins - 1, Math.floor(((d - lo) / span) * bins)) : 0;
    counts[k]++;
  }
  return counts;
}

/** Most values sorted for percentiles; larger maps are sampled with an even stride (display only). */
export const PERCENTILE_SAMPLE = 262_144;

/**
 * Percentiles (in %) of the finite values, by sorting them (an evenly strided sample of at most
 * PERCENTILE_SAMPLE values for larger maps), interpolating between neighbours. Sorting, rather than a
 * histogram, stays exact when a few wild points stretch the range. Null when there is no finite value.
 */
export function percentiles(data: Float32Array, pcts: readonly number[]): number[] | null {
  const stride = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  const sample = new Float32Array(Math.ceil(data.length / stride));
  let n = 0;
  for (let i = 0; i < data.length; i += stride) if (Number.isFinite(data[i])) sample[n++] = data[i];
  if (n === 0) {
    // a sparse map may have finite values only between the sampled ones
    for (let i = 0; i < data.length && n < sample.length; i++) if (Number.isFinite(data[i])) sample[n++] = data[i];
    if (n === 0) return null;
  }
  const sorted = sample.subarray(0, n).sort();
  return pcts.map((p) => {
    const r = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
    const i = Math.floor(r);
    const f = r - i;
    return i + 1 < n ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i];
  });
}

/** Percentiles of the automatic ranges: robust against a few wild points. */
export const AUTO_PERCENTILES = { low: 0.5, high: 99.5 } as const;

/**
 * Automatic colour range. Signed fields: symmetric about 0, ±max(|p0.5|, |p99.5|), so that 0 sits at the
 * centre colour. Unsigned: [p0.5, p99.5]. Never degenerate: a constant field gets a small span about
 * its value (or ±1 about 0). Null when nothing was measured.
 */
export function autoRange(data: Float32Array, signed: boolean): ColourRange | null {
  const p = percentiles(data, [AUTO_PERCENTILES.low, AUTO_PERCENTILES.high]);
  if (!p) return null;
  let [lo, hi] = p;
  if (signed) {
    const a = Math.max(Math.abs(lo), Math.abs(hi));
    return a > 0 ? { lo: -a, hi: a } : { lo: -1, hi: 1 };
  }
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  return { lo, hi };
}

/** One symmetric range ±a covering several signed maps (compare view: both runs and their difference). */
export function sharedSymmetricRange(maps: readonly Float32Array[]): ColourRange | null {
  let a = 0;
  let any = false;
  for (const m of maps) {
    const r = autoRange(m, true);
    if (!r) continue;
    any = true;
    a = Math.max(a, r.hi);
  }
  return any ? { lo: -a, hi: a } : null;
}

/** Value at integer pixel (x, y), or null outside the map. */
export function valueAt(data: Float32Array | null | undefined, width: number, height: number, x: number, y: number): number | null {
  if (!data || x < 0 || y < 0 || x >= width || y >= height || !Number.isInteger(x) || !Number.isInteger(y)) return null;
  return data[y * width + x];
}
