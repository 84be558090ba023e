/**
 * @file The one place where an image is mapped to what a model expects, as its manifest entry says
 * (`normalisation`, see manifest.ts). Nothing else in the app may scale model inputs: a model trained on
 * (x − mean)/std and fed raw grey levels still returns numbers, just wrong ones.
 *
 * Note: Whole-image normalisation. "Per image" kinds (per-image-meanstd, per-image-minmax) take their
 * statistics over the WHOLE image, once, before any tiling or cropping (tiling.ts). Were each tile
 * normalised on its own, neighbouring tiles would see the same pixels on different scales, and for a
 * speckle pair the reference and deformed crops of one tile would not even share a scale when the
 * illumination varies across the field; the blended result would show seams at tile borders. The
 * statistics are computed in float64 (a float32 running sum over millions of pixels loses digits) and the
 * standard deviation is the population one (divide by n): for any image a model sees, the n − 1 variant
 * differs by less than 1e-5 relative. The user's data are never modified: the functions return new arrays.
 */
import { LabError } from '../errors';
import type { ModelEntry } from './manifest';

export type Normalisation = ModelEntry['normalisation'];

/** What was applied, for result files and messages: x' = (x − offset) · scale. */
export interface AppliedNormalisation {
  kind: Normalisation['kind'];
  offset: number;
  scale: number;
}

/** Mean and population standard deviation of the finite pixels, in float64 (Note: Whole-image normalisation). */
export function meanStd(data: Float32Array): { mean: number; std: number; n: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (Number.isFinite(x)) {
      sum += x;
      n++;
    }
  }
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = sum / n;
  // Two passes: the textbook one-pass formula cancels catastrophically for 16-bit data with a large offset.
  let ss = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (Number.isFinite(x)) ss += (x - mean) * (x - mean);
  }
  return { mean, std: Math.sqrt(ss / n), n };
}

function minMax(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max };
}

/** The affine map x' = (x − offset) · scale that `norm` prescribes for this image. */
export function normalisationFor(data: Float32Array, norm: Normalisation, label = 'The image'): AppliedNormalisation {
  switch (norm.kind) {
    case 'none':
      return { kind: norm.kind, offset: 0, scale: 1 };
    case 'affine':
      // x·scale + offset = (x − (−offset/scale))·scale; keep the manifest's own form where scale is 0.
      return norm.scale === 0
        ? { kind: norm.kind, offset: 0, scale: 0 }
        : { kind: norm.kind, offset: -norm.offset / norm.scale, scale: norm.scale };
    case 'per-image-meanstd': {
      const { mean, std } = meanStd(data);
      if (!Number.isFinite(mean)) {
        throw new LabError('E_INVALID_INPUT', `${label} has no finite pixel, so it cannot be normalised for the model.`);
      }
      // A flat image maps to 0 when eps > 0; with eps = 0 it has no scale at all.
      if (!(std + norm.eps > 0)) {
        throw new LabError(
          'E_INVALID_INPUT',
          `${label} is flat (every pixel ${mean}), and the model's normalisation (x − mean)/(std + ${norm.eps}) is undefined for it.`,
        );
      }
      return { kind: norm.kind, offset: mean, scale: 1 / (std + norm.eps) };
    }
    case 'per-image-minmax': {
      const { min, max } = minMax(data);
      if (!(max > min)) {
        throw new LabError('E_INVALID_INPUT', `${label} is flat (every pixel ${min}), and min–max normalisation needs max > min.`);
      }
      return { kind: norm.kind, offset: min, scale: 1 / (max - min) };
    }
  }
}

/**
 * A new float32 array holding `data` normalised as the manifest says, with statistics over the whole
 * image (Note: Whole-image normalisation), and the map that was applied.
 */
export function normaliseImage(
  data: Float32Array,
  norm: Normalisation,
  label?: string,
): { data: Float32Array; applied: AppliedNormalisation } {
  const applied = normalisationFor(data, norm, label);
  const out = new Float32Array(data.length);
  if (norm.kind === 'affine') {
    // Exactly the manifest's formula, not its rearrangement, so no rounding differs from training.
    for (let i = 0; i < data.length; i++) out[i] = data[i] * norm.scale + norm.offset;
  } else {
    const { offset, scale } = applied;
    for (let i = 0; i < data.length; i++) out[i] = (data[i] - offset) * scale;
  }
  return { data: out, applied };
}
