import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../../shared/result';

// The stores reach the back end only through ../api; every call is a scripted fake, events never come.
const fake = await vi.hoisted(async () => {
  (await import('../test/fake-lab')).installMemoryStorage();
  // the app store mirrors the workspace in the URL hash
  const location = { hash: '' };
  Object.assign(globalThis, { location, history: { replaceState: (_s: unknown, _t: string, hash: string) => void (location.hash = hash) } });
  return { calls: new Map<string, ReturnType<typeof vi.fn>>(), blobs: new Map<string, Float32Array>() };
});
vi.mock('../api', () => {
  const call = (name: string) => {
    if (!fake.calls.has(name)) fake.calls.set(name, vi.fn(async () => { throw new Error(`${name} was not expected`); }));
    return fake.calls.get(name)!;
  };
  const lab = new Proxy({ on: () => () => {} } as Record<string, unknown>, {
    get: (t, name: string) => (name in t ? t[name] : call(name)),
  });
  return { lab, connection: { transport: 'browser-harness', state: () => 'open', onState: () => () => {} }, fetchFloat32: async (url: string) => fake.blobs.get(url)! };
});

const { useResultOpener } = await import('./useResultOpener');
const { OVERTAKEN } = await import('../lib/open-result');
const { useAppStore } = await import('../stores/app');
const { useXrayStore } = await import('../stores/xray');
const { useRestoreStore } = await import('../stores/restore');
const { useAcquisitionStore } = await import('../stores/acquisition');

const fn = (name: string) => {
  const f = vi.fn();
  fake.calls.set(name, f);
  return f;
};
function image(path: string) {
  const dataUrl = `/bin${path}`;
  fake.blobs.set(dataUrl, new Float32Array(4).fill(1));
  return {
    id: path, path, name: path.split('/').pop()!, width: 2, height: 2, sizeBytes: 4, sha256: 'ab'.repeat(32),
    meta: { format: 'tiff', sampleType: 'uint8', bitsPerSample: 8, samplesPerPixel: 1, colour: 'grey', pageCount: 1 },
    stats: { min: 0, max: 1, mean: 1, std: 0, nonFinite: 0, histogram: [] },
    dataUrl,
  };
}
function xpciFolder(dir: string) {
  const dataUrl = `/bin${dir}/alpha_x`;
  fake.blobs.set(dataUrl, new Float32Array(4));
  return {
    dir, kind: 'xpci',
    result: { kind: 'xpci', method: 'icgn', parameters: { step: 5, integrator: 'fc', delta: null }, geometry: { pixelUm: 3, distanceM: 2, energyKeV: 17 }, inputs: [] },
    maps: [{ name: 'alpha_x', width: 2, height: 2, unit: 'rad', stats: { min: 0, max: 0, mean: 0, std: 0, valid: 4 }, dataUrl }],
  };
}

beforeEach(() => {
  fake.calls.clear();
  setActivePinia(createPinia());
  fn('image.open').mockImplementation(async ({ path }: { path: string }) => image(path));
  fn('image.close').mockResolvedValue({ closed: true });
});

