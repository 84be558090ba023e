/**
 * @file `simulatePair`: a synthetic speckle pair with known displacement, the ground truth behind every
 * accuracy figure of the project. It renders the analytic pattern (Note: Speckle model in speckle.ts) on
 * the reference grid and on the deformed grid through the exact inverse map of the field (fields.ts),
 * adds independent noise to each image (noise.ts), and returns the ground truth on the reference grid
 * (Note: Ground-truth grid in fields.ts) with a description holding every parameter and formula needed
 * to reproduce or cite the pair. Work goes in bands of rows, with progress and cancellation between them.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { type TaskContext, throwIfCancelled, pacer } from '../progress';
import { groundTruth, makeField } from './fields';
import { applyNoise, photonsPerGrey } from './noise';
import { MappedScratch, renderBandMapped, renderBandShifted } from './render';
import { hashSeed, mulberry32 } from './rng';
import { describeSpeckle, makeSpeckleModel, toneCurve } from './speckle';
import { measureSpeckleSize } from './speckle-size';
import { type FieldSpec, type NoiseSpec, validateFieldSpec, validateNoiseSpec } from './specs';

export interface SimulatePairOptions {
  /** image size in px (8 … 16384 each) */
  width: number;
  height: number;
  /** speckle size in px, 2 … 10: FWHM of the autocorrelation peak (speckle-size.ts) */
  speckleSize: number;
  noise: NoiseSpec;
  field: FieldSpec;
  /** any integer; taken modulo 2^32. Same seed and options, same images, bit for bit. */
  seed: number;
}

export interface SimulatedPair {
  /** noisy reference image, float32 grey levels on a 0–255 scale */
  reference: GreyImage;
  /** noisy deformed image: I_def(x + u(x)) = I_ref(x) before noise */
  deformed: GreyImage;
  /** ground-truth u (px) on the reference grid */
  u: GreyImage;
  /** ground-truth v (px) on the reference grid */
  v: GreyImage;
  /** everything needed to reproduce the pair, and the formulas used (JSON-serialisable) */
  description: Record<string, unknown>;
}

const BAND_ROWS = 64;
const MAX_SIDE = 16384;
/** Stream id of the noise (Note: Random streams in rng.ts); the image index (0 ref, 1 def) follows it. */
const STREAM_NOISE = 3;
export const GENERATOR = 'speckle-lab synth/simulatePair 1';

function checkOptions(o: SimulatePairOptions): void {
  for (const [name, value] of [
    ['width', o.width],
    ['height', o.height],
  ] as const) {
    if (!Number.isInteger(value) || value < 8 || value > MAX_SIDE) {
      throw new LabError('E_INVALID_INPUT', `The image ${name} ${value} is not a whole number of pixels between 8 and ${MAX_SIDE}; choose one in that range.`);
    }
  }
  if (!Number.isSafeInteger(o.seed)) {
    throw new LabError('E_INVALID_INPUT', `The seed ${o.seed} is not an integer; use a whole number such as 1.`);
  }
  validateNoiseSpec(o.noise);
  validateFieldSpec(o.field);
}


