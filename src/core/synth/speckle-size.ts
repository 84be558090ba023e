/**
 * @file Measures the speckle size of an image: the full width at half maximum (FWHM) of the peak of its
 * normalised autocovariance, along x and along y. This is the definition `simulatePair` is calibrated to
 * (Note: Speckle model in speckle.ts) and it applies to real images as well, for instance to choose a
 * subset size. Measure on noise-free or low-noise images: white noise adds to the lag-0 term only and so
 * narrows the measured peak.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';

export interface SpeckleSizeMeasurement {
  /** mean of the x and y widths, px (NaN where the peak does not fall to half within the largest lag) */
  size: number;
  /** FWHM of the autocovariance along x (columns), px */
  sizeX: number;
  /** FWHM along y (rows), px */
  sizeY: number;
}

/**
 * Autocovariance of `img` at lags 0 … maxLag along one axis, normalised to 1 at lag 0 (the mean product of
 * mean-removed pixels over all overlapping pairs, divided by the variance).
 */
function autocovariance(img: GreyImage, axis: 'x' | 'y', maxLag: number, mean: number, variance: number): number[] {
  const { width, height, data } = img;
  const out = [1];
  for (let k = 1; k <= maxLag; k++) {
    let sum = 0;
    let count = 0;
    if (axis === 'x') {
      for (let y = 0; y < height; y++) {
        const row = y * width;
        for (let x = 0; x + k < width; x++) sum += (data[row + x] - mean) * (data[row + x + k] - mean);
      }
      count = height * (width - k);
    } else {
      for (let y = 0; y + k < height; y++) {
        const a = y * width;
        const b = (y + k) * width;
        for (let x = 0; x < width; x++) sum += (data[a + x] - mean) * (data[b + x] - mean);
      }
      count = width * (height - k);
    }
    out.push(sum / count / variance);
    if (out[k] < 0.5) break;
  }
  return out;
}

/**
 * Where the profile crosses one half, doubled (a full width). Between the bracketing lags the logarithm
 * is interpolated linearly in lag², which is exact for a Gaussian peak and, unlike linear interpolation,
 * unbiased when the half point falls between lag 0 and lag 1 (2 px speckle).
 */
function fullWidth(c: number[]): number {
  const k = c.findIndex((v) => v < 0.5);
  if (k < 1) return Number.NaN;
  const c0 = c[k - 1];
  const c1 = c[k];
  let r: number;
  if (c1 > 0) {
    const t = (Math.log(0.5) - Math.log(c0)) / (Math.log(c1) - Math.log(c0));
    r = Math.sqrt((k - 1) * (k - 1) + t * (2 * k - 1));
  } else {
    r = k - 1 + (c0 - 0.5) / (c0 - c1);
  }
  return 2 * r;
}

/** Speckle size of `img` (px), FWHM of the autocovariance peak along x and y; see the file note. */
export function measureSpeckleSize(img: GreyImage, maxLag = 64): SpeckleSizeMeasurement {
  const { width, height, data } = img;
  const lag = Math.min(maxLag, Math.floor(Math.min(width, height) / 4));
  if (lag < 2) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The image is ${width}×${height} px, too small to measure a speckle size; use one of at least 8×8 px.`,
    );
  }
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  let variance = 0;
  for (let i = 0; i < data.length; i++) variance += (data[i] - mean) * (data[i] - mean);
  variance /= data.length;
  if (!(variance > 0)) return { size: Number.NaN, sizeX: Number.NaN, sizeY: Number.NaN };
  const sizeX = fullWidth(autocovariance(img, 'x', lag, mean, variance));
  const sizeY = fullWidth(autocovariance(img, 'y', lag, mean, variance));
  return { size: 0.5 * (sizeX + sizeY), sizeX, sizeY };
}
