/**
 * @file Image-to-image restoration models (deblurring, super-resolution priors and nets): open one by
 * manifest id, check it follows the restoration I/O contract, get its session from the pool, and run it
 * over a whole image with the manifest's normalisation and blended tiles.
 *
 * Note: Restoration I/O contract. One float32 input and one float32 output, both [N, 1, H, W] (grey
 * images in, grey image out, same H and W; super-resolution nets whose output is larger are not run
 * through `runRestoreModel`), the names whatever the manifest says. The image is normalised over its
 * whole extent with the manifest's `normalisation` (Note: Whole-image normalisation and Note: Unit
 * range, infer/normalise.ts: restoration nets use `unit-range`, which needs the image's sample type), run
 * tile by tile with overlap blending (Note: Tiling with overlap blending, infer/tiling.ts; H, W padded to
 * the manifest's `stride`), and mapped back by the inverse normalisation, so the result is in the input's
 * scale. Sessions come from the pool (infer/session-pool.ts): created once per model and provider list,
 * GPU provider first with CPU fallback, from the sha256-verified bytes, as for the CNN trackers
 * (track/cnn-model.ts).
 */
import path from 'node:path';
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { MANIFEST_FILE, type ModelEntry } from '../infer/manifest';
import { loadCatalog } from '../infer/model-catalog';
import { denormaliseImage, normaliseImage, type AppliedNormalisation, type ImageType } from '../infer/normalise';
import { getModelSession } from '../infer/session-pool';
import type { CreatedSession, ProviderAttempt } from '../infer/session';
import { runTiled } from '../infer/tiling';
import { type TaskContext, throwIfCancelled } from '../progress';

export interface RestoreModel {
  entry: ModelEntry;
  created: CreatedSession;
  inputName: string;
  outputName: string;
  stride: number;
}

export interface OpenRestoreModelOptions {
  /** models folder; default `modelsDir()` */
  modelsDir?: string;
  /** execution providers to try; default `providerOrder()` */
  providers?: string[];
  /** what the caller is, for messages: "The deblurring method midnet" */
  purpose?: string;
  /** the manifest task the model must have, e.g. "deblur"; omitted = any */
  task?: string;
}

/** Checks the manifest entry against the restoration I/O contract (see the file note). */
export function checkRestoreEntry(entry: ModelEntry, task?: string): { inputName: string; outputName: string } {
  const bad = (why: string) =>
    new LabError(
      'E_INVALID_INPUT',
      `Model "${entry.id}" (${entry.file}, task "${entry.task}") cannot be used as an image restoration model: ${why}. ` +
        'A restoration model takes one float32 grey image [N, 1, H, W] and returns one [N, 1, H, W].',
    );
  if (task && entry.task !== task) throw bad(`its task is "${entry.task}", not "${task}"`);
  if (entry.inputs.length !== 1) throw bad(`it has ${entry.inputs.length} inputs`);
  if (entry.outputs.length !== 1) throw bad(`it has ${entry.outputs.length} outputs`);
  for (const t of [entry.inputs[0], entry.outputs[0]]) {
    if (t.dtype !== 'float32' || t.shape.length !== 4) throw bad(`"${t.name}" is ${t.dtype} of rank ${t.shape.length}`);
    if (t.shape[1] !== 1) throw bad(`"${t.name}" has ${t.shape[1]} channels, not 1`);
  }
  return { inputName: entry.inputs[0].name, outputName: entry.outputs[0].name };
}

/**
 * Manifest model `id` with its pooled session, from `opts.modelsDir` alone when given, else from the shipped
 * models and the user's own (Note: Two model folders, infer/model-catalog.ts). E_NOT_FOUND names the id,
 * the folders and how to produce the model (`hint`: the training script); a missing file names itself and
 * the recorded training command.
 */
