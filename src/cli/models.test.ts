/**
 * @file `lab models` as a user runs it: the shipped models and a fine-tuned model in the user models folder
 * (LAB_USER_MODELS_DIR) are listed, `--verify` re-hashes them, and a damaged user model makes it exit 1
 * naming the file.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../core/infer/manifest';

const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');
const SELFTEST = resolve(import.meta.dirname, '..', '..', 'models', 'selftest.onnx');

function lab(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-models-cli-'));
  const bytes = await readFile(SELFTEST);
  await copyFile(SELFTEST, join(dir, 'my-model-ft-1.onnx'));
  const io = (name: string) => ({ name, layout: 'NCHW', dtype: 'float32', shape: [1, 1, 'H', 'W'] });
  const entry = {
    id: 'my-model-ft-1', task: 'selftest', file: 'my-model-ft-1.onnx', sha256: sha256Hex(new Uint8Array(bytes)), bytes: bytes.length, opset: 17,
    inputs: [io('x')], outputs: [io('y')], normalisation: { kind: 'none' }, training: { command: 'finetune', hardware: 'CPU, test' }, metrics: {}, params: 10,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ manifestVersion: 1, models: [entry] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab models', () => {
  it('lists shipped and user models, verified', () => {
    const r = lab({ LAB_USER_MODELS_DIR: dir }, 'models', '--json', '--verify');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const byId = Object.fromEntries(out.models.map((m: { id: string }) => [m.id, m]));
    expect(byId['selftest']).toMatchObject({ source: 'shipped', verified: 'ok' });
    expect(byId['my-model-ft-1']).toMatchObject({ source: 'user', verified: 'ok', hardware: 'CPU, test' });
    expect(out.userDir).toBe(resolve(dir));
  });

  it('exits 1 naming the file when a user model is damaged', async () => {
    await writeFile(join(dir, 'my-model-ft-1.onnx'), 'not the model');
    const r = lab({ LAB_USER_MODELS_DIR: dir }, 'models', '--verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(join(dir, 'my-model-ft-1.onnx'));
    expect(r.out).toMatch(/does not match the manifest/);
  });
});
