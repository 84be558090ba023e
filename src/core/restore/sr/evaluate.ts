/**
 * @file The super-resolution evaluation protocol of the SR literature, shared by bench/sr.ts and
 * test/sr-accuracy.test.ts, so the benchmark and the accuracy test measure the same thing.
 *
 * Note: SR evaluation protocol. High-resolution test images are 8-bit; colour ones (Set5) are reduced to
 * luminance Y of ITU-R BT.601 on the [16, 235] scale, Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255,
 * which is 16 + 219/255 · (0.299 R + 0.587 G + 0.114 B), i.e. 16 + 219/255 × the luma our reader returns
 * for colour files (imageio/grey.ts), and every method super-resolves Y (as FSRCNN/ESPCN papers do; USRNet
 * reports RGB-derived Y, which differs slightly). The image is cropped to a multiple of the scale
 * (modcrop), degraded as USRNet's test script does: y = (x ⊗ k) with circular boundaries
 * (ndimage.convolve mode='wrap'), then [0::s, 0::s], plus white Gaussian noise of std σ (grey levels of
 * the 0–255 scale; seeded), not rounded. Outputs are clipped to 0–255 and rounded as an 8-bit file would
 * be, then PSNR is computed against the HR image with s px cropped from every border (data range 255).
 */
import { LabError } from '../../errors';
import { readImage } from '../../imageio';
import { psnr } from '../../metrics/image-quality';
import { gaussian, hashSeed, mulberry32 } from '../../synth/rng';
import type { Kernel } from '../../synth/kernels';
import { degrade } from './data-step';

export interface HrImage {
  name: string;
  width: number;
  height: number;
  /** 0–255 scale (Y on [16, 235] for colour images) */
  data: Float32Array;
  colour: boolean;
}

/** Reads an 8-bit HR test image; colour → BT.601 Y on [16, 235] (Note: SR evaluation protocol). */
export async function loadHr(path: string, name = path): Promise<HrImage> {
  const img = await readImage(path);
  if (img.meta.sampleType !== 'uint8') throw new LabError('E_UNSUPPORTED', `The SR test image "${path}" is ${img.meta.sampleType}; the protocol expects 8-bit images.`, path);
  const colour = img.meta.colour === 'rgb' || img.meta.colour === 'rgba';
  const data = colour && /luma/.test(img.meta.greyRule ?? '') ? img.data.map((v) => 16 + (219 / 255) * v) : img.data;
  return { name, width: img.width, height: img.height, data, colour };
}

/** Crops to multiples of s (top-left kept), as SR test scripts' modcrop. */
export function modcrop(img: HrImage, s: number): HrImage {
  const width = img.width - (img.width % s);
  const height = img.height - (img.height % s);
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) data.set(img.data.subarray(r * img.width, r * img.width + width), r * width);
  return { ...img, width, height, data };
}

/** The low-resolution observation y = (x ⊗ k)↓s + σ·N(0, 1) (Note: SR evaluation protocol). */
export function degradeForTest(hr: HrImage, k: Kernel, s: number, sigma: number, seed: number): { width: number; height: number; data: Float32Array } {
  const y = degrade(hr.data, hr.width, hr.height, k, s);
  const rng = mulberry32(hashSeed(seed, s, Math.round(sigma * 1000)));
  const data = new Float32Array(y.data.length);
  for (let i = 0; i < data.length; i++) data[i] = y.data[i] + (sigma > 0 ? sigma * gaussian(rng) : 0);
  return { width: y.width, height: y.height, data };
}

/** Clip to 0–255 and round, as saving an 8-bit result does. */
export function toUint8Scale(data: ArrayLike<number>): Float32Array {
  return Float32Array.from(data, (v) => Math.min(255, Math.max(0, Math.round(v))));
}

/** PSNR in dB of an SR output against the HR image, s px border cropped, range 255. */
export function srPsnr(out: ArrayLike<number>, hr: HrImage, s: number): number {
  return psnr({ width: hr.width, height: hr.height, data: toUint8Scale(out) }, { width: hr.width, height: hr.height, data: hr.data }, { dataRange: 255, border: s });
}
