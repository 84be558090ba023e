import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';

// The store reaches the back end only through ../api; replace it with a scripted fake (test/fake-lab).
const fake = await vi.hoisted(async () =>
  (await import('../test/fake-lab')).fakeLab({
    run: vi.fn(),
    profile: vi.fn(),
    simulate: vi.fn(),
    /** URLs whose fetch waits until the promise settles (a slow map) */
    gates: new Map<string, Promise<void>>(),
    fetched: [] as string[],
  }),
);
vi.mock('../api', async () =>
  (await import('../test/fake-lab')).fakeApi(fake, { 'xpci.run': fake.run, 'xpci.profile': fake.profile, 'xpci.simulate': fake.simulate }, async (url: string) => {
    fake.fetched.push(url);
    await fake.gates.get(url);
    return fake.blobs.get(url)!;
  }),
);

const { useXrayStore, RECENT_KEY } = await import('./xray');
const { SETTINGS_KEY } = await import('../lib/xray');

function image(path: string, width = 4, height = 3) {
  const dataUrl = `/bin${path}`;
  fake.blobs.set(dataUrl, new Float32Array(width * height).map((_, i) => i));
  return {
    id: path,
    path,
    name: path.split('/').pop()!,
    width,
    height,
    sizeBytes: width * height * 4,
    sha256: 'ab'.repeat(32),
    meta: { format: 'tiff' as const, sampleType: 'float32' as const, bitsPerSample: 32, samplesPerPixel: 1, colour: 'grey' as const, pageCount: 1 },
    stats: { min: 0, max: 11, mean: 5.5, std: 3, nonFinite: 0, histogram: new Array(256).fill(1) },
    dataUrl,
  };
}
function map(dir: string, name: string, unit: string, values: number[]) {
  const dataUrl = `/bin${dir}/${name}`;
  fake.blobs.set(dataUrl, Float32Array.from(values));
  return { name, width: 4, height: 3, unit, stats: { min: 0, max: 1, mean: 0, std: 0, valid: 12 }, dataUrl };
}
function opened(dir: string, method = 'zncc') {
  const a = Array.from({ length: 12 }, (_, i) => (i - 6) * 1e-7);
  return {
    dir,
    kind: 'xpci',
    result: { method },
    maps: [map(dir, 'alpha_x', 'rad', a), map(dir, 'alpha_y', 'rad', a.map((v) => v / 2)), map(dir, 'phase', 'rad', a.map(() => Number.NaN)), map(dir, 'u', 'px', a)],
  };
}
const profile = (v: number) => ({
  s: [0, 1, 2],
  sUm: [0, 12, 24],
  series: [
    { name: 'alpha_x', unit: 'µrad', source: 'measured', values: [v, v, null] },
    { name: 'alpha_x', unit: 'µrad', source: 'truth', values: [1, 1, 1] },
  ],
  truthDir: '/sim',
});

beforeEach(() => {
  fake.mem.clear();
  fake.listeners.length = 0;
  for (const f of [fake.open, fake.run, fake.profile, fake.simulate, fake.resultOpen, fake.cancel]) f.mockReset();
  fake.open.mockImplementation(async ({ path }: { path: string }) => image(path));
  fake.cancel.mockImplementation(async () => ({ cancelled: true }));
  fake.gates.clear();
  fake.fetched.length = 0;
  setActivePinia(createPinia());
});

async function loaded() {
  const xr = useXrayStore();
  await xr.refSlot.openPath('/data/a/ref.tif');
  await xr.sampleSlot.openPath('/data/a/sample.tif');
  return xr;
}

