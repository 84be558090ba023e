/**
 * @file `deblurImage`: SEM deblurring by a CNN (MIDNet, or the plain NAFNet-style baseline) or by the
 * classical Richardson–Lucy deconvolution, in the input's scale and type.
 *
 * Note: Deblur methods. `midnet` runs model "midnet-s" (attention-gated U-Net, Note: Restoration I/O
 * contract, restore/model.ts), `nafnet` runs "nafnet-s" (same net with plain skips, the ablation
 * baseline), `richardson-lucy` deconvolves with a Gaussian PSF whose σ is estimated from the image unless
 * given (Note: PSF estimate from the power spectrum, Note: Richardson–Lucy, richardson-lucy.ts). The CNNs
 * run with their manifest's normalisation over the whole image and blended tiles; the default tile
 * (1024 px) covers a usual SEM frame in one piece, because the nets' channel attention pools over
 * everything they see, so a tiled run differs a little from a whole-image one. Whatever the method, the
 * result is brought back to the input's type (Note: Restored output type, restore/output.ts): clipped
 * to the type's range and rounded for integer images, float32 unclipped for float images; the number of
 * clipped pixels is returned.
 */
import { LabError } from '../../errors';
import type { GreyImage, ImageMeta } from '../../imageio/types';
import type { ProviderAttempt } from '../../infer/session';
import { providerFallbackNote } from '../../infer/provider-notes';
import { type TaskContext, throwIfCancelled } from '../../progress';
import { openRestoreModel, runRestoreModel } from '../model';
import { fitToType } from '../output';
import { estimateGaussianSigma, type PsfEstimate, richardsonLucy } from './richardson-lucy';

export const DEBLUR_METHODS = ['midnet', 'nafnet', 'richardson-lucy'] as const;
export type DeblurMethod = (typeof DEBLUR_METHODS)[number];

/** Manifest model id of each CNN method. */
export const DEBLUR_MODEL_IDS: Record<Exclude<DeblurMethod, 'richardson-lucy'>, string> = {
  midnet: 'midnet-s',
  nafnet: 'nafnet-s',
};

/** Default Richardson–Lucy iterations (Note: Richardson–Lucy). */
export const RL_DEFAULT_ITERATIONS = 30;

export interface DeblurOptions {
  method: DeblurMethod;
  /** CNN methods: model id, default from DEBLUR_MODEL_IDS */
  modelId?: string;
  /** CNN methods: largest tile side, px (default 1024) */
  tile?: number;
  /** CNN methods: least tile overlap, px (default 64) */
  overlap?: number;
  providers?: string[];
  modelsDir?: string;
  /** richardson-lucy: Gaussian PSF σ in px; omitted = estimated from the image */
  sigma?: number;
  /** richardson-lucy: iterations (default 30) */
  iterations?: number;
  /** the image's name for messages */
  name?: string;
}

/** The image to deblur: grey pixels plus the metadata that says its type (a LoadedImage fits). */
export interface DeblurInput extends GreyImage {
  meta: Pick<ImageMeta, 'sampleType' | 'bitsPerSample'> & Partial<ImageMeta>;
}

export interface DeblurResult extends GreyImage {
  method: DeblurMethod;
  /** CNN methods: model id and the sha256 its file was verified against; null for richardson-lucy */
  model: { id: string; sha256: string } | null;
  /** execution provider that ran the model ("cpu", "cuda" ...); null for richardson-lucy */
  executionProvider: string | null;
  providerAttempts: ProviderAttempt[];
  /** the parameters actually used (defaults filled in, σ as estimated) */
  parameters: Record<string, unknown>;
  /** richardson-lucy without a given σ: the estimate and its fit */
  psfEstimate: PsfEstimate | null;
  /** pixels clipped to the input type's range (Note: Restored output type) */
  clippedPixels: number;
  messages: string[];
  timingsMs: Record<string, number>;
}