/** Simulates a speckle pair with known displacement; see the file note and SimulatePairOptions. */
export async function simulatePair(opts: SimulatePairOptions, ctx: TaskContext): Promise<SimulatedPair> {
  checkOptions(opts);
  throwIfCancelled(ctx.signal);
  const { width, height, speckleSize, noise, seed } = opts;
  const model = makeSpeckleModel(speckleSize, seed);
  const field = makeField(opts.field, width, height, seed);
  const pace = pacer(ctx.signal);
  const n = width * height;
  const reference = new Float32Array(n);
  const deformed = new Float32Array(n);
  const acc = new Float64Array(BAND_ROWS * width);
  const scratch = new MappedScratch();

  // The reference is the constant-field path with u = 0, which is what makes u = 0 bit-identical.
  const render = async (out: Float32Array, kind: 'reference' | 'deformed', p0: number, p1: number) => {
    for (let y0 = 0; y0 < height; y0 += BAND_ROWS) {
      const y1 = Math.min(height, y0 + BAND_ROWS);
      const c = kind === 'reference' ? { ux: 0, uy: 0 } : field.constant;
      if (c) {
        acc.fill(0);
        renderBandShifted(model, width, y0, y1, c.ux, c.uy, acc);
      } else {
        renderBandMapped(model, field, width, y0, y1, acc, scratch);
      }
      for (let i = 0, o = y0 * width; o < y1 * width; i++, o++) out[o] = toneCurve(acc[i]);
      ctx.progress.report(p0 + ((p1 - p0) * y1) / height, `rendering the ${kind} image, row ${y1} of ${height}`);
      await pace();
    }
  };
  await render(reference, 'reference', 0, 0.4);
  await render(deformed, 'deformed', 0.4, 0.85);

  const truth = groundTruth(field, width, height);
  ctx.progress.report(0.88, 'ground truth');
  await pace();

  let sum = 0;
  for (let i = 0; i < n; i++) sum += reference[i];
  const meanClean = sum / n;
  const crop = centralCrop({ width, height, data: reference }, 256);
  const measured = measureSpeckleSize(crop);
  const k = photonsPerGrey(noise, meanClean);
  const noiseSeeds = [hashSeed(seed >>> 0, STREAM_NOISE, 0), hashSeed(seed >>> 0, STREAM_NOISE, 1)];
  const images = [reference, deformed];
  for (let m = 0; m < 2; m++) {
    const rng = mulberry32(noiseSeeds[m]);
    for (let y0 = 0; y0 < height; y0 += 4 * BAND_ROWS) {
      const y1 = Math.min(height, y0 + 4 * BAND_ROWS);
      applyNoise(images[m], images[m], y0 * width, y1 * width, noise, rng, k);
      ctx.progress.report(0.9 + 0.05 * m + (0.05 * y1) / height, 'adding noise');
      await pace();
    }
  }
  ctx.progress.report(1, 'done');

  const description: Record<string, unknown> = {
    generator: GENERATOR,
    options: { width, height, speckleSize, noise, field: opts.field, seed },
    convention:
      'I_def(x + u(x)) = I_ref(x); x = column (right), y = row (down), origin at the centre of the top-left pixel; displacements in px',
    groundTruthGrid:
      'reference: u.tif/v.tif hold u(x), v(x) at each REFERENCE pixel x, the point that moves to x + u(x) in the deformed image',
    inverseMapping:
      'deformed pixel y shows reference point X with X + u(X) = y, solved by Newton per pixel centre (residual < 1e-9 px); constant fields: X = y − u exactly',
    speckle: { ...describeSpeckle(model), requestedSpeckleSizePx: speckleSize, measuredSpeckleSizePx: measured },
    field: field.description,
    noise: {
      ...noise,
      rule:
        noise.kind === 'poisson'
          ? 'grey = Poisson(k·g)/k, k = PHOTONS / mean noise-free reference grey (the same k for both images)'
          : noise.kind === 'gauss'
            ? 'grey = g + N(0, SIGMA²), grey levels of the 0–255 scale'
            : 'no noise',
      photonsPerGreyLevel: Number.isNaN(k) ? null : k,
      independentRealisations: 'reference and deformed noise from separate streams',
      streamSeeds: noiseSeeds,
    },
    meanGreyNoiseFree: meanClean,
    rng: 'mulberry32; each purpose (spot cell, field, noise of each image) has its own stream, seeded by hashSeed(seed, stream, ...)',
  };
  return {
    reference: { width, height, data: reference },
    deformed: { width, height, data: deformed },
    u: truth.u,
    v: truth.v,
    description,
  };
}

/** The central `side` × `side` part of an image (or the whole image if smaller), as a copy. */
function centralCrop(img: GreyImage, side: number): GreyImage {
  const w = Math.min(side, img.width);
  const h = Math.min(side, img.height);
  const x0 = Math.floor((img.width - w) / 2);
  const y0 = Math.floor((img.height - h) / 2);
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + w), y * w);
  return { width: w, height: h, data };
}
