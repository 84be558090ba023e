/**
 * @file Test support for the CNN tracker tests (not used by the app): whether a shipped model is present,
 * a temporary models folder that registers the tiling test model (test/fixtures/models/tiling-test.onnx)
 * as a tracker so the plumbing can be tested without trained weights, and error figures of a field
 * against a constant ground truth.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadManifest, type ModelEntry, modelsDir, sha256Hex } from '../infer/manifest';
import type { DisplacementField } from './types';

export const FIXTURE_MODELS = path.resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'models');

/** The shipped manifest entry and file of model `id`, and why it cannot be tested (null if it can). */
export async function shippedModel(id: string): Promise<{ entry: ModelEntry | null; file: string; missing: string | null }> {
  const dir = modelsDir();
  const manifest = await loadManifest(dir);
  const entry = manifest.models.find((m) => m.id === id) ?? null;
  const file = path.join(dir, entry?.file ?? `${id}.onnx`);
  if (!entry) return { entry, file, missing: `models/manifest.json has no entry "${id}" (expected file ${file})` };
  if (!existsSync(file)) return { entry, file, missing: `${file} is missing` };
  return { entry, file, missing: null };
}

/**
 * A temporary models folder with the shipped manifest plus "tiling-test" registered as a tracker (stride 8,
 * ±4 px, per-image mean/std); `extra` entries (e.g. with a missing file) are appended as given.
 */
export async function testModelsDir(extra: object[] = []): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-cnn-models-'));
  const src = modelsDir();
  const manifest = JSON.parse(await readFile(path.join(src, 'manifest.json'), 'utf8'));
  for (const m of manifest.models) if (existsSync(path.join(src, m.file))) await copyFile(path.join(src, m.file), path.join(dir, m.file));
  const bytes = await readFile(path.join(FIXTURE_MODELS, 'tiling-test.onnx'));
  await writeFile(path.join(dir, 'tiling-test.onnx'), bytes);
  const io = (name: string, c: number) => ({ name, layout: 'NCHW', dtype: 'float32', shape: ['N', c, 'H', 'W'] });
  manifest.models.push(
    {
      id: 'tiling-test',
      task: 'displacement',
      file: 'tiling-test.onnx',
      sha256: sha256Hex(new Uint8Array(bytes)),
      bytes: bytes.length,
      opset: 17,
      inputs: [io('ref', 1), io('def', 1)],
      outputs: [io('flow', 2)],
      normalisation: { kind: 'per-image-meanstd', eps: 1e-6 },
      training: { command: '/usr/bin/python3 training/fixtures/make_tiling_test_model.py', hardware: 'none' },
      metrics: {},
      params: 52,
      stride: 8,
      maxDisplacementPx: 4,
    },
    ...extra,
  );
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export interface ShiftErrors {
  biasU: number;
  biasV: number;
  rmseU: number;
  rmseV: number;
  /** largest |error| of either component */
  maxAbs: number;
  /** valid points / measured points */
  valid: number;
  n: number;
}

/** Errors of the grid values of `field` against the constant shift (u0, v0), over points `border` px inside. */
export function shiftErrors(field: DisplacementField, u0: number, v0: number, border = 0): ShiftErrors {
  const { x0, y0, step, nx, ny } = field.grid;
  let n = 0, su = 0, sv = 0, suu = 0, svv = 0, maxAbs = 0, all = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * step;
      const y = y0 + j * step;
      if (x < border || y < border || x >= field.width - border || y >= field.height - border) continue;
      all++;
      const eu = field.gridU[j * nx + i] - u0;
      const ev = field.gridV[j * nx + i] - v0;
      if (!(Number.isFinite(eu) && Number.isFinite(ev))) continue;
      n++;
      su += eu;
      sv += ev;
      suu += eu * eu;
      svv += ev * ev;
      maxAbs = Math.max(maxAbs, Math.abs(eu), Math.abs(ev));
    }
  }
  return { biasU: su / n, biasV: sv / n, rmseU: Math.sqrt(suu / n), rmseV: Math.sqrt(svv / n), maxAbs, valid: n / Math.max(1, all), n };
}

export function formatErrors(e: ShiftErrors): string {
  const f = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(4);
  return `bias u ${f(e.biasU)} v ${f(e.biasV)}  RMSE u ${e.rmseU.toFixed(4)} v ${e.rmseV.toFixed(4)}  max|e| ${e.maxAbs.toFixed(4)} px  valid ${(100 * e.valid).toFixed(1)}% of ${e.n}`;
}