/** Deblurs `img` with `opts.method` (Note: Deblur methods); progress 0–1, cancellable. */
export async function deblurImage(img: DeblurInput, opts: DeblurOptions, ctx: TaskContext): Promise<DeblurResult> {
  const t0 = performance.now();
  const { width, height } = img;
  const name = opts.name ?? 'The image';
  if (!(DEBLUR_METHODS as readonly string[]).includes(opts.method)) {
    throw new LabError('E_INVALID_INPUT', `Unknown deblurring method "${opts.method}"; use one of ${DEBLUR_METHODS.join(', ')}.`);
  }
  if (img.data.length !== width * height) {
    throw new LabError('E_INVALID_INPUT', `${name}: ${img.data.length} values for a ${width}×${height} image.`);
  }
  const messages: string[] = [];
  let raw: Float32Array;
  let result: Omit<DeblurResult, 'width' | 'height' | 'data' | 'clippedPixels' | 'messages' | 'timingsMs'>;
  const timingsMs: Record<string, number> = {};

  if (opts.method === 'richardson-lucy') {
    let psfEstimate: PsfEstimate | null = null;
    let sigma = opts.sigma;
    if (sigma === undefined) {
      psfEstimate = estimateGaussianSigma(img.data, width, height, name);
      sigma = psfEstimate.sigma;
    }
    const t1 = performance.now();
    timingsMs.psfEstimate = t1 - t0;
    ctx.progress.report(0.02, sigma > 0 ? `PSF σ ${sigma.toFixed(2)} px` : 'no blur detected');
    const iterations = opts.iterations ?? RL_DEFAULT_ITERATIONS;
    if (sigma > 0) {
      raw = await richardsonLucy(img.data, width, height, { sigma, iterations, label: name }, { signal: ctx.signal, progress: ctx.progress.sub(0.02, 0.98) });
    } else {
      messages.push(`No blur was detected in ${name} (the power spectrum shows no Gaussian fall-off), so Richardson–Lucy returned it unchanged.`);
      raw = Float32Array.from(img.data);
    }
    timingsMs.deconvolve = performance.now() - t1;
    result = {
      method: opts.method,
      model: null,
      executionProvider: null,
      providerAttempts: [],
      parameters: { sigmaPx: sigma, sigmaSource: psfEstimate ? 'estimated from the power spectrum' : 'given', iterations, psf: 'Gaussian' },
      psfEstimate,
    };
  } else {
    const modelId = opts.modelId ?? DEBLUR_MODEL_IDS[opts.method];
    const model = await openRestoreModel(modelId, {
      modelsDir: opts.modelsDir,
      providers: opts.providers,
      task: 'deblur',
      purpose: `The deblurring method ${opts.method}`,
    });
    const t1 = performance.now();
    timingsMs.loadModel = t1 - t0;
    throwIfCancelled(ctx.signal);
    const tile = opts.tile ?? 1024;
    const run = await runRestoreModel(model, img, { tile, overlap: opts.overlap, type: img.meta, label: name }, { signal: ctx.signal, progress: ctx.progress.sub(0.02, 0.98) });
    Object.assign(timingsMs, run.timingsMs);
    raw = run.data;
    const fallback = providerFallbackNote(`Model "${modelId}"`, run.provider, run.tried);
    if (fallback) messages.push(fallback);
    if (run.tiles > 1) messages.push(`The image was processed in ${run.tiles} blended tiles of at most ${tile} px.`);
    result = {
      method: opts.method,
      model: { id: modelId, sha256: model.entry.sha256 },
      executionProvider: run.provider,
      providerAttempts: run.tried,
      parameters: { modelId, tile, overlap: opts.overlap ?? 64, stride: model.stride, tiles: run.tiles, normalisation: run.applied },
      psfEstimate: null,
    };
  }
  const fitted = fitToType(raw, img.meta);
  if (fitted.clipped) {
    messages.push(`${fitted.clipped} pixels (${((100 * fitted.clipped) / fitted.data.length).toFixed(2)}%) overshot the range of the input's ${img.meta.sampleType} type and were clipped.`);
  }
  timingsMs.total = performance.now() - t0;
  ctx.progress.report(1, 'done');
  return { ...result, width, height, data: fitted.data, clippedPixels: fitted.clipped, messages, timingsMs };
}

export { estimateGaussianSigma, gaussianBlur, richardsonLucy, type PsfEstimate } from './richardson-lucy';
