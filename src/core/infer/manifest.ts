/**
 * @file The model manifest (`models/manifest.json`): one entry per shipped ONNX file with its task, sha256,
 * input/output names and layouts, the normalisation the app must apply, how it was trained, and its
 * measured metrics. The app reads preprocessing from here instead of hard-coding it, and refuses a model
 * file whose bytes do not match the recorded sha256 (a half-copied install or an edited file would
 * otherwise give silently wrong displacements).
 *
 * Note: adding a model. Put the .onnx under models/, add an entry to `models` in manifest.json with the
 * file's sha256 and size, and (if the schema below lacks something the model needs) extend the schema here
 * rather than stashing it in `notes`. `manifestVersion` changes only when an existing field changes meaning.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LabError, toLabError } from '../errors';

/** Environment variable pointing at the models folder; packaged apps set it to `resources/models`. */
export const MODELS_DIR_ENV = 'LAB_MODELS_DIR';
export const MANIFEST_FILE = 'manifest.json';

const TensorSpecSchema = z.object({
  name: z.string().min(1),
  /** axis order, e.g. "NCHW"; N batch, C channels, H rows (y, down), W columns (x, right) */
  layout: z.string().min(1),
  dtype: z.enum(['float32', 'float16', 'int64', 'int32', 'uint8']),
  /** fixed sizes as integers, dynamic axes by name ("H", "W") */
  shape: z.array(z.union([z.number().int().positive(), z.string().min(1)])),
  description: z.string().optional(),
});

/**
 * How input pixels are mapped before the model sees them (and outputs mapped back). Kinds are a closed
 * list so that the app can implement each one; add a kind here together with its implementation.
 */
const NormalisationSchema = z.discriminatedUnion('kind', [
  /** raw values in, raw values out */
  z.object({ kind: z.literal('none'), notes: z.string().optional() }),
  /** x' = x * scale + offset on the input */
  z.object({ kind: z.literal('affine'), scale: z.number(), offset: z.number(), notes: z.string().optional() }),
  /** x' = (x - mean(x)) / (std(x) + eps), per image (or per pair, as notes say) */
  z.object({ kind: z.literal('per-image-meanstd'), eps: z.number().nonnegative(), notes: z.string().optional() }),
  /** x' = (x - min) / (max - min) per image; outputs mapped back by the same affine map */
  z.object({ kind: z.literal('per-image-minmax'), notes: z.string().optional() }),
  /**
   * x' = (x − lo) / (hi − lo), [lo, hi] the nominal range of the image's sample type (8-bit 0–255, 16-bit
   * 0–65535, ...), or min–max over the whole image for float images; outputs mapped back by the inverse.
   * For restoration nets trained on [0, 1] images: a fixed map keeps the absolute grey levels, which a
   * per-image min–max would stretch differently for every image (see normalise.ts).
   */
  z.object({ kind: z.literal('unit-range'), notes: z.string().optional() }),
]);

const MetricValueSchema = z.union([z.number(), z.string(), z.record(z.string(), z.union([z.number(), z.string()]))]);

export const ModelEntrySchema = z.object({
  /** stable id that code and result.json refer to, e.g. "selftest", "dic-flow-s" */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"'),
  /** what the model does, e.g. "selftest", "displacement", "deblur", "super-resolution" */
  task: z.string().min(1),
  /** file name relative to the models folder (no folders, so a manifest cannot point outside it) */
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'a plain .onnx file name inside the models folder'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  bytes: z.number().int().positive(),
  opset: z.number().int().positive(),
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
  normalisation: NormalisationSchema,
  training: z.object({
    /** command that reproduces the file from the repository root */
    command: z.string().min(1),
    hardware: z.string().min(1),
    notes: z.string().optional(),
  }),
  /** measured figures, e.g. {"epe_px": 0.05} or {"synthetic-test": {"rmse_px": 0.03}} */
  metrics: z.record(z.string(), MetricValueSchema),
  /** number of trainable parameters (weights and biases) */
  params: z.number().int().nonnegative(),
  /** input height and width must be multiples of this (fully convolutional nets with down-sampling) */
  stride: z.number().int().positive().optional(),
  /** largest displacement the model was trained for, px (trackers) */
  maxDisplacementPx: z.number().positive().optional(),
  notes: z.string().optional(),
});

