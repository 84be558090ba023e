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
 *
 * Note: Unit range. `unit-range` maps the nominal range [lo, hi] of the image's sample type to [0, 1]
 * (8-bit 0–255, 16-bit 0–65535, a 12-bit TIFF 0–4095, signed types their two's-complement range, palette
 * images 0–255, the range their colour map was scaled to), so a restoration net trained on [0, 1] images
 * sees the same absolute grey levels whatever the picture: a dark image stays dark, which a per-image
 * min–max would undo. Float images have no nominal range; for them [lo, hi] is min–max over the whole
 * image. The sample type comes from the file's metadata (`ImageMeta`), so callers pass it as the optional
 * `type` argument; without it this kind is refused rather than guessed. Outputs go back through
 * `denormaliseImage`, the inverse map.
 */
import { LabError } from '../errors';
import type { ImageMeta } from '../imageio/types';
import type { ModelEntry } from './manifest';

export type Normalisation = ModelEntry['normalisation'];

/** What was applied, for result files and messages: x' = (x − offset) · scale. */
export interface AppliedNormalisation {
  kind: Normalisation['kind'];
  offset: number;
  scale: number;
}

/** What `unit-range` needs to know about an image's storage: its `ImageMeta` fits (Note: Unit range). */
export type ImageType = Pick<ImageMeta, 'sampleType' | 'bitsPerSample'> & { colour?: ImageMeta['colour'] };

/**
 * The nominal value range of an image's sample type (Note: Unit range), or null for float images, which
 * have none. Integer images hold values inside it; restoration outputs are clipped to it.
 */
export function nominalRange(type: ImageType): { lo: number; hi: number } | null {
  const { sampleType } = type;
  if (sampleType === 'float32' || sampleType === 'float64') return null;
  // Palette files hold indices; their grey values come from a colour map scaled to 0–255 (grey.ts).
  if (type.colour === 'palette') return { lo: 0, hi: 255 };
  const width = Number(sampleType.replace(/^u?int/, ''));
  const bits = Number.isInteger(type.bitsPerSample) && type.bitsPerSample > 0 ? Math.min(type.bitsPerSample, width) : width;
  if (sampleType.startsWith('u')) return { lo: 0, hi: 2 ** bits - 1 };
  return { lo: -(2 ** (bits - 1)), hi: 2 ** (bits - 1) - 1 };
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

/**
 * The affine map x' = (x − offset) · scale that `norm` prescribes for this image. `type` (the image's
 * sample type, e.g. its `meta`) is needed by `unit-range` only (Note: Unit range).
 */
export function normalisationFor(
  data: Float32Array,
  norm: Normalisation,
  label = 'The image',
  type?: ImageType,
): AppliedNormalisation {
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
    case 'unit-range': {
      if (!type) {
        throw new LabError(
          'E_INVALID_INPUT',
          `${label}: the model's unit-range normalisation needs the image's sample type (8-bit, 16-bit, float ...), and none was given.`,
        );
      }
      const range = nominalRange(type);
      if (range) return { kind: norm.kind, offset: range.lo, scale: 1 / (range.hi - range.lo) };
      const { min, max } = minMax(data);
      if (!(max > min)) {
        throw new LabError(
          'E_INVALID_INPUT',
          `${label} is a flat float image (every pixel ${min}); unit-range normalisation of a float image needs max > min.`,
        );
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
  type?: ImageType,
): { data: Float32Array; applied: AppliedNormalisation } {
  const applied = normalisationFor(data, norm, label, type);
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

/**
 * A new float32 array mapping model outputs back to the image's scale: x = x' / scale + offset, the inverse
 * of what `normaliseImage` applied (for image-to-image models such as deblurring and super-resolution).
 */
export function denormaliseImage(data: Float32Array, applied: AppliedNormalisation): Float32Array {
  if (!(applied.scale !== 0 && Number.isFinite(applied.scale))) {
    throw new LabError('E_INVALID_INPUT', `The ${applied.kind} normalisation has scale ${applied.scale} and cannot be inverted.`);
  }
  const out = new Float32Array(data.length);
  const { offset, scale } = applied;
  for (let i = 0; i < data.length; i++) out[i] = data[i] / scale + offset;
  return out;
}
