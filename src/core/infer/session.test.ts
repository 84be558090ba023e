import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { modelsDir } from './manifest';
import { selftestReference } from './probe';
import { createSession, type CreatedSession } from './session';

const MODEL = path.join(modelsDir(), 'selftest.onnx');
const opened: CreatedSession[] = [];
afterAll(async () => {
  for (const s of opened) await s.session.release();
});

async function expectLabError(p: Promise<unknown>, code: string): Promise<LabError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  return err as LabError;
}

/** Seeded pseudo-random image (LCG), so failures reproduce. */
function randomImage(width: number, height: number, seed = 42): Float32Array {
  const x = new Float32Array(width * height);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 200 - 50;
  }
  return x;
}

describe('createSession', () => {
  it('runs the self-test model on CPU and matches the 3x3 correlation computed in JS', async () => {
    const created = await createSession(MODEL, { providers: ['cpu'] });
    opened.push(created);
    expect(created.provider).toBe('cpu');
    expect(created.tried).toEqual([{ name: 'cpu', ok: true }]);
    expect(created.session.inputNames).toEqual(['x']);
    expect(created.session.outputNames).toEqual(['y']);
    // Non-square and odd-sized, exercising the dynamic H/W axes and the zero-padded border.
    const [w, h] = [13, 9];
    const x = randomImage(w, h);
    const out = await created.session.run({ x: new ort.Tensor('float32', x, [1, 1, h, w]) });
    expect(out.y.dims).toEqual([1, 1, h, w]);
    const got = out.y.data as Float32Array;
    const want = selftestReference(x, w, h);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
  });

  it('falls back past a provider that does not exist and records why it failed', async () => {
    const created = await createSession(MODEL, { providers: ['bogus', 'cpu'] });
    opened.push(created);
    expect(created.provider).toBe('cpu');
    expect(created.tried).toHaveLength(2);
    expect(created.tried[0]).toMatchObject({ name: 'bogus', ok: false });
    expect(created.tried[0].error).toMatch(/bogus/);
    expect(created.tried[1]).toEqual({ name: 'cpu', ok: true });
  });

  it('falls back from cuda to cpu where the CUDA libraries are absent', async () => {
    const created = await createSession(MODEL, { providers: ['cuda', 'cpu'] });
    opened.push(created);
    if (created.provider === 'cuda') {
      // A machine with a working CUDA install: nothing to fall back from.
      expect(created.tried).toEqual([{ name: 'cuda', ok: true }]);
      return;
    }
    expect(created.provider).toBe('cpu');
    expect(created.tried[0].name).toBe('cuda');
    expect(created.tried[0].ok).toBe(false);
    expect(created.tried[0].error).toMatch(/\S/);
  });

  it('accepts the model as bytes, labelled for messages', async () => {
    const bytes = new Uint8Array(await readFile(MODEL));
    const created = await createSession(bytes, { providers: ['cpu'], label: 'selftest bytes' });
    opened.push(created);
    expect(created.label).toBe('selftest bytes');
    expect(created.provider).toBe('cpu');
  });

  it('moves on when the verify hook rejects a provider', async () => {
    const created = await createSession(MODEL, {
      providers: ['cpu', 'cpu'],
      verify: (() => {
        let first = true;
        return () => {
          if (first) {
            first = false;
            throw new Error('wrong answer');
          }
        };
      })(),
    });
    opened.push(created);
    expect(created.tried[0]).toMatchObject({ name: 'cpu', ok: false });
    expect(created.tried[0].error).toMatch(/failed the check: wrong answer/);
    expect(created.tried[1]).toEqual({ name: 'cpu', ok: true });
  });

  it('throws E_RUNTIME naming the model and every provider error when none works', async () => {
    const err = await expectLabError(createSession(MODEL, { providers: ['bogus', 'nonesuch'] }), 'E_RUNTIME');
    expect(err.message).toContain(MODEL);
    expect(err.message).toMatch(/bogus: .*bogus.*; nonesuch: .*nonesuch/);
    expect(err.file).toBe(MODEL);
  });

  it('throws E_RUNTIME for bytes that are not an ONNX model', async () => {
    const err = await expectLabError(
      createSession(new TextEncoder().encode('not a model'), { providers: ['cpu'], label: 'junk.onnx' }),
      'E_RUNTIME',
    );
    expect(err.message).toMatch(/junk\.onnx.*cpu: /);
  });

  it('throws E_NOT_FOUND naming a missing model file', async () => {
    const missing = path.join(modelsDir(), 'no-such-model.onnx');
    const err = await expectLabError(createSession(missing, { providers: ['cpu'] }), 'E_NOT_FOUND');
    expect(err.message).toContain(missing);
    expect(err.file).toBe(missing);
  });

  it('refuses an empty provider list', async () => {
    await expectLabError(createSession(MODEL, { providers: [] }), 'E_INVALID_INPUT');
  });
});
