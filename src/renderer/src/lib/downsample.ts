/**
 * @file 2× box downsampling of float images, the step between pyramid levels (lib/tiles.ts): each output
 * pixel is the mean of its 2×2 block (or of the 2×1, 1×2 or 1×1 block left at an odd right or bottom edge),
 * over its non-NaN samples only, so a few bad pixels do not blank out the overview; a block of nothing but
 * NaN stays NaN and shows as such.
 */
import type { Size } from '../composables/useViewport';

/** Size of the 2× downsampled image (odd sides round up). */
export function halfSize(s: Size): Size {
  return { width: Math.ceil(s.width / 2), height: Math.ceil(s.height / 2) };
}

/** Mean of the non-NaN samples among a, b, c, d (NaN marks both bad and absent samples). */
function meanOfNumbers(a: number, b: number, c: number, d: number): number {
  let sum = 0;
  let n = 0;
  if (a === a) (sum += a), n++;
  if (b === b) (sum += b), n++;
  if (c === c) (sum += c), n++;
  if (d === d) (sum += d), n++;
  return n ? sum / n : Number.NaN;
}

/**
 * Writes rows [y0, y1) of the 2× box-downsampled `src` (width × height, row-major) into `dst`, which holds
 * the whole half-size image. Rows can be done in any order and chunks, so the work can be spread over frames.
 */
export function downsampleRows(src: Float32Array, width: number, height: number, dst: Float32Array, y0: number, y1: number): void {
  const hw = Math.ceil(width / 2);
  const pairs = width >> 1; // columns with a full pair
  for (let j = y0; j < y1; j++) {
    const a = 2 * j * width;
    const fullRows = 2 * j + 1 < height;
    const b = fullRows ? a + width : a;
    let o = j * hw;
    if (fullRows) {
      for (let i = 0; i < pairs; i++, o++) {
        const s = src[a + 2 * i] + src[a + 2 * i + 1] + src[b + 2 * i] + src[b + 2 * i + 1];
        // only a NaN sum (a NaN sample, or +∞ with −∞) needs the careful path
        dst[o] = s === s ? s * 0.25 : meanOfNumbers(src[a + 2 * i], src[a + 2 * i + 1], src[b + 2 * i], src[b + 2 * i + 1]);
      }
      if (pairs < hw) dst[o] = meanOfNumbers(src[a + width - 1], src[b + width - 1], Number.NaN, Number.NaN);
    } else {
      for (let i = 0; i < pairs; i++, o++) dst[o] = meanOfNumbers(src[a + 2 * i], src[a + 2 * i + 1], Number.NaN, Number.NaN);
      if (pairs < hw) dst[o] = src[a + width - 1];
    }
  }
}

/** The whole 2× box-downsampled image. */
export function downsample2x(src: Float32Array, width: number, height: number): Float32Array {
  const h = halfSize({ width, height });
  const dst = new Float32Array(h.width * h.height);
  downsampleRows(src, width, height, dst, 0, h.height);
  return dst;
}
