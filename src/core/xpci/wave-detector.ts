/**
 * @file The detector of the wave-optics simulator: pixel integration of |ψ|² over os×os grid samples,
 * a Gaussian point-spread function (σ in px, applied to the expected photon density, before counting) and
 * Poisson counting noise. Intensities are in units of the open-beam intensity (|ψ_in|² = 1); the images
 * handed out are multiplied by the open-beam photons per pixel. With the Fresnel scaling theorem the
 * intensity at the detector is |ψ|²/M² while the pixel footprint at the sample is M² times smaller, so the
 * photons per pixel do not depend on M and no M² factor appears (Fresnel scaling theorem, Paganin 2006).
 */
import type { GreyImage } from '../imageio/types';
import { poisson, type Rng } from '../synth/rng';

/**
 * Mean |ψ|² of each os×os block: pixel (c, r) of the w×h result covers grid samples
 * x0 + os·c … x0 + os·c + os − 1 (and likewise in y from y0). Indices wrap around the nx×ny grid.
 */
export function binIntensity(psi: Float64Array, nx: number, ny: number, os: number, x0: number, y0: number, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const inv = 1 / (os * os);
  for (let r = 0; r < h; r++) {
    for (let b = 0; b < os; b++) {
      const gy = (((y0 + os * r + b) % ny) + ny) % ny;
      const row = gy * nx;
      for (let c = 0; c < w; c++) {
        let s = 0;
        for (let a = 0; a < os; a++) {
          const gx = (((x0 + os * c + a) % nx) + nx) % nx;
          const o = 2 * (row + gx);
          s += psi[o] * psi[o] + psi[o + 1] * psi[o + 1];
        }
        out[r * w + c] += s * inv;
      }
    }
  }
  return out;
}

/** Normalised 1-D Gaussian kernel of standard deviation `sigma` (px), radius ⌈4σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  const rad = Math.max(1, Math.ceil(4 * sigma));
  const k = new Float64Array(2 * rad + 1);
  let s = 0;
  for (let i = -rad; i <= rad; i++) s += k[i + rad] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/**
 * Separable Gaussian blur (σ px), periodic boundary, returning a new array. Callers bin a border of at
 * least ⌈4σ⌉ px around what they keep, so the wrap never reaches the kept pixels (simulate-xpci.ts).
 */
export function gaussianBlurWrap(img: Float64Array, w: number, h: number, sigma: number): Float64Array {
  if (!(sigma > 0)) return img.slice();
  const k = gaussianKernel(sigma);
  const rad = (k.length - 1) / 2;
  const tmp = new Float64Array(w * h);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -rad; i <= rad; i++) s += k[i + rad] * img[y * w + ((((x + i) % w) + w) % w)];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -rad; i <= rad; i++) s += k[i + rad] * tmp[((((y + i) % h) + h) % h) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

/** The cw×ch block at (x0, y0) of a w-wide array, times `scale`, as a float32 image. */
export function cropScaled(img: Float64Array, w: number, x0: number, y0: number, cw: number, ch: number, scale: number): GreyImage {
  const data = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) data[y * cw + x] = img[(y0 + y) * w + x0 + x] * scale;
  return { width: cw, height: ch, data };
}

/** Replaces every expected count by a Poisson deviate, in pixel order (reproducible for a given rng). */
export function addPoissonNoise(img: GreyImage, rng: Rng): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = poisson(rng, Math.max(0, d[i]));
}

/** Mean and visibility (standard deviation / mean) of an array. */
export function meanAndVisibility(data: ArrayLike<number>): { mean: number; visibility: number } {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  const mean = s / data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i] - mean) * (data[i] - mean);
  return { mean, visibility: Math.sqrt(v / data.length) / mean };
}
