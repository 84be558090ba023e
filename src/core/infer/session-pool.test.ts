import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { modelsDir } from './manifest';
import { disposeAll, disposeOtherProviders, getModelSession, getSession, poolSize } from './session-pool';

const MODEL = path.join(modelsDir(), 'selftest.onnx');

afterEach(async () => {
  await disposeAll();
});

describe('session pool', () => {
  it('creates a session once and returns the same object afterwards', async () => {
    const [a, b] = await Promise.all([getSession(MODEL, { providers: ['cpu'] }), getSession(MODEL, { providers: ['cpu'] })]);
    const c = await getSession(path.relative(process.cwd(), MODEL), { providers: ['cpu'] });
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(c.session).toBe(a.session);
    expect(poolSize()).toBe(1);
  });

  it('keys sessions by provider list as well as path', async () => {
    const a = await getSession(MODEL, { providers: ['cpu'] });
    const b = await getSession(MODEL, { providers: ['bogus', 'cpu'] });
    expect(b).not.toBe(a);
    expect(b.tried[0]).toMatchObject({ name: 'bogus', ok: false });
    expect(poolSize()).toBe(2);
  });

  it('releases the sessions of other provider orders after a provider change, keeping the current ones', async () => {
    const keep = await getSession(MODEL, { providers: ['cpu'] });
    const keepById = await getModelSession('selftest', { providers: ['cpu'] });
    await getSession(MODEL, { providers: ['bogus', 'cpu'] });
    await getModelSession('selftest', { providers: ['bogus', 'cpu'] });
    expect(poolSize()).toBe(4);
    expect(await disposeOtherProviders(['cpu'])).toBe(2);
    expect(poolSize()).toBe(2);
    expect(await getSession(MODEL, { providers: ['cpu'] })).toBe(keep);
    expect(await getModelSession('selftest', { providers: ['cpu'] })).toBe(keepById);
    // The released order is created afresh when asked for again.
    await getSession(MODEL, { providers: ['bogus', 'cpu'] });
    expect(poolSize()).toBe(3);
  });

  it('starts afresh after disposeAll', async () => {
    const a = await getSession(MODEL, { providers: ['cpu'] });
    await disposeAll();
    expect(poolSize()).toBe(0);
    const b = await getSession(MODEL, { providers: ['cpu'] });
    expect(b).not.toBe(a);
  });

  it('does not cache a failed creation', async () => {
    const missing = path.join(modelsDir(), 'absent.onnx');
    await expect(getSession(missing, { providers: ['cpu'] })).rejects.toBeInstanceOf(LabError);
    await Promise.resolve();
    expect(poolSize()).toBe(0);
  });

  it('serves manifest models by id from their verified bytes', async () => {
    const a = await getModelSession('selftest', { providers: ['cpu'] });
    const b = await getModelSession('selftest', { providers: ['cpu'] });
    expect(b).toBe(a);
    expect(a.label).toBe(MODEL);
    expect(a.provider).toBe('cpu');
  });
});