describe('Open on a job row', () => {
  it('shows an X-ray job in the X-ray workspace with its form, once it is loaded', async () => {
    const app = useAppStore();
    app.setWorkspace('jobs');
    fn('result.open').mockResolvedValue(xpciFolder('/res/x'));
    const { open, opening, errors } = useResultOpener();
    const pending = open({ kind: 'xpci', state: 'done', resultDir: '/res/x' }, 'job:1');
    expect(opening.value).toBe('job:1');
    expect(app.workspace).toBe('jobs'); // not before the result is there
    expect(await pending).toBeNull();
    expect(app.workspace).toBe('xpci');
    expect(opening.value).toBeNull();
    expect(errors).toEqual({});
    const xr = useXrayStore();
    expect(xr.result?.dir).toBe('/res/x');
    expect([xr.settings.method, xr.settings.step, xr.settings.geometry.energyKeV]).toEqual(['icgn', 5, '17']);
  });

  it('shows a watched folder\'s deblur job in Restoration and an info job in Acquisition', async () => {
    const app = useAppStore();
    fn('result.open').mockImplementation(async ({ dir }: { dir: string }) =>
      dir === '/res/d'
        ? { dir, kind: 'deblur', maps: [], result: { kind: 'deblur', method: 'midnet', inputs: [{ role: 'blurry', path: '/acq/a.tif' }], output: { file: 'deblurred.tif' }, metrics: {} } }
        : { dir, kind: 'info', maps: [], result: { kind: 'info' } },
    );
    const { open } = useResultOpener();
    expect(await open({ kind: 'deblur', resultDir: '/res/d' }, 'job:2')).toBeNull();
    expect(app.workspace).toBe('restore');
    expect(useRestoreStore().result?.out.outDir).toBe('/res/d');
    expect(await open({ kind: 'info', resultDir: '/res/i' }, 'job:3')).toBeNull();
    expect(app.workspace).toBe('acquire');
    expect(useAcquisitionStore().result?.dir).toBe('/res/i');
  });

  it('a slow X-ray open overtaken by a deblur open leaves the user in Restoration, and its row says nothing', async () => {
    const app = useAppStore();
    app.setWorkspace('jobs');
    let xrayThere!: () => void;
    const deblur = { dir: '/res/d', kind: 'deblur', maps: [], result: { kind: 'deblur', method: 'midnet', inputs: [{ role: 'blurry', path: '/acq/a.tif' }], output: { file: 'deblurred.tif' }, metrics: {} } };
    fn('result.open').mockImplementation(({ dir }: { dir: string }) =>
      dir === '/res/x' ? new Promise((res) => (xrayThere = () => res(xpciFolder('/res/x')))) : Promise.resolve(deblur),
    );
    const { open, opening, errors } = useResultOpener();
    const slow = open({ kind: 'xpci', state: 'done', resultDir: '/res/x' }, 'job:1');
    expect(await open({ kind: 'deblur', state: 'done', resultDir: '/res/d' }, 'job:2')).toBeNull();
    expect(app.workspace).toBe('restore');
    xrayThere();
    expect(await slow).toBe(OVERTAKEN);
    expect(app.workspace).toBe('restore'); // not switched back to X-ray
    expect(errors).toEqual({});
    expect(opening.value).toBeNull();
  });

  it('an X-ray open overtaken by another X-ray open is not reported as a failure', async () => {
    const app = useAppStore();
    app.setWorkspace('jobs');
    let firstThere!: () => void;
    fn('result.open').mockImplementation(({ dir }: { dir: string }) =>
      dir === '/res/x1' ? new Promise((res) => (firstThere = () => res(xpciFolder('/res/x1')))) : Promise.resolve(xpciFolder(dir)),
    );
    const { open, errors } = useResultOpener();
    const first = open({ kind: 'xpci', resultDir: '/res/x1' }, 'job:1');
    expect(await open({ kind: 'xpci', resultDir: '/res/x2' }, 'job:2')).toBeNull();
    firstThere();
    expect(await first).toBe(OVERTAKEN);
    expect(errors).toEqual({});
    const xr = useXrayStore();
    expect(xr.result?.dir).toBe('/res/x2');
    expect(xr.resultError).toBeNull();
  });

  it('a Restoration open overtaken by another Restoration open is not reported as a failure', async () => {
    let firstThere!: () => void;
    const folder = (dir: string) => ({ dir, kind: 'deblur', maps: [], result: { kind: 'deblur', method: 'midnet', inputs: [{ role: 'blurry', path: '/acq/a.tif' }], output: { file: 'deblurred.tif' }, metrics: {} } });
    fn('result.open').mockImplementation(({ dir }: { dir: string }) =>
      dir === '/res/d1' ? new Promise((res) => (firstThere = () => res(folder('/res/d1')))) : Promise.resolve(folder(dir)),
    );
    const { open, errors } = useResultOpener();
    const first = open({ kind: 'deblur', resultDir: '/res/d1' }, 'job:1');
    expect(await open({ kind: 'deblur', resultDir: '/res/d2' }, 'job:2')).toBeNull();
    firstThere();
    expect(await first).toBe(OVERTAKEN);
    expect(errors).toEqual({});
    const rs = useRestoreStore();
    expect(rs.result?.out.outDir).toBe('/res/d2');
    expect(rs.resultError).toBeNull();
  });

  it('leaves the user on the list with the reason on the row when the folder is gone', async () => {
    const app = useAppStore();
    app.setWorkspace('acquire');
    fn('result.open').mockRejectedValue(new ContractError('E_NOT_FOUND', '/res/gone is not a result folder (it has no result.json).'));
    const rowErrors: Record<string, string> = {};
    const { open } = useResultOpener(rowErrors);
    const err = await open({ kind: 'super-resolution', resultDir: '/res/gone' }, 'history:4');
    expect(err).toMatch(/^This result folder is no longer there/);
    expect(rowErrors['history:4']).toBe(err);
    expect(app.workspace).toBe('acquire');
    // a later success clears the row's message
    fn('result.open').mockResolvedValue(xpciFolder('/res/gone'));
    expect(await open({ kind: 'xpci', resultDir: '/res/gone' }, 'history:4')).toBeNull();
    expect(rowErrors['history:4']).toBeUndefined();
  });
});
