/**
 * The model catalog (model-catalog.ts): the user's fine-tuned models are listed beside the shipped ones and
 * found by id, without ever shadowing a shipped id; a broken user manifest is reported, not fatal; and a
 * CNN tracker run picks a user model up by id with no models folder given (as `lab track --model` does).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { quietContext } from '../progress';
import { simulatePair } from '../synth';
import { FIXTURE_MODELS } from '../track/cnn-test-support';
import { trackField } from '../track/track-field';
import { modelsDir, sha256Hex } from './manifest';
import { loadCatalog, locateModel, USER_MODELS_DIR_ENV, userModelsDir } from './model-catalog';
import { disposeAll } from './session-pool';

let root: string;
let userDir: string;

/** A user models folder holding the tiling test model as tracker "dicnet-s-ft-test" (and `extra` entries). */
async function writeUserFolder(dir: string, extra: object[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  const bytes = await readFile(path.join(FIXTURE_MODELS, 'tiling-test.onnx'));
  await copyFile(path.join(FIXTURE_MODELS, 'tiling-test.onnx'), path.join(dir, 'dicnet-s-ft-test.onnx'));
  const io = (name: string, c: number) => ({ name, layout: 'NCHW', dtype: 'float32', shape: ['N', c, 'H', 'W'] });
  const entry = {
    id: 'dicnet-s-ft-test',
    task: 'displacement',
    file: 'dicnet-s-ft-test.onnx',
    sha256: sha256Hex(new Uint8Array(bytes)),
    bytes: bytes.length,
    opset: 17,
    inputs: [io('ref', 1), io('def', 1)],
    outputs: [io('flow', 2)],
    normalisation: { kind: 'per-image-meanstd', eps: 1e-6 },
    training: { command: '/usr/bin/python3 training/finetune.py --pairs-dir X', hardware: 'none' },
    metrics: {},
    params: 52,
    stride: 8,
    maxDisplacementPx: 4,
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ manifestVersion: 1, models: [entry, ...extra] }));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'lab-catalog-'));
  userDir = path.join(root, 'user-models');
  await writeUserFolder(userDir);
});
afterAll(async () => {
  await disposeAll();
  await rm(root, { recursive: true, force: true });
});

describe('userModelsDir', () => {
  it('honours LAB_USER_MODELS_DIR, else lives under the app data folder', () => {
    expect(userModelsDir({ [USER_MODELS_DIR_ENV]: '/x/y' })).toBe(path.resolve('/x/y'));
    expect(userModelsDir({ LAB_DATA_DIR: '/data/lab' })).toBe(path.join('/data/lab', 'models'));
  });
});

describe('loadCatalog', () => {
  it('lists shipped models first, then the user models, each with its folder', async () => {
    const cat = await loadCatalog({ userDir });
    const shipped = cat.models.filter((m) => m.source === 'shipped').map((m) => m.entry.id);
    expect(shipped).toContain('selftest');
    const user = cat.models.filter((m) => m.source === 'user');
    expect(user.map((m) => m.entry.id)).toEqual(['dicnet-s-ft-test']);
    expect(user[0].dir).toBe(path.resolve(userDir));
    expect(cat.models.findIndex((m) => m.source === 'user')).toBe(shipped.length);
    expect(cat.problems).toEqual([]);
    expect(locateModel(cat, 'dicnet-s-ft-test').source).toBe('user');
  });

  it('treats a missing user folder as empty and refuses an unknown id naming both folders', async () => {
    const cat = await loadCatalog({ userDir: path.join(root, 'nowhere') });
    expect(cat.models.every((m) => m.source === 'shipped')).toBe(true);
    const err = (() => {
      try {
        locateModel(cat, 'nonesuch');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain(path.join(root, 'nowhere'));
    expect((err as LabError).message).toContain(modelsDir());
  });

  it('never lets a user model shadow a shipped id, and says so', async () => {
    const dir = path.join(root, 'shadow');
    await writeUserFolder(dir, [{ id: 'selftest', task: 'x', file: 'selftest.onnx', sha256: '0'.repeat(64), bytes: 1, opset: 17, inputs: [{ name: 'x', layout: 'NCHW', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', layout: 'NCHW', dtype: 'float32', shape: [1] }], normalisation: { kind: 'none' }, training: { command: 'c', hardware: 'h' }, metrics: {}, params: 1 }]);
    const cat = await loadCatalog({ userDir: dir });
    const hit = locateModel(cat, 'selftest');
    expect(hit.source).toBe('shipped');
    expect(cat.problems.join(' ')).toMatch(/"selftest".*shipped model/);
  });

  it('reports a broken user manifest without losing the shipped models', async () => {
    const dir = path.join(root, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), '{"manifestVersion": 1, "models": [');
    const cat = await loadCatalog({ userDir: dir });
    expect(cat.models.length).toBeGreaterThan(0);
    expect(cat.models.every((m) => m.source === 'shipped')).toBe(true);
    expect(cat.problems).toHaveLength(1);
    expect(cat.problems[0]).toContain(path.join(dir, 'manifest.json'));
  });
});

describe('a CNN tracker run with a user model', () => {
  it('finds the fine-tuned model by id in the user folder and records it', async () => {
    const before = process.env[USER_MODELS_DIR_ENV];
    process.env[USER_MODELS_DIR_ENV] = userDir;
    try {
      const pair = await simulatePair(
        { width: 96, height: 80, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 1, uy: 0 }, seed: 3 },
        quietContext(),
      );
      const field = await trackField([pair.reference], [pair.deformed], { method: 'cnn-dic', options: { model: 'dicnet-s-ft-test' }, step: 8 }, quietContext());
      expect(field.modelId).toBe('dicnet-s-ft-test');
      expect(field.width).toBe(96);
    } finally {
      if (before === undefined) delete process.env[USER_MODELS_DIR_ENV];
      else process.env[USER_MODELS_DIR_ENV] = before;
    }
  });
});
