/**
 * @file Display contrast: choosing a [lo, hi] window from the back end's histogram, and mapping native float
 * pixels through it to 8-bit grey. Display only: the native values are never changed (the cursor readout
 * reads the float array, not these bytes).
 */

/** A display window in the image's native units: lo → black, hi → white. */
export interface ContrastWindow {
  lo: number;
  hi: number;
}

/** How the window was chosen: the image's full range, percentiles of its histogram, or typed in. */
export type ContrastMode = 'minmax' | 'percentile' | 'manual';

/** Default percentiles for the automatic window. */
export const PERCENTILES = { low: 0.5, high: 99.5 } as const;

/** Colour of non-finite pixels (NaN) in the display: magenta, which no grey image contains. */
export const NAN_RGB = [200, 0, 200] as const;

/**
 * Value below which `pct` percent of the finite pixels lie, from a histogram of equal bins over [min, max],
 * interpolating linearly inside the bin where the cumulative count crosses the target.
 * @param histogram counts per bin (the contract's 256 bins)
 * @param pct percentile in [0, 100]
 */
export function histogramPercentile(histogram: readonly number[], min: number, max: number, pct: number): number {
  const n = histogram.length;
  let total = 0;
  for (const c of histogram) total += c;
  if (n === 0 || total === 0 || !(max > min)) return min;
  const target = (Math.min(100, Math.max(0, pct)) / 100) * total;
  const width = (max - min) / n;
  let cum = 0;
  for (let i = 0; i < n; i++) {
    const c = histogram[i];
    if (c > 0 && cum + c >= target) {
      const frac = Math.min(1, Math.max(0, (target - cum) / c));
      return min + (i + frac) * width;
    }
    cum += c;
  }
  return max;
}

/** The automatic window of a mode: the full [min, max], or the 0.5–99.5 % percentiles. */
export function autoWindow(
  stats: { min: number; max: number; histogram: readonly number[] },
  mode: 'minmax' | 'percentile',
  pct: { low: number; high: number } = PERCENTILES,
): ContrastWindow {
  if (mode === 'minmax') return { lo: stats.min, hi: stats.max };
  const lo = histogramPercentile(stats.histogram, stats.min, stats.max, pct.low);
  const hi = histogramPercentile(stats.histogram, stats.min, stats.max, pct.high);
  return hi > lo ? { lo, hi } : { lo: stats.min, hi: stats.max };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function packGrey(v: number): number {
  return LITTLE_ENDIAN ? (0xff000000 | (v << 16) | (v << 8) | v) >>> 0 : ((v << 24) | (v << 16) | (v << 8) | 0xff) >>> 0;
}
const NAN_PIXEL = LITTLE_ENDIAN
  ? (0xff000000 | (NAN_RGB[2] << 16) | (NAN_RGB[1] << 8) | NAN_RGB[0]) >>> 0
  : ((NAN_RGB[0] << 24) | (NAN_RGB[1] << 16) | (NAN_RGB[2] << 8) | 0xff) >>> 0;

/**
 * Writes opaque RGBA grey into `out` (one uint32 per pixel, the memory layout of ImageData) for native values
 * `data` through window `w`: lo and below → 0, hi and above → 255, linear between, NaN → NAN_RGB.
 * A degenerate window (hi ≤ lo) shows values below lo black, above white and equal mid-grey.
 */
export function renderGrey(data: Float32Array, w: ContrastWindow, out: Uint32Array): void {
  if (out.length < data.length) throw new RangeError(`Output holds ${out.length} pixels but the image has ${data.length}.`);
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) lut[i] = packGrey(i);
  const { lo, hi } = w;
  if (!(hi > lo)) {
    for (let i = 0; i < data.length; i++) {
      const d = data[i];
      out[i] = d !== d ? NAN_PIXEL : lut[d < lo ? 0 : d > lo ? 255 : 128];
    }
    return;
  }
  const k = 255 / (hi - lo);
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (d !== d) {
      out[i] = NAN_PIXEL;
      continue;
    }
    const t = (d - lo) * k;
    out[i] = lut[t <= 0 ? 0 : t >= 255 ? 255 : (t + 0.5) | 0];
  }
}
