/**
 * @file Opening a CNN tracker model: find it in the manifest, check that it follows the tracker I/O
 * contract, and get its ONNX Runtime session from the pool (session-pool.ts: created once per model and
 * provider list in this process, GPU provider first with CPU fallback, from the sha256-verified bytes).
 * A missing model or file becomes a LabError that names the model id, the expected file and the command
 * that produces it, rather than a crash deep inside ONNX Runtime.
 *
 * Note: Tracker I/O contract. Inputs `ref` and `def`, float32 [N, 1, H, W], each normalised on its own as
 * the manifest's `normalisation` says (normalise.ts); H and W multiples of the manifest's `stride`; output
 * `flow`, float32 [N, 2, H, W], channel 0 = u (px, along columns), channel 1 = v (px, along rows), with
 * I_def(x + u) = I_ref(x) (Note: Tracking convention, types.ts). `maxDisplacementPx` is the range the
 * model was trained for.
 */
import path from 'node:path';
import { LabError } from '../errors';
import { MANIFEST_FILE, type ModelEntry } from '../infer/manifest';
import { loadCatalog } from '../infer/model-catalog';
import { getModelSession } from '../infer/session-pool';
import type { CreatedSession } from '../infer/session';

export interface TrackerModel {
  entry: ModelEntry;
  created: CreatedSession;
  /** input and output names, as the manifest gives them */
  refName: string;
  defName: string;
  flowName: string;
  stride: number;
}

export interface OpenTrackerOptions {
  /** models folder; default `modelsDir()` */
  modelsDir?: string;
  /** execution providers to try; default `providerOrder()` */
  providers?: string[];
}

function notATracker(entry: ModelEntry, why: string): LabError {
  return new LabError(
    'E_INVALID_INPUT',
    `Model "${entry.id}" (${entry.file}, task "${entry.task}") cannot be used as a displacement tracker: ${why}. ` +
      'A tracker takes float32 inputs "ref" and "def" [N, 1, H, W] and returns "flow" [N, 2, H, W]; pick a tracker model.',
  );
}

/** Checks the manifest entry against the tracker I/O contract (see the file note). */
export function checkTrackerEntry(entry: ModelEntry): { refName: string; defName: string; flowName: string } {
  const input = (name: string) => entry.inputs.find((t) => t.name === name);
  const ref = input('ref');
  const def = input('def');
  const flow = entry.outputs.find((t) => t.name === 'flow');
  if (!ref || !def) throw notATracker(entry, `its inputs are ${entry.inputs.map((t) => `"${t.name}"`).join(', ')}`);
  if (!flow) throw notATracker(entry, `its outputs are ${entry.outputs.map((t) => `"${t.name}"`).join(', ')}`);
  for (const t of [ref, def, flow]) {
    if (t.dtype !== 'float32' || t.shape.length !== 4) throw notATracker(entry, `"${t.name}" is ${t.dtype} of rank ${t.shape.length}`);
  }
  if (ref.shape[1] !== 1 || def.shape[1] !== 1) throw notATracker(entry, 'its inputs do not have one channel');
  if (flow.shape[1] !== 2) throw notATracker(entry, `"flow" has ${flow.shape[1]} channels, not 2`);
  return { refName: ref.name, defName: def.name, flowName: flow.name };
}

/**
 * The tracker model `id`, verified and with its session. E_NOT_FOUND (naming the id, the file expected
 * and how to produce it) when the manifest lacks the model or its file is missing; E_CORRUPT when the
 * file's sha256 differs; E_RUNTIME when no execution provider can run it.
 */
export async function openTrackerModel(id: string, opts: OpenTrackerOptions = {}): Promise<TrackerModel> {
  // An explicit folder (tests, LAB_MODELS_DIR setups) is the only place looked in; otherwise the shipped
  // models and the user's fine-tuned ones (Note: Two model folders, model-catalog.ts).
  const catalog = await loadCatalog(opts.modelsDir ? { shippedDir: opts.modelsDir, userDir: null } : {});
  const hit = catalog.models.find((m) => m.entry.id === id);
  const dir = hit?.dir ?? catalog.shippedDir;
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!hit) {
    const known = catalog.models.map((m) => m.entry.id).join(', ') || 'none';
    throw new LabError(
      'E_NOT_FOUND',
      `The CNN tracker needs model "${id}" (expected as ${path.join(dir, `${id}.onnx`)}), but ${manifestFile} has no entry for it ` +
        `(known models: ${known}). Train and export the model with the scripts under training/, which add its file and manifest entry, ` +
        'fine-tune one into your models folder with training/finetune.py, or choose another model.',
      manifestFile,
    );
  }
  const entry: ModelEntry = hit.entry;
  const names = checkTrackerEntry(entry);
  let created: CreatedSession;
  try {
    created = await getModelSession(id, { modelsDir: dir, providers: opts.providers });
  } catch (err) {
    if (err instanceof LabError && err.code === 'E_NOT_FOUND') {
      const file = path.join(dir, entry.file);
      throw new LabError(
        'E_NOT_FOUND',
        `The CNN tracker model "${id}" should be at ${file}, but that file is missing. Produce it with: ${entry.training.command} ` +
          `(the command recorded for it in ${manifestFile}), or reinstall the app.`,
        file,
      );
    }
    throw err;
  }
  return { entry, created, ...names, stride: entry.stride ?? 1 };
}

/**
 * Tile overlap for a model when the user leaves it at 0 (auto): enough for the network's own context
 * (64 px covers the receptive-field margin of the small U-Net-like trackers) plus twice the largest
 * displacement it was trained for (content that moved that far must be inside the tile on both sides),
 * rounded up to the stride.
 */
export function autoOverlap(entry: ModelEntry): number {
  const stride = entry.stride ?? 1;
  const want = 64 + 2 * Math.ceil(entry.maxDisplacementPx ?? 16);
  return Math.ceil(want / stride) * stride;
}