export const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  models: z.array(ModelEntrySchema),
});

export type ModelEntry = z.output<typeof ModelEntrySchema>;
export type ModelManifest = z.output<typeof ManifestSchema>;

/**
 * The models folder: `LAB_MODELS_DIR` if set, else the nearest `models/` holding a manifest.json above this
 * module. Walking up (rather than a fixed "../../../models") keeps working both from src/core/infer under
 * tsx/vitest and from a bundled out/main/ under electron-vite.
 */
export function modelsDir(env: Record<string, string | undefined> = process.env): string {
  const override = env[MODELS_DIR_ENV];
  if (override && override.trim() !== '') return path.resolve(override);
  const here = import.meta.dirname ?? path.dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, MANIFEST_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new LabError(
    'E_NOT_FOUND',
    `Could not find a models folder with ${MANIFEST_FILE} above ${here}; set ${MODELS_DIR_ENV} to the folder that holds the .onnx files.`,
  );
}

/** Reads and validates `manifest.json` in `dir`. Duplicate ids or files are refused as well. */
export async function loadManifest(dir: string = modelsDir()): Promise<ModelManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw toLabError(err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LabError('E_CORRUPT', `The model manifest ${file} is not valid JSON: ${(err as Error).message}`, file);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new LabError('E_CORRUPT', `The model manifest ${file} does not match the expected schema (${issues}).`, file);
  }
  for (const key of ['id', 'file'] as const) {
    const seen = new Set<string>();
    for (const m of parsed.data.models) {
      if (seen.has(m[key])) {
        throw new LabError('E_CORRUPT', `The model manifest ${file} lists ${key} "${m[key]}" twice; each must be unique.`, file);
      }
      seen.add(m[key]);
    }
  }
  return parsed.data;
}

/** The entry with this id, or E_NOT_FOUND listing the ids that exist. */
export function findModel(manifest: ModelManifest, id: string): ModelEntry {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) {
    const known = manifest.models.map((m) => m.id).join(', ') || 'none';
    throw new LabError('E_NOT_FOUND', `No model "${id}" in the model manifest (known: ${known}).`);
  }
  return entry;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface VerifiedModel {
  entry: ModelEntry;
  path: string;
  /** the bytes that were hashed; create the session from these so what runs is what was checked */
  bytes: Uint8Array;
}

/**
 * Reads the entry's file from `dir` and checks its sha256 (and size) against the manifest. A missing file
 * is E_NOT_FOUND, different bytes E_CORRUPT; both name the file.
 */
export async function verifyModelFile(entry: ModelEntry, dir: string = modelsDir()): Promise<VerifiedModel> {
  const file = path.join(dir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    const e = toLabError(err);
    if (e.code === 'E_NOT_FOUND') {
      throw new LabError('E_NOT_FOUND', `The model file ${file} (model "${entry.id}") is missing; reinstall the app or restore the file.`, file);
    }
    throw e;
  }
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new LabError(
      'E_CORRUPT',
      `The model file ${file} (model "${entry.id}") does not match the manifest: sha256 ${actual} (${bytes.length} bytes), ` +
        `expected ${entry.sha256} (${entry.bytes} bytes). The file is damaged or was replaced; reinstall it or regenerate it with: ${entry.training.command}`,
      file,
    );
  }
  return { entry, path: file, bytes };
}

/** Manifest lookup and verification in one step: the verified bytes of model `id`. */
export async function resolveModel(id: string, dir: string = modelsDir()): Promise<VerifiedModel> {
  const manifest = await loadManifest(dir);
  return verifyModelFile(findModel(manifest, id), dir);
}