describe('xray store', () => {
  it('blocks the run until both images and a right geometry are there', async () => {
    const xr = useXrayStore();
    expect(xr.runBlocker).toContain('reference');
    await xr.refSlot.openPath('/data/a/ref.tif');
    expect(xr.runBlocker).toContain('sample');
    await xr.sampleSlot.openPath('/data/a/sample.tif');
    expect(xr.runBlocker).toBeNull();
    xr.settings.geometry.energyKeV = 'x';
    expect(xr.geometryErrors.energyKeV).toContain('not a number');
    expect(xr.runBlocker).toContain('geometry');
  });

  it('opens a chosen or dropped file into its slot and keeps the recent images across launches', async () => {
    const xr = useXrayStore();
    expect(xr.recent).toEqual([]);
    await xr.openFile('sample', { name: 'sample.tif' } as File);
    expect(xr.sampleSlot.image?.path).toBe('/srv/uploads/sample.tif');
    expect(xr.settings.samplePath).toBe('/srv/uploads/sample.tif');
    await xr.openPath('ref', '/data/a/ref.tif');
    expect(xr.refSlot.image?.path).toBe('/data/a/ref.tif');
    await xr.openPath('ref', '/srv/uploads/sample.tif');
    expect(xr.recent).toEqual(['/srv/uploads/sample.tif', '/data/a/ref.tif']);
    await nextTick();
    expect(JSON.parse(fake.mem.get(RECENT_KEY)!)).toEqual(['/srv/uploads/sample.tif', '/data/a/ref.tif']);
    setActivePinia(createPinia());
    expect(useXrayStore().recent).toEqual(['/srv/uploads/sample.tif', '/data/a/ref.tif']);
  });

  it('runs with progress, shows the maps in display units, remembers the geometry for the folder', async () => {
    const xr = await loaded();
    xr.settings.geometry = { pixelUm: '6.5', distanceM: '0.5', energyKeV: '20', sourceDistanceM: '', delta: '' };
    xr.settings.method = 'zncc';
    xr.settings.step = 2;
    let release!: () => void;
    fake.run.mockImplementation(async () => {
      await new Promise<void>((r) => (release = r));
      return { jobId: 1, opened: opened('/res/1'), messages: ['note'], truthDir: '/sim' };
    });
    const p = xr.start();
    expect(xr.run.phase).toBe('running');
    const params = fake.run.mock.calls[0][0].params;
    expect(params).toMatchObject({ refPath: '/data/a/ref.tif', samplePath: '/data/a/sample.tif', pixelUm: 6.5, distanceM: 0.5, energyKeV: 20, method: 'zncc', step: 2 });
    expect(params.sourceDistanceM).toBeUndefined();
    fake.listeners.forEach((l) => l({ taskId: xr.run.taskId!, fraction: 0.4, message: 'tracking' }));
    expect(xr.run.fraction).toBe(0.4);
    release();
    await p;
    expect(xr.run.phase).toBe('done');
    expect(xr.tab).toBe('map');
    expect(xr.availableMaps.map((m) => m.name)).toEqual(['alpha_x', 'alpha_y', 'phase']);
    expect(xr.mapValues![0]).toBeCloseTo(-0.6, 5); // µrad
    expect(xr.mapRange!.lo).toBeCloseTo(-xr.mapRange!.hi, 12);
    expect(xr.colourMap).toBe('diverging');
    xr.setHover({ x: 1, y: 0 });
    expect(xr.hoverValue).toBe(Math.fround(-5e-7));
    expect(xr.truthDir).toBe('/sim');
    expect(xr.settings.geometryByFolder['/data/a'].pixelUm).toBe('6.5');
    await nextTick();
    expect(JSON.parse(fake.mem.get(SETTINGS_KEY)!).geometryByFolder['/data/a'].distanceM).toBe('0.5');

    // opening a sample from that folder later brings the geometry back
    xr.settings.geometry.distanceM = '9';
    await xr.sampleSlot.openPath('/data/a/sample2.tif');
    expect(xr.settings.geometry.distanceM).toBe('0.5');
  });

  it('profiles every kept run along the line; CSV of the quantity; errors by cause', async () => {
    const xr = await loaded();
    xr.settings.method = 'zncc';
    fake.run.mockResolvedValueOnce({ jobId: 1, opened: opened('/res/1'), messages: [], truthDir: '/sim' });
    await xr.start();
    fake.profile.mockImplementation(async ({ dir }: { dir: string }) => profile(dir === '/res/1' ? 2 : 3));
    xr.setLineWidth(3);
    xr.setLine({ x0: 0, y0: 1, x1: 3, y1: 1 });
    await vi.waitFor(() => expect(xr.profiles.length).toBe(1));
    expect(fake.profile.mock.calls[0][0]).toEqual({ dir: '/res/1', line: { x0: 0, y0: 1, x1: 3, y1: 1, width: 3 } });
    // a second run re-profiles both along the same line
    fake.run.mockResolvedValueOnce({ jobId: 2, opened: opened('/res/2', 'umpa'), messages: [], truthDir: '/sim' });
    xr.settings.method = 'umpa';
    await xr.start();
    await vi.waitFor(() => expect(xr.profiles.map((p) => p.label)).toEqual(['#1 ZNCC', '#2 UMPA']));
    expect(xr.profileQuantity).toBe('alpha_x');
    expect(xr.profileCsv.split('\n')[0]).toBe('s_px,s_um,#1_ZNCC_alpha_x_urad,truth_alpha_x_urad,#2_UMPA_alpha_x_urad');
    expect(xr.profileCsv.split('\n')[3]).toBe('2,24,NaN,1,NaN');
    xr.clearRuns();
    expect(xr.runs.map((r) => r.dir)).toEqual(['/res/2']);

    xr.setLine({ x0: 0, y0: 0, x1: 9, y1: 0 });
    await vi.waitFor(() => expect(xr.profileError).toContain('on the map'));
    xr.setLineWidth(0);
    expect(xr.profileError).toContain('band width');
  });

  it('a failed run keeps its message; a cancelled one says cancelled', async () => {
    const xr = await loaded();
    fake.run.mockRejectedValueOnce({ code: 'E_INVALID_INPUT', message: 'The window is too large.' });
    await xr.start();
    expect(xr.run).toMatchObject({ phase: 'failed', error: 'The window is too large.' });
    fake.run.mockImplementationOnce(() => new Promise((_, rej) => setTimeout(() => rej({ code: 'E_CANCELLED', message: 'cancelled' }), 5)));
    const p = xr.start();
    await xr.cancel();
    expect(fake.cancel).toHaveBeenCalled();
    await p;
    expect(xr.run).toMatchObject({ phase: 'cancelled', error: null });
  });

  it('simulates a phantom: both images open and the geometry is filled in', async () => {
    const xr = useXrayStore();
    fake.simulate.mockResolvedValueOnce({
      jobId: 3,
      outDir: '/res/sim',
      refPath: '/res/sim/reference.tif',
      samplePath: '/res/sim/sample.tif',
      geometry: { pixelUm: 12, distanceM: 76.8, energyKeV: 30, sourceDistanceM: null },
    });
    await xr.simulate();
    expect(xr.refSlot.image?.path).toBe('/res/sim/reference.tif');
    expect(xr.sampleSlot.image?.path).toBe('/res/sim/sample.tif');
    expect(xr.settings.geometry).toEqual({ pixelUm: '12', distanceM: '76.8', energyKeV: '30', sourceDistanceM: '', delta: '' });
    fake.simulate.mockRejectedValueOnce({ code: 'E_INTERNAL', message: 'boom' });
    await xr.simulate();
    expect(xr.simulateError).toBe('boom');
  });

  it('opens an earlier result folder as it was run: maps, images, geometry, method, step, integrator', async () => {
    const xr = await loaded();
    // the sample's folder remembers another geometry; the folder's own must win
    xr.settings.geometryByFolder['/data/b'] = { pixelUm: '1', distanceM: '1', energyKeV: '10', sourceDistanceM: '', delta: '' };
    xr.settings.method = 'zncc';
    xr.settings.step = 8;
    xr.settings.integrator = 'fc';
    fake.resultOpen.mockResolvedValueOnce({ ...opened('/res/9', 'umpa'), result: runJson('umpa') });
    expect(await xr.openResult('/res/9')).toBe(true);
    expect(xr.resultError).toBeNull();
    expect(xr.settings.geometry).toEqual({ pixelUm: '6.5', distanceM: '0.75', energyKeV: '25', sourceDistanceM: '80', delta: '3e-7' });
    expect([xr.settings.method, xr.settings.step, xr.settings.integrator]).toEqual(['umpa', 3, 'ls']);
    expect(xr.refSlot.image?.path).toBe('/data/b/ref.tif');
    expect(xr.sampleSlot.image?.path).toBe('/data/b/sample.tif');
    expect(xr.result?.dir).toBe('/res/9');
    expect(xr.tab).toBe('map');
    expect(xr.availableMaps.map((m) => m.name)).toEqual(['alpha_x', 'alpha_y', 'phase']);
    expect(xr.messages).toEqual(['recorded note']);
    expect(xr.runs.map((r) => r.label)).toEqual(['#1 UMPA']);
    // the form it runs with next is the one shown
    fake.run.mockResolvedValueOnce({ jobId: 4, opened: opened('/res/10', 'umpa'), messages: [], truthDir: null });
    await xr.start();
    expect(fake.run.mock.calls[0][0].params).toMatchObject({ pixelUm: 6.5, distanceM: 0.75, energyKeV: 25, sourceDistanceM: 80, delta: 3e-7, method: 'umpa', step: 3, integrator: 'ls' });
    // a profile line tells a reopened result where its ground truth is
    expect(xr.truthDir).toBeNull();
    fake.profile.mockResolvedValue(profile(1));
    xr.setLine({ x0: 0, y0: 1, x1: 3, y1: 1 });
    await vi.waitFor(() => expect(xr.truthDir).toBe('/sim'));
    // opened again, it replaces its own profile entry instead of overlaying itself
    fake.resultOpen.mockResolvedValueOnce({ ...opened('/res/9', 'umpa'), result: runJson('umpa') });
    await xr.openResult('/res/9');
    expect(xr.runs.map((r) => r.dir)).toEqual(['/res/10', '/res/9']);
  });

  it('an open overtaken while its maps load assigns nothing: the newer result and form stay, no error', async () => {
    const xr = await loaded();
    let mapsThere!: () => void;
    fake.gates.set('/bin/res/old/alpha_x', new Promise<void>((r) => (mapsThere = r)));
    const newer = runJson('zncc');
    newer.parameters = { ...newer.parameters, step: 7, integrator: 'fc' };
    newer.geometry = { ...newer.geometry, energyKeV: 30 };
    fake.resultOpen.mockImplementation(async ({ dir }: { dir: string }) =>
      dir === '/res/old' ? { ...opened('/res/old', 'umpa'), result: runJson('umpa') } : { ...opened('/res/new', 'zncc'), result: newer },
    );
    const older = xr.openResult('/res/old');
    // the older open has its images and is fetching its maps when the newer one starts
    await vi.waitFor(() => expect(fake.fetched).toContain('/bin/res/old/alpha_x'));
    expect(await xr.openResult('/res/new')).toBe(true);
    mapsThere();
    expect(await older).toBe(false);
    expect(xr.resultError).toBeNull();
    expect(xr.result?.dir).toBe('/res/new');
    expect(xr.runs.map((r) => r.dir)).toEqual(['/res/new']);
    expect([xr.settings.method, xr.settings.step, xr.settings.integrator, xr.settings.geometry.energyKeV]).toEqual(['zncc', 7, 'fc', '30']);
  });

  it('opens a simulated phantom folder with its pair and geometry; refuses other kinds and says why', async () => {
    const xr = useXrayStore();
    fake.resultOpen.mockResolvedValueOnce({
      dir: '/res/sim', kind: 'simulate.xpci', maps: [],
      result: { kind: 'simulate.xpci', geometry: { pixelUm: 12, distanceM: 76.8, energyKeV: 30, sourceM: null } },
    });
    expect(await xr.openResult('/res/sim')).toBe(true);
    expect(xr.refSlot.image?.path).toBe('/res/sim/reference.tif');
    expect(xr.sampleSlot.image?.path).toBe('/res/sim/sample.tif');
    expect(xr.settings.geometry).toEqual({ pixelUm: '12', distanceM: '76.8', energyKeV: '30', sourceDistanceM: '', delta: '' });
    expect(xr.tab).toBe('images');

    fake.resultOpen.mockResolvedValueOnce({ ...opened('/res/8'), kind: 'track' });
    expect(await xr.openResult('/res/8')).toBe(false);
    expect(xr.resultError).toContain('not an X-ray phase result');
    fake.resultOpen.mockResolvedValueOnce(opened('/res/7', 'umpa'));
    expect(await xr.openResult('/res/7')).toBe(false);
    expect(xr.resultError).toContain('no complete geometry');
    fake.resultOpen.mockRejectedValueOnce({ code: 'E_NOT_FOUND', message: '/res/6 is not a result folder (it has no result.json).' });
    expect(await xr.openResult('/res/6')).toBe(false);
    expect(xr.resultError).toContain('no result.json');
  });
});

/** result.json of an xpci run as core/xpci/xpci-task.ts writes it (the fields the form comes from). */
function runJson(method: string) {
  return {
    kind: 'xpci',
    method,
    parameters: { window: 21, step: 3, roi: null, delta: 3e-7, integrator: 'ls', profile: null },
    geometry: { pixelUm: 6.5, distanceM: 0.75, energyKeV: 25, sourceM: 80, beam: 'cone beam (point source)', magnification: 1.01 },
    inputs: [
      { role: 'reference', path: '/data/b/ref.tif', name: 'ref.tif' },
      { role: 'sample', path: '/data/b/sample.tif', name: 'sample.tif' },
    ],
    messages: ['recorded note'],
  };
}
