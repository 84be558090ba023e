import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../../shared/result';
import { flattenMetrics, formatParams, keyMetrics, rememberedTheme, shortSha, THEME_KEY } from '../lib/settings';

// The store reaches the back end only through ../api; replace it with a scripted fake.
const fake = await vi.hoisted(async () => {
  const mem = (await import('../test/fake-lab')).installMemoryStorage();
  const state = (settings: object) => ({
    settings: { providerPreference: 'auto', trackerThreads: null, theme: 'dark', ...settings },
    file: '/data/settings.json',
    problem: null,
    cores: 8,
    providersInEffect: ['cuda', 'cpu'],
    providersPreferred: ['cuda', 'cpu'],
    restartNeeded: false,
  });
  return { mem, state, get: vi.fn(), set: vi.fn(), list: vi.fn(), verify: vi.fn() };
});
vi.mock('../api', () => ({
  lab: { 'settings.get': fake.get, 'settings.set': fake.set, 'models.list': fake.list, 'models.verify': fake.verify, on: () => () => {} },
}));

const { useSettingsStore } = await import('./settings');

beforeEach(() => {
  setActivePinia(createPinia());
  fake.mem.clear();
  vi.clearAllMocks();
});

describe('settings store', () => {
  it('starts with the remembered theme, then takes the saved one', async () => {
    fake.mem.set(THEME_KEY, 'light');
    fake.get.mockResolvedValue(fake.state({ theme: 'dark', trackerThreads: 4 }));
    const s = useSettingsStore();
    expect(s.theme).toBe('light');
    await s.load();
    expect(s.theme).toBe('dark');
    expect(s.trackerThreads).toBe(4);
    expect(fake.mem.get(THEME_KEY)).toBe('dark');
  });

  it('saves a theme change at once and remembers it', async () => {
    fake.set.mockImplementation(async (patch: object) => fake.state(patch));
    const s = useSettingsStore();
    await s.setTheme('light');
    expect(fake.set).toHaveBeenCalledWith({ theme: 'light' });
    expect(s.state?.settings.theme).toBe('light');
    expect(rememberedTheme()).toBe('light');
    expect(s.saveError).toBeNull();
  });

  it('shows a refused save as a sentence and keeps the state', async () => {
    fake.get.mockResolvedValue(fake.state({}));
    fake.set.mockRejectedValue(new ContractError('E_IO', 'The settings could not be saved to /data/settings.json: disk full'));
    const s = useSettingsStore();
    await s.load();
    expect(await s.save({ trackerThreads: 2 })).toBe(false);
    expect(s.saveError).toMatch(/disk full/);
    expect(s.state?.settings.trackerThreads).toBeNull();
  });

  it('a load failure is kept as text', async () => {
    fake.get.mockRejectedValue(new Error('socket closed'));
    const s = useSettingsStore();
    await s.load();
    expect(s.loadError).toBe('socket closed');
  });

  it('verify goes checking → ok / failed per model', async () => {
    let resolve!: (v: unknown) => void;
    fake.verify.mockImplementationOnce(() => new Promise((r) => (resolve = r)));
    const s = useSettingsStore();
    const p = s.verifyModel('selftest');
    expect(s.verify.selftest).toEqual({ state: 'checking' });
    resolve({ id: 'selftest', ok: true, file: '/m/selftest.onnx', sha256: 'abc', error: null });
    await p;
    expect(s.verify.selftest).toEqual({ state: 'ok', sha256: 'abc' });
    fake.verify.mockResolvedValueOnce({ id: 'midnet-s', ok: false, file: '/m/x.onnx', sha256: null, error: 'does not match the manifest' });
    await s.verifyModel('midnet-s');
    expect(s.verify['midnet-s']).toEqual({ state: 'failed', message: 'does not match the manifest' });
    expect(s.verify.selftest.state).toBe('ok');
  });

  it('loads the model list, or keeps the error', async () => {
    fake.list.mockResolvedValueOnce({ models: [], shippedDir: '/m', userDir: null, problems: [] });
    const s = useSettingsStore();
    await s.loadModels();
    expect(s.models?.shippedDir).toBe('/m');
    fake.list.mockRejectedValueOnce(new Error('bad manifest'));
    await s.loadModels();
    expect(s.modelsError).toBe('bad manifest');
  });
});

describe('settings helpers', () => {
  it('formats model cells', () => {
    expect(shortSha('5eda31328381e2b649f9e942c45a32f4')).toBe('5eda31328381…');
    expect(formatParams(523456)).toBe('523.5 k');
    expect(formatParams(12_300_000)).toBe('12.30 M');
    expect(formatParams(12)).toBe('12');
  });

  it('flattens metrics and picks the numeric ones', () => {
    const m = { psnr: { in: 24.123456, out: 31.2 }, dataset: 'synthetic', curve: [1, 2] };
    expect(flattenMetrics(m)).toEqual([
      ['psnr.in', '24.123'],
      ['psnr.out', '31.2'],
      ['dataset', 'synthetic'],
      ['curve', '[1,2]'],
    ]);
    expect(keyMetrics(m)).toEqual(['24.123  psnr.in', '31.2  psnr.out']);
    expect(keyMetrics({ 'test-psnr-db': { '3-1': 17.8, mean: 19.5 }, ssim: { mean: 0.7 } })).toEqual(['19.5  test-psnr-db.mean', '0.7  ssim.mean']);
    expect(keyMetrics({})).toEqual(['—']);
    expect(keyMetrics({ note: 'x' })).toEqual(['see details']);
  });
});
