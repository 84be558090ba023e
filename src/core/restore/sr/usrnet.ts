/**
 * @file USRNet super-resolution (Zhang, Van Gool, Timofte, CVPR 2020) with the network parts in ONNX and
 * the rest here: the hyper-parameter net gives the weights of K half-quadratic-splitting iterations, each
 * iteration is the closed-form data step (data-step.ts, float64, whole image) followed by the learned
 * prior (a denoising ResUNet run tile by tile through infer/tiling.ts). Works for any blur kernel, scale
 * and noise level the user states, because the degradation enters only through the data step.
 *
 * Note: USRNet I/O contract (training/models/usrnet.py). `usrnet-s-hypa`: input `cond` float32
 * [1, 2, 1, 1] = (σ on the [0, 1] image scale, s), output float32 [1, 2K, 1, 1]: α_k = ab[k] (data-step
 * weight), β_k = ab[K + k] (the prior's noise-level input), k = 0..K−1; K is read from the output length
 * (8 for the shipped model). `usrnet-s-prior`: inputs `x` and `noise` float32 [1, 1, H, W] (the estimate,
 * and a map filled with β_k), output `y` [1, 1, H, W]; H, W multiples of the manifest's `stride` (8),
 * reached by REFLECT padding at the bottom/right and cropped after, which is exactly what runTiled's
 * single-tile path does; larger images are cut into blended tiles. Images are on [0, 1] through the
 * prior's manifest normalisation (`unit-range`: the nominal range of the input's sample type), and the
 * result goes back through its inverse. Loop: z0 = nearest up-sampling of y; for k: z ← data(z, α_k);
 * z ← prior(z, β_k).
 */
import * as ort from 'onnxruntime-node';
import { LabError } from '../../errors';
import type { ModelEntry } from '../../infer/manifest';
import { denormaliseImage, normaliseImage, type AppliedNormalisation, type ImageType } from '../../infer/normalise';
import type { CreatedSession } from '../../infer/session';
import { runTiled } from '../../infer/tiling';
import { openModelById } from '../model';
import { type TaskContext, throwIfCancelled } from '../../progress';
import type { Kernel } from '../../synth/kernels';
import { dataStep, prepareDataStep, upsampleNearest } from './data-step';

export const USRNET_PRIOR_ID = 'usrnet-s-prior';
export const USRNET_HYPA_ID = 'usrnet-s-hypa';

export interface OpenedModel {
  entry: ModelEntry;
  created: CreatedSession;
}

export interface UsrnetModels {
  prior: OpenedModel & { xName: string; noiseName: string; outName: string; stride: number };
  hypa: OpenedModel & { inName: string; outName: string };
}

export interface ModelOpenOptions {
  /** models folder; default `modelsDir()` */
  modelsDir?: string;
  /** execution providers to try; default `providerOrder()` (GPU first, CPU fallback) */
  providers?: string[];
}

/**
 * Manifest model `id` with its pooled session; E_NOT_FOUND names the id, the manifest and how to produce
 * the model (as restore/model.ts does for one-input restoration nets).
 */
export async function openManifestModel(id: string, purpose: string, opts: ModelOpenOptions = {}): Promise<OpenedModel> {
  const { entry, created } = await openModelById(id, purpose, { ...opts, hint: 'training/train_usrnet.py' });
  return { entry, created };
}

function contractError(entry: ModelEntry, why: string): LabError {
  return new LabError('E_INVALID_INPUT', `Model "${entry.id}" (${entry.file}) does not follow the USRNet I/O contract: ${why}.`);
}

/** Opens and checks the two USRNet models (Note: USRNet I/O contract). */
export async function openUsrnet(opts: ModelOpenOptions & { priorId?: string; hypaId?: string } = {}): Promise<UsrnetModels> {
  const prior = await openManifestModel(opts.priorId ?? USRNET_PRIOR_ID, 'USRNet super-resolution', opts);
  const hypa = await openManifestModel(opts.hypaId ?? USRNET_HYPA_ID, 'USRNet super-resolution', opts);
  const pin = prior.entry.inputs.map((t) => t.name);
  const xName = pin.find((n) => n === 'x');
  const noiseName = pin.find((n) => n === 'noise');
  if (!xName || !noiseName || prior.entry.outputs.length !== 1) {
    throw contractError(prior.entry, `the prior needs inputs "x" and "noise" and one output (it has inputs ${pin.join(', ')})`);
  }
  if (hypa.entry.inputs.length !== 1 || hypa.entry.outputs.length !== 1) throw contractError(hypa.entry, 'the hyper-parameter net needs one input and one output');
  return {
    prior: { ...prior, xName, noiseName, outName: prior.entry.outputs[0].name, stride: prior.entry.stride ?? 8 },
    hypa: { ...hypa, inName: hypa.entry.inputs[0].name, outName: hypa.entry.outputs[0].name },
  };
}

