/**
 * @file Settings calls through the real dispatch (contract validation included): defaults without a file,
 * a patch written atomically and read back, bad input refused, a broken or half-valid file answered with
 * defaults and one readable sentence, the provider preference applied to the compute host's environment,
 * and `models.verify` on the shipped selftest model and on a damaged copy.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeClient } from '../compute/client';
import { openJobStore, type JobStore } from '../jobs/store';
import { BinaryStore } from './binary-store';
import { dispatchCall } from './dispatch';
import { createBackend } from './handlers';
import { applySavedProviderPreference, readSettings, SETTINGS_FILE } from './settings-handlers';

const noCompute: ComputeClient = { run: async () => { throw new Error('not used'); }, close: async () => {} };
let dir: string;
let store: JobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-settings-'));
  store = openJobStore(join(dir, 'jobs.sqlite'));
});
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function backend(sub: string) {
  const b = createBackend({
    compute: noCompute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '',
    resultsDir: join(dir, sub, 'results'), emit: () => {},
  });
  return (name: string, input: unknown = {}) => dispatchCall(b.handlers, name, input);
}

describe('settings.get / settings.set', () => {
  it('answers the defaults when there is no file, in the data folder', async () => {
    const call = backend('a');
    const r = await call('settings.get');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as { settings: unknown; file: string; problem: string | null; cores: number };
    expect(v.settings).toEqual({ providerPreference: 'auto', trackerThreads: null, theme: 'dark' });
    expect(v.file).toBe(join(dir, 'a', SETTINGS_FILE));
    expect(v.problem).toBeNull();
    expect(v.cores).toBeGreaterThanOrEqual(1);
  });

  it('writes a patch atomically (no temporary file left) and keeps the other values', async () => {
    const call = backend('b');
    expect((await call('settings.set', { theme: 'light' })).ok).toBe(true);
    const r = await call('settings.set', { trackerThreads: 3 });
    expect(r.ok && (r.value as { settings: unknown }).settings).toEqual({ providerPreference: 'auto', trackerThreads: 3, theme: 'light' });
    expect(await readdir(join(dir, 'b'))).toEqual([SETTINGS_FILE]);
    expect(JSON.parse(await readFile(join(dir, 'b', SETTINGS_FILE), 'utf8'))).toEqual({ providerPreference: 'auto', trackerThreads: 3, theme: 'light' });
    const back = await call('settings.get');
    expect(back.ok && (back.value as { settings: unknown }).settings).toEqual({ providerPreference: 'auto', trackerThreads: 3, theme: 'light' });
  });

  it('serialises quick changes so none is lost', async () => {
    const call = backend('c');
    await Promise.all([call('settings.set', { theme: 'light' }), call('settings.set', { providerPreference: 'cpu' }), call('settings.set', { trackerThreads: 2 })]);
    const { settings } = await readSettings(join(dir, 'c', SETTINGS_FILE));
    expect(settings).toEqual({ providerPreference: 'cpu', trackerThreads: 2, theme: 'light' });
  });

  it('refuses bad values and unknown keys before writing anything', async () => {
    const call = backend('d');
    for (const bad of [{ theme: 'pink' }, { trackerThreads: 0 }, { trackerThreads: 2.5 }, { providerPreference: 'gpu' }, { colour: 'x' }]) {
      const r = await call('settings.set', bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('E_INVALID_INPUT');
    }
    expect((await readSettings(join(dir, 'd', SETTINGS_FILE))).problem).toBeNull();
  });

  it('a file that is not JSON means the defaults and one readable sentence; saving replaces it', async () => {
    await mkdir(join(dir, 'e'), { recursive: true });
    await writeFile(join(dir, 'e', SETTINGS_FILE), '{ theme: light');
    const call = backend('e');
    const r = await call('settings.get');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as { settings: { theme: string }; problem: string };
    expect(v.settings.theme).toBe('dark');
    expect(v.problem).toMatch(/settings\.json is not valid JSON .*defaults are in use/);
    const s = await call('settings.set', { theme: 'light' });
    expect(s.ok && (s.value as { problem: unknown }).problem).toBeNull();
    expect(JSON.parse(await readFile(join(dir, 'e', SETTINGS_FILE), 'utf8')).theme).toBe('light');
  });

  it('keeps the usable values of a half-valid file and names the others', async () => {
    const f = join(dir, 'f.json');
    await writeFile(f, JSON.stringify({ theme: 'light', trackerThreads: -4, providerPreference: 'warp' }));
    const { settings, problem } = await readSettings(f);
    expect(settings).toEqual({ providerPreference: 'auto', trackerThreads: null, theme: 'light' });
    expect(problem).toContain('trackerThreads = -4');
    expect(problem).toContain('providerPreference = "warp"');
  });
});

describe('tracker threads', () => {
  it('track.run and xpci.run pass the saved thread count to the compute host (none saved: the engine default)', async () => {
    const seen: unknown[] = [];
    const compute: ComputeClient = {
      run: async <T,>(op: string, input: unknown) => {
        if (op === 'track.run' || op === 'xpci.run') {
          seen.push(`${op} ${(input as { threads?: number }).threads}`);
          return { outDir: join(dir, 'out'), files: [], messages: [] } as T;
        }
        if (op === 'xpci.truthDir') return { truthDir: null } as T;
        return { dir: join(dir, 'out'), kind: 'track', result: {}, maps: [] } as T;
      },
      close: async () => {},
    };
    const b = createBackend({
      compute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '',
      resultsDir: join(dir, 'j', 'results'), emit: () => {},
    });
    const track = (taskId: string) => dispatchCall(b.handlers, 'track.run', { taskId, params: { refPath: '/r.tif', defPath: '/d.tif', method: 'zncc' } });
    const xpci = (taskId: string) =>
      dispatchCall(b.handlers, 'xpci.run', { taskId, params: { refPath: '/r.tif', samplePath: '/s.tif', pixelUm: 1, distanceM: 0.5, energyKeV: 20 } });
    expect((await track('t1')).ok).toBe(true);
    expect((await xpci('x1')).ok).toBe(true);
    expect((await dispatchCall(b.handlers, 'settings.set', { trackerThreads: 3 })).ok).toBe(true);
    expect((await track('t2')).ok).toBe(true);
    expect((await xpci('x2')).ok).toBe(true);
    expect(seen).toEqual(['track.run undefined', 'xpci.run undefined', 'track.run 3', 'xpci.run 3']);
  });
});

describe('provider preference', () => {
  it('sets LAB_EXECUTION_PROVIDERS=cpu for "cpu", clears its own value for "auto", never overrides the user', async () => {
    const d = join(dir, 'g');
    await mkdir(d, { recursive: true });
    await writeFile(join(d, SETTINGS_FILE), JSON.stringify({ providerPreference: 'cpu' }));
    const env: NodeJS.ProcessEnv = {};
    await applySavedProviderPreference(d, env);
    expect(env.LAB_EXECUTION_PROVIDERS).toBe('cpu');
    await writeFile(join(d, SETTINGS_FILE), JSON.stringify({ providerPreference: 'auto' }));
    await applySavedProviderPreference(d, env);
    expect(env.LAB_EXECUTION_PROVIDERS).toBeUndefined();
    const user: NodeJS.ProcessEnv = { LAB_EXECUTION_PROVIDERS: 'cuda' };
    await writeFile(join(d, SETTINGS_FILE), JSON.stringify({ providerPreference: 'cpu' }));
    await applySavedProviderPreference(d, user);
    expect(user.LAB_EXECUTION_PROVIDERS).toBe('cuda');
  });
});

describe('provider preference while the app runs', () => {
  // The same machine on every test machine: Linux x64 (CUDA first) with no LAB_EXECUTION_PROVIDERS of the
  // user's, so 'auto' always means ['cuda', 'cpu'] and every change takes the live path.
  const providerContext = { env: {}, host: { platform: 'linux' as const, arch: 'x64' } };

  it('is sent to the running compute host, which then reports the new order (no restart needed)', async () => {
    const sent: string[][] = [];
    const compute: ComputeClient = {
      run: async <T,>(op: string, input: unknown) => {
        if (op === 'providers.set') {
          sent.push((input as { providers: string[] }).providers);
          return (input as { providers: string[] }).providers as T;
        }
        if (op === 'ort.probe') return { active: 'cpu', tried: [], ortVersion: 'test' } as T;
        throw new Error(`unexpected op ${op}`);
      },
      close: async () => {},
    };
    const b = createBackend({
      compute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '',
      resultsDir: join(dir, 'p', 'results'), emit: () => {}, providerContext,
    });
    const set = async (patch: object) => {
      const r = await dispatchCall(b.handlers, 'settings.set', patch);
      if (!r.ok) throw new Error(r.error.message);
      return r.value as { providersInEffect: string[]; providersPreferred: string[]; restartNeeded: boolean };
    };
    const cpu = await set({ providerPreference: 'cpu' });
    expect(cpu.providersInEffect).toEqual(['cpu']);
    expect(cpu.restartNeeded).toBe(false);
    const auto = await set({ providerPreference: 'auto' });
    expect(auto.providersPreferred).toEqual(['cuda', 'cpu']);
    expect(auto.providersInEffect).toEqual(['cuda', 'cpu']);
    expect(auto.restartNeeded).toBe(false);
    // Only real changes are sent: saving the same preference again sends nothing.
    await set({ providerPreference: 'auto' });
    expect(sent).toEqual([['cpu'], ['cuda', 'cpu']]);
  });

  it('is still saved when the host cannot take it, and then says a restart is needed', async () => {
    const compute: ComputeClient = { run: async () => { throw new Error('host busy'); }, close: async () => {} };
    const b = createBackend({
      compute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '',
      resultsDir: join(dir, 'q', 'results'), emit: () => {}, providerContext,
    });
    const r = await dispatchCall(b.handlers, 'settings.set', { providerPreference: 'cpu' });
    expect(r.ok).toBe(true);
    const v = (r as { value: { settings: { providerPreference: string }; providersPreferred: string[]; providersInEffect: string[]; restartNeeded: boolean } }).value;
    expect(v.settings.providerPreference).toBe('cpu');
    // The host kept the order it was started with, so the note must ask for a restart.
    expect(v.providersPreferred).toEqual(['cpu']);
    expect(v.providersInEffect).toEqual(['cuda', 'cpu']);
    expect(v.restartNeeded).toBe(true);
  });
});

describe('models.verify', () => {
  it('re-hashes the shipped selftest model: ok with the manifest sha256', async () => {
    const call = backend('h');
    const manifest = JSON.parse(await readFile(resolve(import.meta.dirname, '../../../models/manifest.json'), 'utf8')) as { models: { id: string; sha256: string }[] };
    const r = await call('models.verify', { id: 'selftest' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ id: 'selftest', ok: true, sha256: manifest.models.find((m) => m.id === 'selftest')!.sha256, error: null });
  });

  it('a damaged copy answers ok:false with the reason; an unknown id is E_NOT_FOUND', async () => {
    const models = join(dir, 'models');
    await mkdir(models, { recursive: true });
    const src = resolve(import.meta.dirname, '../../../models');
    const manifest = JSON.parse(await readFile(join(src, 'manifest.json'), 'utf8')) as { models: { id: string; file: string }[] };
    const self = manifest.models.find((m) => m.id === 'selftest')!;
    await writeFile(join(models, 'manifest.json'), JSON.stringify({ ...manifest, models: [self] }));
    await copyFile(join(src, self.file), join(models, self.file));
    await writeFile(join(models, self.file), Buffer.concat([await readFile(join(models, self.file)), Buffer.from([0])]));
    const old = { m: process.env.LAB_MODELS_DIR, u: process.env.LAB_USER_MODELS_DIR };
    process.env.LAB_MODELS_DIR = models;
    process.env.LAB_USER_MODELS_DIR = join(dir, 'no-user-models');
    try {
      const call = backend('i');
      const r = await call('models.verify', { id: 'selftest' });
      expect(r.ok).toBe(true);
      if (r.ok) {
        const v = r.value as { ok: boolean; error: string };
        expect(v.ok).toBe(false);
        expect(v.error).toMatch(/does not match the manifest/);
      }
      const u = await call('models.verify', { id: 'nope' });
      expect(!u.ok && u.error.code).toBe('E_NOT_FOUND');
    } finally {
      if (old.m === undefined) delete process.env.LAB_MODELS_DIR; else process.env.LAB_MODELS_DIR = old.m;
      if (old.u === undefined) delete process.env.LAB_USER_MODELS_DIR; else process.env.LAB_USER_MODELS_DIR = old.u;
    }
  });
});
