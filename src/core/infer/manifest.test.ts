import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { findModel, loadManifest, ModelEntrySchema, MODELS_DIR_ENV, modelsDir, resolveModel, sha256Hex, verifyModelFile } from './manifest';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lab-manifest-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A copy of the shipped models folder that a test may damage. */
async function copyModels(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(modelsDir(), dir, { recursive: true });
  return dir;
}

async function expectLabError(p: Promise<unknown>, code: string): Promise<LabError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  return err as LabError;
}

describe('model manifest', () => {
  it('finds models/ above this module, or where LAB_MODELS_DIR says', () => {
    expect(path.basename(modelsDir({}))).toBe('models');
    expect(modelsDir({ [MODELS_DIR_ENV]: '/opt/lab/resources/models' })).toBe('/opt/lab/resources/models');
  });

  it('validates the shipped manifest and its sha256 matches the shipped self-test model', async () => {
    const manifest = await loadManifest();
    const entry = findModel(manifest, 'selftest');
    expect(entry).toMatchObject({ file: 'selftest.onnx', opset: 17, normalisation: { kind: 'none' } });
    expect(entry.inputs[0]).toMatchObject({ name: 'x', layout: 'NCHW', dtype: 'float32', shape: [1, 1, 'H', 'W'] });
    const file = path.join(modelsDir(), entry.file);
    const bytes = new Uint8Array(await readFile(file));
    expect(sha256Hex(bytes)).toBe(entry.sha256);
    expect((await stat(file)).size).toBe(entry.bytes);
    const verified = await verifyModelFile(entry);
    expect(verified.path).toBe(file);
    expect(verified.bytes).toEqual(bytes);
  });

  it('refuses a model file whose bytes were altered (E_CORRUPT naming the file)', async () => {
    const dir = await copyModels('tampered');
    const file = path.join(dir, 'selftest.onnx');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0x01; // a single bit
    await writeFile(file, bytes);
    const err = await expectLabError(resolveModel('selftest', dir), 'E_CORRUPT');
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/does not match the manifest/);
  });

  it('reports a missing model file as E_NOT_FOUND', async () => {
    const dir = await copyModels('missing');
    await rm(path.join(dir, 'selftest.onnx'));
    const err = await expectLabError(resolveModel('selftest', dir), 'E_NOT_FOUND');
    expect(err.message).toContain(path.join(dir, 'selftest.onnx'));
  });

  it('reports an unknown model id with the ids that exist', async () => {
    const manifest = await loadManifest();
    expect(() => findModel(manifest, 'nope')).toThrowError(/No model "nope".*selftest/);
  });

  it('refuses a manifest that breaks the schema or repeats an id', async () => {
    const dir = await copyModels('bad-schema');
    const file = path.join(dir, 'manifest.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.models[0].sha256 = 'ABC';
    await writeFile(file, JSON.stringify(json));
    const err = await expectLabError(loadManifest(dir), 'E_CORRUPT');
    expect(err.message).toMatch(/models\.0\.sha256/);

    json.models[0].sha256 = '0'.repeat(64);
    json.models.push({ ...json.models[0], file: 'other.onnx' });
    await writeFile(file, JSON.stringify(json));
    expect((await expectLabError(loadManifest(dir), 'E_CORRUPT')).message).toMatch(/id "selftest" twice/);

    await writeFile(file, '{ not json');
    expect((await expectLabError(loadManifest(dir), 'E_CORRUPT')).message).toMatch(/not valid JSON/);
  });

  it('accepts the unit-range normalisation kind and refuses an unknown one', async () => {
    const entry = findModel(await loadManifest(), 'selftest');
    const ok = ModelEntrySchema.safeParse({ ...entry, normalisation: { kind: 'unit-range', notes: '8-bit 0–255 → 0–1' } });
    expect(ok.success).toBe(true);
    expect(ModelEntrySchema.safeParse({ ...entry, normalisation: { kind: 'unit-rnage' } }).success).toBe(false);
  });
});