/** α_k and β_k for noise level σ (on [0, 1]) and scale s, from the hyper-parameter net. */
export async function usrnetWeights(hypa: UsrnetModels['hypa'], sigma01: number, scale: number): Promise<{ alphas: number[]; betas: number[] }> {
  let ab: Float32Array;
  try {
    const res = await hypa.created.session.run({ [hypa.inName]: new ort.Tensor('float32', Float32Array.from([sigma01, scale]), [1, 2, 1, 1]) });
    ab = res[hypa.outName].data as Float32Array;
  } catch (err) {
    throw new LabError('E_RUNTIME', `ONNX Runtime failed on the USRNet hyper-parameter net "${hypa.entry.id}": ${(err as Error).message}`);
  }
  if (ab.length < 2 || ab.length % 2 !== 0) throw contractError(hypa.entry, `its output has ${ab.length} values, not 2K`);
  const K = ab.length / 2;
  return { alphas: Array.from(ab.subarray(0, K)), betas: Array.from(ab.subarray(K)) };
}

export interface UsrnetLoopOptions {
  /** largest prior tile side on the high-resolution grid, px (default 1024: one tile for most images) */
  tile?: number;
  /** least tile overlap, px (default 64, rounded up to the stride) */
  overlap?: number;
  /** stop after this many iterations (default all K; for tests and the golden's first step) */
  iterations?: number;
}

export interface UsrnetLoopResult {
  /** the estimate on the high-resolution grid, on the prior's [0, 1] scale */
  x: Float32Array;
  width: number;
  height: number;
  alphas: number[];
  betas: number[];
  tilesPerIteration: number;
  timingsMs: { dataStep: number; prior: number };
}

/**
 * The unfolded loop on an image already on the prior's [0, 1] scale (Note: USRNet I/O contract): `y` is
 * lrWidth × lrHeight, `sigma01` the noise std on that scale. Progress spans iterations × tiles;
 * cancellation is checked between tiles and iterations.
 */
export async function runUsrnetLoop(
  models: UsrnetModels,
  y: ArrayLike<number>,
  lrWidth: number,
  lrHeight: number,
  kernel: Kernel,
  scale: number,
  sigma01: number,
  ctx: TaskContext,
  opts: UsrnetLoopOptions = {},
): Promise<UsrnetLoopResult> {
  if (!(sigma01 >= 0 && Number.isFinite(sigma01))) throw new LabError('E_INVALID_INPUT', `The noise level σ = ${sigma01} must be a number ≥ 0.`);
  const { alphas, betas } = await usrnetWeights(models.hypa, sigma01, scale);
  const K = Math.min(alphas.length, opts.iterations ?? alphas.length);
  const t0 = performance.now();
  const setup = prepareDataStep(y, lrWidth, lrHeight, kernel, scale);
  const { width, height } = setup;
  let z: ArrayLike<number> = upsampleNearest(y, lrWidth, lrHeight, scale);
  let tData = performance.now() - t0;
  let tPrior = 0;
  let tiles = 0;
  const stride = models.prior.stride;
  const tile = opts.tile ?? 1024;
  const overlap = Math.ceil((opts.overlap ?? 64) / stride) * stride;
  const noise = new Float32Array(width * height);
  let x: Float32Array = new Float32Array(0);
  for (let k = 0; k < K; k++) {
    throwIfCancelled(ctx.signal);
    const a = performance.now();
    const xd = dataStep(setup, z, alphas[k]);
    const b = performance.now();
    tData += b - a;
    noise.fill(betas[k]);
    const out = await runTiled(
      models.prior.created.session,
      [Float32Array.from(xd), noise],
      width,
      height,
      { inputNames: [models.prior.xName, models.prior.noiseName], outputName: models.prior.outName, tile, overlap, stride },
      { signal: ctx.signal, progress: ctx.progress.sub(k / K, (k + 1) / K) },
    );
    if (out.channels.length !== 1) throw contractError(models.prior.entry, `the prior returned ${out.channels.length} channels, not 1`);
    x = out.channels[0];
    z = x;
    tiles = out.tiles;
    tPrior += performance.now() - b;
    ctx.progress.report((k + 1) / K, `USRNet iteration ${k + 1} of ${K}`);
  }
  return { x, width, height, alphas, betas, tilesPerIteration: tiles, timingsMs: { dataStep: tData, prior: tPrior } };
}

export interface UsrnetResult extends UsrnetLoopResult {
  /** the super-resolved image in the input's scale (inverse normalisation applied, not clipped) */
  data: Float32Array;
  applied: AppliedNormalisation;
  sigma01: number;
  provider: string;
}

/**
 * Super-resolves `img` (native grey levels, sample type `type`) by `scale` with blur `kernel`; `noise` is
 * the noise std in the image's own grey levels (e.g. 2.55 for 1 % of an 8-bit range), mapped to the
 * prior's [0, 1] scale with the same normalisation as the image.
 */
export async function usrnetSuperResolve(
  models: UsrnetModels,
  img: { width: number; height: number; data: Float32Array },
  type: ImageType,
  kernel: Kernel,
  scale: number,
  noise: number,
  ctx: TaskContext,
  opts: UsrnetLoopOptions & { label?: string } = {},
): Promise<UsrnetResult> {
  if (!(noise >= 0 && Number.isFinite(noise))) throw new LabError('E_INVALID_INPUT', `The noise level ${noise} must be a number ≥ 0 (grey levels of the input).`);
  const norm = normaliseImage(img.data, models.prior.entry.normalisation, opts.label ?? 'The image', type);
  const sigma01 = noise * norm.applied.scale;
  const loop = await runUsrnetLoop(models, norm.data, img.width, img.height, kernel, scale, sigma01, ctx, opts);
  return { ...loop, data: denormaliseImage(loop.x, norm.applied), applied: norm.applied, sigma01, provider: models.prior.created.provider };
}
