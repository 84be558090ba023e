/**
 * @file Fast single-pass super-resolution nets (FSRCNN / ESPCN style, one ONNX file per scale): low-
 * resolution image `lr` in, `sr` s times larger out, trained for one fixed degradation (bicubic down-
 * sampling), so no kernel or noise level can be given. Run tile by tile with the scaled-output mode of
 * infer/tiling.ts, normalised by the manifest (`unit-range`) and mapped back to the input's scale.
 *
 * Note: Fast SR model lookup. Models are found in the manifest by task "super-resolution" and an id of
 * the form `<family>-x<s>` (e.g. fsrcnn-x2, espcn-x4); the USRNet parts (usrnet-*) are not fast nets.
 * The user may ask for `espcn` or `fsrcnn`: the requested family is used when it has the scale, otherwise
 * whichever fast family the project shipped for that scale (they do the same job; result.json records
 * the model actually used). No fast net for the scale is an E_NOT_FOUND listing what exists.
 */
import path from 'node:path';
import { LabError } from '../../errors';
import { loadManifest, modelsDir } from '../../infer/manifest';
import { denormaliseImage, normaliseImage, type AppliedNormalisation, type ImageType } from '../../infer/normalise';
import { runTiled } from '../../infer/tiling';
import { type TaskContext, throwIfCancelled } from '../../progress';
import { openRestoreModel, type RestoreModel } from '../model';

export const FAST_FAMILIES = ['espcn', 'fsrcnn'] as const;
export type FastFamily = (typeof FAST_FAMILIES)[number];
export const SR_TASK = 'super-resolution';

/** The fast-net id to use for `family` at `scale` (Note: Fast SR model lookup). */
export async function findFastModelId(family: FastFamily, scale: number, dir: string = modelsDir()): Promise<string> {
  const manifest = await loadManifest(dir);
  const fast = manifest.models
    .filter((m) => m.task === SR_TASK && !m.id.startsWith('usrnet'))
    .map((m) => ({ id: m.id, match: /^([a-z0-9]+)[-_]x(\d+)$/.exec(m.id) }))
    .filter((m) => m.match)
    .map((m) => ({ id: m.id, family: m.match![1], scale: Number(m.match![2]) }));
  const same = fast.find((m) => m.family === family && m.scale === scale);
  if (same) return same.id;
  const other = fast.find((m) => m.scale === scale);
  if (other) return other.id;
  const have = fast.map((m) => m.id).join(', ') || 'none';
  throw new LabError(
    'E_NOT_FOUND',
    `No fast super-resolution net for ×${scale} is installed (${path.join(dir, 'manifest.json')} lists fast nets: ${have}). ` +
      'Use --method usrnet or bicubic, or train and export one with training/train_fastsr.py.',
  );
}

/** Opens the fast net for `family` and `scale` (Note: Fast SR model lookup). */
export async function openFastSr(family: FastFamily, scale: number, opts: { modelsDir?: string; providers?: string[] } = {}): Promise<RestoreModel> {
  const dir = path.resolve(opts.modelsDir ?? modelsDir());
  const id = await findFastModelId(family, scale, dir);
  return openRestoreModel(id, { modelsDir: dir, providers: opts.providers, task: SR_TASK, purpose: `Fast super-resolution ×${scale} (${family})` });
}

export interface FastSrResult {
  /** s× larger, in the input's scale (inverse normalisation applied, not clipped) */
  data: Float32Array;
  width: number;
  height: number;
  applied: AppliedNormalisation;
  tiles: number;
  provider: string;
  timingsMs: { infer: number };
}

/** Runs the fast net over `img`, tile by tile on the low-resolution grid (tile/overlap in input px). */
export async function runFastSr(
  model: RestoreModel,
  img: { width: number; height: number; data: Float32Array },
  type: ImageType,
  scale: number,
  ctx: TaskContext,
  opts: { tile?: number; overlap?: number; label?: string } = {},
): Promise<FastSrResult> {
  const norm = normaliseImage(img.data, model.entry.normalisation, opts.label ?? 'The image', type);
  throwIfCancelled(ctx.signal);
  const t0 = performance.now();
  const overlap = Math.ceil((opts.overlap ?? 16) / model.stride) * model.stride;
  const out = await runTiled(
    model.created.session,
    [norm.data],
    img.width,
    img.height,
    { inputNames: [model.inputName], outputName: model.outputName, tile: opts.tile ?? 512, overlap, stride: model.stride, outputScale: scale },
    ctx,
  );
  if (out.channels.length !== 1) throw new LabError('E_RUNTIME', `Model "${model.entry.id}" returned ${out.channels.length} channels; a super-resolution net returns 1.`);
  return {
    data: denormaliseImage(out.channels[0], norm.applied),
    width: img.width * scale,
    height: img.height * scale,
    applied: norm.applied,
    tiles: out.tiles,
    provider: model.created.provider,
    timingsMs: { infer: performance.now() - t0 },
  };
}