export async function openModelById(
  id: string,
  purpose: string,
  opts: { modelsDir?: string; providers?: string[]; hint?: string } = {},
): Promise<{ entry: ModelEntry; created: CreatedSession; dir: string }> {
  const catalog = await loadCatalog(opts.modelsDir ? { shippedDir: opts.modelsDir, userDir: null } : {});
  const hit = catalog.models.find((m) => m.entry.id === id);
  const manifestFile = path.join(catalog.shippedDir, MANIFEST_FILE);
  if (!hit) {
    const known = catalog.models.map((m) => m.entry.id).join(', ') || 'none';
    throw new LabError(
      'E_NOT_FOUND',
      `${purpose} needs model "${id}" (expected as ${path.join(catalog.shippedDir, `${id}.onnx`)}), but ${manifestFile} has no entry for it ` +
        `${catalog.userDir ? `and neither has your models folder ${catalog.userDir} ` : ''}(known models: ${known}). ` +
        `Train and export the model with the scripts under training/${opts.hint ? ` (${opts.hint})` : ''}, which add its file and manifest entry, ` +
        'or choose another method.',
      manifestFile,
    );
  }
  const { entry, dir } = hit;
  try {
    return { entry, dir, created: await getModelSession(id, { modelsDir: dir, providers: opts.providers }) };
  } catch (err) {
    if (err instanceof LabError && err.code === 'E_NOT_FOUND') {
      const file = path.join(dir, entry.file);
      throw new LabError(
        'E_NOT_FOUND',
        `${purpose} needs model "${id}" at ${file}, but that file is missing. Produce it with: ${entry.training.command} ` +
          `(the command recorded for it in ${path.join(dir, MANIFEST_FILE)}), or reinstall the app.`,
        file,
      );
    }
    throw err;
  }
}

/**
 * The restoration model `id`, verified and with its session (openModelById), checked against the
 * one-input restoration I/O contract. E_CORRUPT when the file's sha256 differs; E_RUNTIME when no execution
 * provider can run it.
 */
export async function openRestoreModel(id: string, opts: OpenRestoreModelOptions = {}): Promise<RestoreModel> {
  const { entry, created } = await openModelById(id, opts.purpose ?? 'This restoration', opts);
  return { entry, created, ...checkRestoreEntry(entry, opts.task), stride: entry.stride ?? 1 };
}

export interface RunRestoreOptions {
  /** largest tile side, px (default 1024: whole-image context for the usual SEM frame; see the note in deblur) */
  tile?: number;
  /** least tile overlap, px (default 64, rounded up to the stride) */
  overlap?: number;
  /** the image's sample type (its `meta`), for `unit-range` normalisation */
  type?: ImageType;
  /** the image's name for messages */
  label?: string;
}

export interface RestoreRun {
  /** the model's output in the input's scale (inverse normalisation applied), not clipped */
  data: Float32Array;
  applied: AppliedNormalisation;
  tiles: number;
  provider: string;
  tried: ProviderAttempt[];
  timingsMs: { normalise: number; infer: number };
}

/** Runs `model` over `img` (Note: Restoration I/O contract); progress per tile, cancellation between tiles. */
export async function runRestoreModel(model: RestoreModel, img: GreyImage, opts: RunRestoreOptions, ctx: TaskContext): Promise<RestoreRun> {
  const t0 = performance.now();
  const { entry, created, stride } = model;
  const norm = normaliseImage(img.data, entry.normalisation, opts.label ?? 'The image', opts.type);
  const t1 = performance.now();
  throwIfCancelled(ctx.signal);
  const tile = opts.tile ?? 1024;
  const overlap = Math.ceil((opts.overlap ?? 64) / stride) * stride;
  const tiled = await runTiled(
    created.session,
    [norm.data],
    img.width,
    img.height,
    { inputNames: [model.inputName], outputName: model.outputName, tile, overlap, stride },
    ctx,
  );
  if (tiled.channels.length !== 1) {
    throw new LabError('E_RUNTIME', `Model "${entry.id}" returned ${tiled.channels.length} channels; a restoration model returns 1.`);
  }
  const data = denormaliseImage(tiled.channels[0], norm.applied);
  const t2 = performance.now();
  return {
    data,
    applied: norm.applied,
    tiles: tiled.tiles,
    provider: created.provider,
    tried: created.tried,
    timingsMs: { normalise: t1 - t0, infer: t2 - t1 },
  };
}
