/**
 * @file Sensor noise for synthetic images, applied after rendering.
 *  - poisson:PHOTONS (shot noise). Grey levels are proportional to detected photons, with a gain chosen so
 *    that the mean grey level of the noise-free REFERENCE image corresponds to PHOTONS photons:
 *    k = PHOTONS / mean(reference) photons per grey level, the same k for both images (one exposure
 *    setting). Each pixel becomes Poisson(k·g)/k, so its variance is g/k grey levels² (mean·scale relation).
 *  - gauss:SIGMA adds N(0, SIGMA²) grey levels (0–255 scale) to every pixel, whatever its level.
 * The reference and the deformed image get independent realisations from separate seeded streams. Values
 * are left unclipped and unquantised (float32) so the noise statistics are exactly the stated ones.
 */
import type { GreyImage } from '../imageio/types';
import { gaussian, poisson, type Rng } from './rng';
import type { NoiseSpec } from './specs';

/** Photons per grey level for a Poisson spec (k above), or NaN for the other kinds. */
export function photonsPerGrey(spec: NoiseSpec, referenceMeanGrey: number): number {
  return spec.kind === 'poisson' ? spec.photons / referenceMeanGrey : Number.NaN;
}

/**
 * Writes the noisy values of pixels [from, to) of `clean` into `out` (which may be `clean` itself), drawing
 * from `rng` in pixel order, so splitting the work into row bands gives the same image as one call.
 */
export function applyNoise(
  clean: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  spec: NoiseSpec,
  rng: Rng,
  photonsPerGreyLevel: number,
): void {
  if (spec.kind === 'none') {
    if (out !== clean) out.set(clean.subarray(from, to), from);
    return;
  }
  if (spec.kind === 'gauss') {
    for (let i = from; i < to; i++) out[i] = clean[i] + spec.sigma * gaussian(rng);
    return;
  }
  const k = photonsPerGreyLevel;
  for (let i = from; i < to; i++) out[i] = poisson(rng, k * Math.max(0, clean[i])) / k;
}

/** A noisy copy of `img` (see the file note); `photonsPerGreyLevel` only matters for Poisson noise. */
export function addNoise(img: GreyImage, spec: NoiseSpec, rng: Rng, photonsPerGreyLevel = Number.NaN): GreyImage {
  const data = new Float32Array(img.data.length);
  applyNoise(img.data, data, 0, data.length, spec, rng, photonsPerGreyLevel);
  return { width: img.width, height: img.height, data };
}
