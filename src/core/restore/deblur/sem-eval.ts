/**
 * @file The evaluation protocol for SEM deblurring on the MIDNet paper's real blurry/sharp pairs (shared
 * data, `sem/midnet/{blur,sharp}/<prefix>_sNNN.png`), used by `bench/deblur.ts` and
 * `test/deblur-accuracy.test.ts` so both score the same way.
 *
 * Note: SEM deblur evaluation. Each prefix ("3-1") is one source micrograph cut into 12 half-overlapping
 * 512 × 512 crops, so train/test splits are by prefix. The held-out prefixes are those the shipped models
 * never saw (the midnet-s / nafnet-s manifest entries say "held-out test prefixes 3-1, 6-1"; the trainer's
 * training/data/sem.py TEST_PREFIXES). The files are RGBA with equal channels and read as 8-bit grey
 * (Note: Grey rule, imageio/grey.ts). Each image is deblurred whole (one tile), the output brought back to
 * 8-bit (clipped, rounded: what the app writes), and scored against the sharp image with PSNR and SSIM at
 * data range 255 (Note: Image quality conventions, metrics/image-quality.ts; the same figures as the
 * trainer's unit-range protocol with data range 1.0, up to the 8-bit rounding). Per prefix = mean over its
 * images. Time per megapixel excludes loading the model (once per process), which the result's
 * `timingsMs.loadModel` reports apart.
 *
 * Note: Misaligned SEM pairs. The pairs are not pixel-aligned: each blurry crop is offset from its sharp
 * crop by up to ~20 px (mostly along x), differently from crop to crop, even within one micrograph. No
 * method can see that offset in the blurry image, so scores "as given" stay near the blurry input's for
 * every method and reward blurring. The registered protocol (`aligned`) first finds each pair's
 * whole-pixel offset d from the blurry and sharp images alone (peak of their circular cross-correlation
 * within ±40 px, the same rule as training/data/sem.py pair_shift) and scores output(p) against
 * sharp(p − d) on the overlap, the same region for every method of a pair. Both are reported.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../../errors';
import { readImage, type LoadedImage } from '../../imageio';
import { psnr, ssim } from '../../metrics/image-quality';
import { quietContext } from '../../progress';
import { Fft2Any, toComplex } from '../sr/fft-any';
import { deblurImage, type DeblurMethod, type DeblurOptions } from './index';

type Plane = { width: number; height: number; data: Float32Array };

/** Whole-pixel offset (dx, dy) with blurry(p) ≈ blur(sharp)(p − d) (Note: Misaligned SEM pairs). */
export function pairShift(blurry: Plane, sharp: Plane, maxShift = 40): { dx: number; dy: number } {
  const { width: w, height: h } = blurry;
  const centred = (img: Plane) => {
    let m = 0;
    for (let i = 0; i < img.data.length; i++) m += img.data[i];
    m /= img.data.length;
    const out = new Float64Array(img.data.length);
    for (let i = 0; i < out.length; i++) out[i] = img.data[i] - m;
    return toComplex(out);
  };
  const fft = new Fft2Any(w, h);
  const b = centred(blurry);
  const s = centred(sharp);
  fft.forward(b);
  fft.forward(s);
  for (let i = 0; i < b.length; i += 2) {
    // b · conj(s)
    const re = b[i] * s[i] + b[i + 1] * s[i + 1];
    const im = b[i + 1] * s[i] - b[i] * s[i + 1];
    b[i] = re;
    b[i + 1] = im;
  }
  fft.inverse(b);
  let best = -Infinity;
  let arg = { dx: 0, dy: 0 };
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    for (let dx = -maxShift; dx <= maxShift; dx++) {
      const v = b[2 * ((((dy % h) + h) % h) * w + (((dx % w) + w) % w))];
      if (v > best) {
        best = v;
        arg = { dx, dy };
      }
    }
  }
  return arg;
}

/** x(p) and sharp(p − d) on their overlap, as new images (Note: Misaligned SEM pairs). */
export function alignedViews(x: Plane, sharp: Plane, d: { dx: number; dy: number }): [Plane, Plane] {
  const { width: w, height: h } = sharp;
  const ow = w - Math.abs(d.dx);
  const oh = h - Math.abs(d.dy);
  const cut = (img: Plane, x0: number, y0: number): Plane => {
    const data = new Float32Array(ow * oh);
    for (let y = 0; y < oh; y++) for (let c = 0; c < ow; c++) data[y * ow + c] = img.data[(y + y0) * w + c + x0];
    return { width: ow, height: oh, data };
  };
  return [cut(x, Math.max(d.dx, 0), Math.max(d.dy, 0)), cut(sharp, Math.max(-d.dx, 0), Math.max(-d.dy, 0))];
}

/** Held-out prefixes of the shipped deblurring models (Note: SEM deblur evaluation). */
export const MIDNET_HELD_OUT_PREFIXES = ['3-1', '6-1'] as const;

export interface SemPair {
  name: string;
  prefix: string;
  blurry: string;
  sharp: string;
}

