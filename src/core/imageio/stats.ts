/**
 * @file Summary statistics of an image over its finite pixels, for result.json summaries, the histogram
 * panel and preview scaling. NaN and ±Infinity are counted, never averaged in.
 */
import type { GreyImage } from './types';

export interface ImageStats {
  /** smallest and largest finite value; NaN when no pixel is finite */
  min: number;
  max: number;
  mean: number;
  /** population standard deviation (divides by the count) */
  std: number;
  /** number of NaN or infinite pixels */
  nonFinite: number;
  /** 256 bins of equal width over [min, max]; the top bin includes max; all in bin 0 when min === max */
  histogram: number[];
}

export const HISTOGRAM_BINS = 256;

/** Statistics of the finite pixels of `img`. Two passes, double-precision sums. */
export function imageStats(img: GreyImage): ImageStats {
  const d = img.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  if (count === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN, nonFinite: d.length, histogram };
  const mean = sum / count;
  let ss = 0;
  const scale = max > min ? HISTOGRAM_BINS / (max - min) : 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) continue;
    ss += (v - mean) * (v - mean);
    histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) * scale))]++;
  }
  return { min, max, mean, std: Math.sqrt(ss / count), nonFinite: d.length - count, histogram };
}