/** The blurry/sharp pairs under `dir` (the `sem/midnet` folder) whose prefix is in `prefixes`, sorted by name. */
export async function listSemPairs(dir: string, prefixes: readonly string[] = MIDNET_HELD_OUT_PREFIXES): Promise<SemPair[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, 'blur'));
  } catch {
    throw new LabError('E_NOT_FOUND', `The SEM pairs folder ${join(dir, 'blur')} cannot be read.`, join(dir, 'blur'));
  }
  const sharp = new Set(await readdir(join(dir, 'sharp')).catch(() => [] as string[]));
  return names
    .filter((n) => n.endsWith('.png') && sharp.has(n) && prefixes.includes(n.split('_')[0]))
    .sort()
    .map((n) => ({ name: n, prefix: n.split('_')[0], blurry: join(dir, 'blur', n), sharp: join(dir, 'sharp', n) }));
}

/** "blurry" scores the input itself (the do-nothing baseline). */
export type EvalMethod = 'blurry' | DeblurMethod;

export interface EvalRow {
  name: string;
  prefix: string;
  method: EvalMethod;
  psnrDb: number;
  ssim: number;
  /** the same on the registered pair (Note: Misaligned SEM pairs) */
  psnrAlignedDb: number;
  ssimAligned: number;
  /** deblurring time without model loading, s */
  seconds: number;
  megapixels: number;
  provider: string | null;
}

/** Scores one image with one method (Note: SEM deblur evaluation). */
export async function scorePair(
  blurry: LoadedImage,
  sharp: LoadedImage,
  method: EvalMethod,
  opts: Omit<DeblurOptions, 'method'> = {},
): Promise<Omit<EvalRow, 'name' | 'prefix'>> {
  const q = { dataRange: 255 };
  const megapixels = (blurry.width * blurry.height) / 1e6;
  const d = pairShift(blurry, sharp);
  const score = (out: Plane) => {
    const [a, b] = alignedViews(out, sharp, d);
    return { psnrDb: psnr(out, sharp, q), ssim: ssim(out, sharp, q), psnrAlignedDb: psnr(a, b, q), ssimAligned: ssim(a, b, q) };
  };
  if (method === 'blurry') return { method, ...score(blurry), seconds: 0, megapixels, provider: null };
  const res = await deblurImage(blurry, { ...opts, method }, quietContext());
  const seconds = (res.timingsMs.total - (res.timingsMs.loadModel ?? 0)) / 1000;
  return { method, ...score(res), seconds, megapixels, provider: res.executionProvider };
}

/** Reads a pair and checks it is 8-bit grey of one size, as the protocol assumes. */
export async function readSemPair(p: SemPair): Promise<{ blurry: LoadedImage; sharp: LoadedImage }> {
  const [blurry, sharp] = await Promise.all([readImage(p.blurry), readImage(p.sharp)]);
  for (const [img, f] of [[blurry, p.blurry], [sharp, p.sharp]] as const) {
    if (img.meta.sampleType !== 'uint8') throw new LabError('E_INVALID_INPUT', `${f} is ${img.meta.sampleType}; the SEM protocol expects 8-bit images.`, f);
  }
  if (blurry.width !== sharp.width || blurry.height !== sharp.height) {
    throw new LabError('E_SIZE_MISMATCH', `${p.blurry} and ${p.sharp} differ in size.`, p.sharp);
  }
  return { blurry, sharp };
}

export interface EvalSummary {
  method: EvalMethod;
  /** prefix → mean, plus "mean" over all images */
  psnrDb: Record<string, number>;
  ssim: Record<string, number>;
  /** the same on the registered pairs (Note: Misaligned SEM pairs) */
  psnrAlignedDb: Record<string, number>;
  ssimAligned: Record<string, number>;
  secondsPerMegapixel: number;
  images: number;
}

/** Per-method means per prefix and overall, and time per megapixel (Note: SEM deblur evaluation). */
export function summariseRows(rows: EvalRow[]): EvalSummary[] {
  const methods = [...new Set(rows.map((r) => r.method))];
  const prefixes = [...new Set(rows.map((r) => r.prefix))].sort();
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  return methods.map((method) => {
    const mine = rows.filter((r) => r.method === method);
    const by = (key: 'psnrDb' | 'ssim' | 'psnrAlignedDb' | 'ssimAligned') => {
      const out: Record<string, number> = {};
      for (const p of prefixes) {
        const of = mine.filter((r) => r.prefix === p);
        if (of.length) out[p] = mean(of.map((r) => r[key]));
      }
      out.mean = mean(mine.map((r) => r[key]));
      return out;
    };
    const mp = mine.reduce((s, r) => s + r.megapixels, 0);
    return {
      method,
      psnrDb: by('psnrDb'),
      ssim: by('ssim'),
      psnrAlignedDb: by('psnrAlignedDb'),
      ssimAligned: by('ssimAligned'),
      secondsPerMegapixel: mine.reduce((s, r) => s + r.seconds, 0) / mp,
      images: mine.length,
    };
  });
}
