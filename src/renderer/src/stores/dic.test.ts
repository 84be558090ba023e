import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES } from '../../../shared/contract';
import { ContractError } from '../../../shared/result';
import { MAGNITUDE } from '../lib/dic-result';

// The store reaches the back end only through ../api; replace it with a scripted fake (test/fake-lab).
const fake = await vi.hoisted(async () => (await import('../test/fake-lab')).fakeLab({ track: vi.fn(), modelsList: vi.fn(), fetchFloat32: vi.fn() }));
vi.mock('../api', async () =>
  (await import('../test/fake-lab')).fakeApi(fake, { 'track.run': fake.track, 'models.list': fake.modelsList }, fake.fetchFloat32),
);

// the shared rasteriser, watched: counting the ROI must not build an image-sized mask
const raster = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../shared/roi-raster', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../shared/roi-raster')>();
  return {
    ...real,
    rasteriseRegion: (...a: Parameters<typeof real.rasteriseRegion>) => {
      raster.calls++;
      return real.rasteriseRegion(...a);
    },
  };
});

const { useDicStore } = await import('./dic');
const { SETTINGS_KEY } = await import('../lib/dic-settings');

const W = 4;
const H = 3;
const N = Number.NaN;

function image(name: string) {
  return {
    id: name,
    path: `/data/${name}`,
    name,
    width: W,
    height: H,
    sizeBytes: 48,
    sha256: 'ab'.repeat(32),
    meta: { format: 'tiff' as const, sampleType: 'float32' as const, bitsPerSample: 32, samplesPerPixel: 1, colour: 'grey' as const, pageCount: 1 },
    stats: { min: 0, max: 11, mean: 5.5, std: 1, nonFinite: 0, histogram: new Array(256).fill(1) },
    dataUrl: `/data/image/${name}`,
  };
}

/** A result folder as result.open / track.run describe it; u = `u`, v = −u/2, NaN in the first column. */
function opened(dir: string, u: number, method = 'icgn') {
  const mk = (name: string, value: number) => {
    const data = new Float32Array(W * H).fill(value);
    for (let y = 0; y < H; y++) data[y * W] = N;
    fake.blobs.set(`${dir}/${name}`, data);
    return { name, width: W, height: H, unit: name === 'quality' ? '1' : 'px', stats: { min: value, max: value, mean: value, std: 0, valid: 9 }, dataUrl: `${dir}/${name}` };
  };
  return {
    dir,
    kind: 'track',
    result: {
      kind: 'track',
      method,
      parameters: { subset: 15, window: 15, search: 6, step: 2, roi: { x: 1, y: 0, width: 3, height: 3 }, strainWindow: null },
      points: { measured: 4, valid: 3 },
      inputs: [
        { role: 'reference', path: '/data/r2.tif', name: 'r2.tif' },
        { role: 'deformed', path: '/data/d2.tif', name: 'd2.tif' },
      ],
      messages: ['1 of 4 points (25.0%) were rejected and are NaN.'],
      timingsMs: { total: 5 },
    },
    maps: [mk('u', u), mk('v', -u / 2), mk('quality', 0.9)],
  };
}

/** One entry of a `models.list` answer. */
function model(id: string, task: string) {
  return { id, task, source: 'shipped' as const, file: `${id}.onnx`, params: 1000, bytes: 4000, sha256: 'ef'.repeat(32), trainedOn: 'synthetic', trainingCommand: 'python3 train.py', metrics: {} };
}

async function withPair() {
  fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
  const dic = useDicStore();
  await dic.openPath('ref', '/data/r.tif');
  await dic.openPath('def', '/data/d.tif');
  return dic;
}

beforeEach(() => {
  setActivePinia(createPinia());
  vi.clearAllMocks();
  fake.listeners.length = 0;
  fake.mem.clear();
  fake.modelsList.mockResolvedValue({ models: [model('dicnet-s', 'displacement'), model('midnet-s', 'deblur'), model('cade-xst-s', 'displacement')], shippedDir: '/m', userDir: null, problems: [] });
  fake.fetchFloat32.mockImplementation(async (url: string) => fake.blobs.get(url) ?? new Float32Array(W * H).map((_, i) => i));
});

describe('DIC store: images and parameters', () => {
  it('says why Run is disabled until both images are open and the parameters are valid', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    const dic = useDicStore();
    expect(dic.runBlocker).toBe('Open a reference image first.');
    await dic.openPath('ref', '/data/r.tif');
    expect(dic.runBlocker).toBe('Open the deformed image.');
    await dic.openPath('def', '/data/d.tif');
    // a 4 × 3 image is far too small for a 21 px subset
    expect(dic.validation.errors.window).toMatch(/does not fit/);
    expect(dic.runBlocker).toBe('Fix the parameters marked in red.');
    dic.method = 'zncc';
    dic.setMethodField('window', '3');
    dic.setMethodField('search', '1');
    dic.setCommonField('step', '1');
    expect(dic.runBlocker).toMatch(/more than the 4 × 3 px image|Fix the parameters/);
    expect(dic.validation.errors.search).toMatch(/needs 5 px/);
  });

  it('refuses a ROI where no point keeps its border margin, saying why', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 200, height: 200 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    dic.setRoi({ x: 0, y: 0, width: 8, height: 8 }); // IC-GN margin is 12 px
    expect(dic.runBlocker).toBe(
      'No point can be measured: each point needs 12 px from the image border, and none of those lies in the ROI. Use a smaller subset or search radius, or a larger ROI.',
    );
  });

  it('remembers paths, recent files, method, parameters and ROI in localStorage', async () => {
    const dic = await withPair();
    dic.method = 'umpa';
    dic.setMethodField('window', '13');
    dic.setRoi({ x: 1, y: 1, width: 2, height: 2 });
    await nextTick();
    const saved = JSON.parse(fake.mem.get(SETTINGS_KEY)!);
    expect(saved).toMatchObject({ refPath: '/data/r.tif', defPath: '/data/d.tif', method: 'umpa', roi: { x: 1, y: 1, width: 2, height: 2 } });
    expect(saved.params.umpa.window).toBe('13');
    expect(saved.recent).toEqual(['/data/d.tif', '/data/r.tif']);
    // a new store (the next launch) starts from them
    setActivePinia(createPinia());
    const again = useDicStore();
    expect(again.method).toBe('umpa');
    expect(again.settings.roi).toEqual({ x: 1, y: 1, width: 2, height: 2 });
  });

  it('clips the ROI to a smaller reference and says so', async () => {
    const dic = await withPair();
    dic.setRoi({ x: 2, y: 1, width: 100, height: 100 });
    await dic.openPath('ref', '/data/r3.tif');
    expect(dic.settings.roi).toEqual({ x: 2, y: 1, width: 2, height: 2 });
    expect(dic.roiNote).toMatch(/clipped/);
  });
});

describe('DIC store: CNN methods', () => {
  it('keeps each method’s form when switching, and the grid step for the methods that use it', async () => {
    const dic = await withPair();
    dic.method = 'cnn-xst';
    expect(dic.methodForm).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '8' });
    dic.setMethodField('passes', '5');
    dic.setMethodField('symmetry', '4');
    dic.setMethodField('window', '21');
    dic.method = 'icgn';
    dic.setMethodField('window', '17');
    dic.setCommonField('step', '6');
    dic.method = 'cnn+icgn';
    expect(dic.methodForm).toEqual({ window: '21', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
    dic.method = 'cnn-dic';
    expect(dic.methodForm).toMatchObject({ model: 'dicnet-s', passes: '3', symmetry: '8' }); // its own defaults, not cnn-xst's edited 5 and 4
    dic.method = 'cnn-xst';
    expect(dic.methodForm).toEqual({ window: '21', search: '', model: 'cade-xst-s', passes: '5', symmetry: '4' });
    dic.method = 'icgn';
    expect(dic.methodForm).toEqual({ window: '17', search: '32', model: '', passes: '', symmetry: '' });
    expect(dic.settings.common.step).toBe('6');
    // Defaults resets only the method shown
    dic.method = 'cnn-xst';
    dic.resetParams();
    expect(dic.methodForm.passes).toBe('3');
    expect(dic.methodForm.symmetry).toBe('8');
    expect(dic.settings.params.icgn.window).toBe('17');
  });

  it('lists the tracker models once a CNN method is chosen, and refuses one that is not installed', async () => {
    const dic = await withPair();
    expect(fake.modelsList).not.toHaveBeenCalled();
    dic.method = 'cnn-dic';
    await vi.waitFor(() => expect(dic.trackerModelList?.map((m) => m.id)).toEqual(['dicnet-s', 'cade-xst-s']));
    expect(fake.modelsList).toHaveBeenCalledTimes(1);
    dic.setMethodField('model', 'midnet-s');
    expect(dic.validation.errors.model).toBe('The model "midnet-s" is not installed; choose one of dicnet-s, cade-xst-s.');
    expect(dic.runBlocker).toBe('Fix the parameters marked in red.');
    dic.setMethodField('model', 'cade-xst-s');
    expect(dic.validation.errors).toEqual({});
  });

  it('says so when no tracker model is installed', async () => {
    fake.modelsList.mockResolvedValue({ models: [model('midnet-s', 'deblur')], shippedDir: '/m', userDir: null, problems: [] });
    const dic = await withPair();
    dic.method = 'cnn-xst';
    await vi.waitFor(() => expect(dic.trackerModelList).toEqual([]));
    expect(dic.validation.errors.model).toMatch(/No displacement model is installed/);
  });

  it('runs cnn-xst densely with its options (symmetry 8 unless changed), and counts every pixel of the ROI', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 200, height: 200 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    dic.method = 'cnn-xst';
    await vi.waitFor(() => expect(dic.trackerModelList).not.toBeNull());
    dic.setMethodField('passes', '2');
    dic.setRoi({ x: 40, y: 30, width: 110, height: 100 });
    expect(dic.grid).toEqual({ nx: 110, ny: 100, points: 11_000, margin: 0 });
    expect(dic.runBlocker).toBeNull();
    fake.track.mockResolvedValueOnce({ jobId: 3, opened: opened('/res/cnn', 0.4, 'cnn-xst'), messages: [] });
    await dic.startRun();
    expect(fake.track.mock.calls[0][0].params).toEqual({
      refPath: '/data/r.tif',
      defPath: '/data/d.tif',
      method: 'cnn-xst',
      options: { qualityWindow: 15, model: 'cade-xst-s', passes: 2, symmetry: 8 },
      step: 1,
      roi: { x: 40, y: 30, width: 110, height: 100 },
    });
    // a symmetry the core refuses (a damaged setting) blocks the run with the core's words
    dic.setMethodField('symmetry', '2');
    expect(dic.validation.errors.symmetry).toBe('The symmetry averaging 2 must be 1 (off), 4 (flips) or 8 (flips and transposes).');
    expect(dic.runBlocker).toBe('Fix the parameters marked in red.');
    dic.setMethodField('symmetry', '1');
    expect(dic.runBlocker).toBeNull();
    // with polygons the dense count is the selected pixels, with no rectangle to multiply out
    dic.setRoi(null);
    dic.setRoiShapes({ include: [{ points: [[0, 0], [100, 0], [100, 50], [0, 50]] }], exclude: [] });
    expect(dic.grid?.points).toBe(dic.roiPixels);
    expect(dic.grid?.nx).toBeNull();
  });

  it('re-opening a CNN result puts its method and options back in the form', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    const res = opened('/res/xst', 0.3, 'cnn-xst');
    res.result.parameters = { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 21, passes: 4, symmetry: 4, step: 1, roi: null, strainWindow: null } as never;
    fake.resultOpen.mockResolvedValueOnce(res);
    const dic = useDicStore();
    dic.setCommonField('step', '5');
    expect(await dic.openResult('/res/xst')).toBe(true);
    expect(dic.method).toBe('cnn-xst');
    expect(dic.methodForm).toEqual({ window: '21', search: '', model: 'cade-xst-s', passes: '4', symmetry: '4' });
    // the dense run's step 1 does not overwrite the step typed for the grid methods
    expect(dic.settings.common.step).toBe('5');
    expect(dic.settings.roi).toBeNull();

    const seeded = opened('/res/seeded', 0.3, 'cnn+icgn');
    seeded.result.parameters = { model: 'dicnet-s', tile: 1024, overlap: 0, subset: 25, maxIterations: 30, tolerance: 0.001, minZncc: 0.7, step: 3, roi: null, strainWindow: null } as never;
    fake.resultOpen.mockResolvedValueOnce(seeded);
    expect(await dic.openResult('/res/seeded')).toBe(true);
    expect(dic.method).toBe('cnn+icgn');
    expect(dic.methodForm).toEqual({ window: '25', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
    expect(dic.settings.common.step).toBe('3');
    // the cnn-xst form from before is still there
    expect(dic.settings.params['cnn-xst'].passes).toBe('4');
    expect(dic.settings.params['cnn-xst'].symmetry).toBe('4');
  });
});

describe('DIC store: running', () => {
  it('runs with a fresh task id, follows only its own progress, and shows the result', async () => {
    // A realistic image size so the parameters validate.
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 200, height: 200 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    dic.method = 'zncc';
    dic.setMethodField('window', '21');
    dic.setMethodField('search', '8');
    dic.setRoi({ x: 40, y: 30, width: 110, height: 100 });
    expect(dic.runBlocker).toBeNull();

    let finish!: (v: unknown) => void;
    fake.track.mockImplementationOnce(() => new Promise((r) => (finish = r)));
    const running = dic.startRun();
    const call = fake.track.mock.calls[0][0];
    expect(call.taskId).toMatch(/^dic-/);
    expect(call.params).toEqual({
      refPath: '/data/r.tif',
      defPath: '/data/d.tif',
      method: 'zncc',
      options: { window: 21, search: 8 },
      step: 4,
      roi: { x: 40, y: 30, width: 110, height: 100 },
    });
    expect(dic.run.phase).toBe('running');
    expect(dic.runBlocker).toBe('A run is in progress.');
    fake.listeners.forEach((l) => l({ taskId: 'someone-else', fraction: 0.9 }));
    expect(dic.run.fraction).toBe(0);
    fake.listeners.forEach((l) => l({ taskId: call.taskId, fraction: 0.25, message: '4 of 16 tiles' }));
    expect(dic.run.fraction).toBe(0.25);
    expect(dic.run.message).toBe('4 of 16 tiles');

    finish({ jobId: 7, opened: opened('/res/a', 1.3), messages: ['Only 3% of points gave a trustworthy measurement.'] });
    await running;
    expect(dic.run).toMatchObject({ phase: 'done', jobId: 7, fraction: 1 });
    expect(dic.stage).toBe('result');
    expect(dic.messages).toEqual(['Only 3% of points gave a trustworthy measurement.']);
    expect(dic.mapNames).toEqual(['u', 'v', 'mag', 'quality']);
    expect(dic.selectedMap).toBe('u');
    expect(dic.mapRange.lo).toBeCloseTo(-1.3, 5);
    expect(dic.mapRange.hi).toBeCloseTo(1.3, 5);
    expect(dic.settings.resultPath).toBe('/res/a');
    dic.setHover({ x: 2, y: 1 });
    expect(dic.readout.u).toBeCloseTo(1.3, 6);
    expect(dic.readout.v).toBeCloseTo(-0.65, 6);
    expect(dic.readout.mag).toBeCloseTo(Math.hypot(1.3, 0.65), 5);
    dic.setHover({ x: 0, y: 1 });
    expect(Number.isNaN(dic.readout.u!)).toBe(true);
  });

  it('a failure shows the back end sentence; a cancel is not an error', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 200, height: 200 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    fake.track.mockRejectedValueOnce(new ContractError('E_SIZE_MISMATCH', 'd.tif is 10×10 but r.tif is 200×200; both images must have the same size.'));
    await dic.startRun();
    expect(dic.run).toMatchObject({ phase: 'failed', code: 'E_SIZE_MISMATCH' });
    expect(dic.run.error).toMatch(/same size/);

    let reject!: (e: unknown) => void;
    fake.track.mockImplementationOnce(() => new Promise((_, r) => (reject = r)));
    const running = dic.startRun();
    expect(dic.run.error).toBeNull();
    await dic.cancelRun();
    expect(fake.cancel).toHaveBeenCalledWith({ taskId: dic.run.taskId });
    expect(dic.run.cancelling).toBe(true);
    reject(new ContractError('E_CANCELLED', 'Cancelled.'));
    await running;
    expect(dic.run).toMatchObject({ phase: 'cancelled', error: null, cancelling: false });
  });
});

describe('DIC store: results', () => {
  it('re-opens a folder as it was: maps, messages, the form and the input images', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    fake.resultOpen.mockResolvedValueOnce(opened('/res/old', 0.5));
    const dic = useDicStore();
    expect(await dic.openResult(' /res/old ')).toBe(true);
    expect(fake.resultOpen).toHaveBeenCalledWith({ dir: '/res/old' });
    expect(dic.current?.dir).toBe('/res/old');
    expect(dic.messages[0]).toMatch(/rejected/);
    expect(dic.method).toBe('icgn');
    expect(dic.methodForm).toEqual({ window: '15', search: '6', model: '', passes: '', symmetry: '' });
    expect(dic.settings.common.step).toBe('2');
    expect(dic.settings.roi).toEqual({ x: 1, y: 0, width: 3, height: 3 });
    await vi.waitFor(() => expect(dic.refImage?.name).toBe('r2.tif'));
    expect(dic.defImage?.name).toBe('d2.tif');
  });

  it('says why a folder cannot be opened', async () => {
    fake.resultOpen.mockRejectedValueOnce(new ContractError('E_NOT_FOUND', '/res/x is not a result folder (it has no result.json).'));
    const dic = useDicStore();
    expect(await dic.openResult('/res/x')).toBe(false);
    expect(dic.resultError).toMatch(/no result\.json/);
  });

  it('keeps the previous result and compares on one symmetric scale', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    fake.resultOpen.mockResolvedValueOnce(opened('/res/1', 1)).mockResolvedValueOnce(opened('/res/2', 1.5, 'zncc'));
    const dic = useDicStore();
    await dic.openResult('/res/1');
    expect(dic.previous).toBeNull();
    await dic.openResult('/res/2');
    expect(dic.previous?.dir).toBe('/res/1');
    const c = dic.comparison!;
    expect(c.error).toBeNull();
    if (c.error !== null) return;
    expect(c.name).toBe('u');
    expect(c.diff[1]).toBeCloseTo(0.5, 6);
    expect(Number.isNaN(c.diff[0])).toBe(true);
    expect(c.range).toEqual({ lo: -1.5, hi: 1.5 });
    dic.stage = 'compare';
    dic.setHover({ x: 3, y: 2 });
    expect(dic.readout.previous).toBe(1);
    expect(dic.readout.difference).toBeCloseTo(0.5, 6);
    // An unsigned map the user is looking at (|u|) is compared as such, not silently replaced by u.
    dic.selectMap(MAGNITUDE);
    const m = dic.comparison!;
    if (m.error !== null) throw new Error(m.error);
    expect(m.name).toBe(MAGNITUDE);
    expect(m.prev).toBe(dic.previous!.maps[MAGNITUDE]);
  });

  it('a colour range typed by hand stays until Auto, and reversed ranges are refused', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    fake.resultOpen.mockResolvedValueOnce(opened('/res/1', 1));
    const dic = useDicStore();
    await dic.openResult('/res/1');
    dic.setRange(-2, 3);
    expect(dic.mapRange).toEqual({ lo: -2, hi: 3 });
    expect(dic.rangeIsAuto).toBe(false);
    dic.setRange(5, undefined);
    expect(dic.mapRange).toEqual({ lo: -2, hi: 3 });
    dic.autoRangeSelected();
    expect(dic.rangeIsAuto).toBe(true);
    expect(dic.mapRange.hi).toBeCloseTo(1, 6);
  });
});

describe('DIC store: polygon ROI', () => {
  const sq = (x0: number, y0: number, x1: number, y1: number) => ({ points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as [number, number][] });
  async function bigPair() {
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 200, height: 200 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    dic.method = 'zncc';
    dic.setMethodField('window', '21');
    dic.setMethodField('search', '8');
    return dic;
  }

  it('counts the pixels and grid points of polygons minus exclusions, and runs with the region', async () => {
    const dic = await bigPair();
    expect(dic.roiPixels).toBe(40_000);
    dic.setRoiShapes({ include: [sq(20, 20, 120, 120)], exclude: [sq(60, 60, 80, 80)] });
    expect(dic.hasRoi).toBe(true);
    expect(dic.roiPixels).toBe(100 * 100 - 20 * 20);
    // zncc margin 18 → grid x, y = 20, 24, …, 180: 25 × 25 of them in [20, 120), less 5 × 5 in [60, 80)
    expect(dic.grid).toMatchObject({ margin: 18, points: 25 * 25 - 5 * 5 });
    expect(dic.runBlocker).toBeNull();
    fake.track.mockResolvedValueOnce({ jobId: 1, opened: opened('/res/p', 1), messages: [] });
    await dic.startRun();
    expect(fake.track.mock.calls[0][0].params.roi).toEqual({ kind: 'region', include: [sq(20, 20, 120, 120)], exclude: [sq(60, 60, 80, 80)] });
    // with the rectangle too, the rectangle is part of the region's base
    dic.setRoi({ x: 150, y: 150, width: 10, height: 10 });
    expect(dic.roiPixels).toBe(9600 + 100);
    dic.clearRoi();
    expect(dic.hasRoi).toBe(false);
    expect(dic.settings.roi).toBeNull();
    expect(dic.roiShapes).toEqual({ include: [], exclude: [] });
  });

  it('counts pixels and grid points of a region on 8192 × 8192 without a full-size mask', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 8192, height: 8192 }));
    const dic = useDicStore();
    await dic.openPath('ref', '/data/r.tif');
    await dic.openPath('def', '/data/d.tif');
    dic.method = 'zncc';
    dic.setMethodField('window', '21');
    dic.setMethodField('search', '8');
    raster.calls = 0;
    dic.setRoiShapes({ include: [sq(100, 100, 8100, 8000)], exclude: [sq(1000, 1000, 2000, 3000)] });
    expect(dic.roiPixels).toBe(8000 * 7900 - 1000 * 2000);
    // zncc margin 18, step 4: grid x = 20 … 8172; inside [100, 8100) → 100 … 8096 (2000 columns), rows 100 … 7996 (1975)
    expect(dic.grid?.points).toBe(2000 * 1975 - 250 * 500);
    expect(raster.calls).toBe(0);
  });

  it('refuses a 101st polygon and more vertices than a region may have, saying so in the panel', async () => {
    const dic = await bigPair();
    const tri = (k: number) => ({ points: [[k, 0], [k + 1, 0], [k, 1]] as [number, number][] });
    const full = { include: Array.from({ length: ROI_MAX_POLYGONS }, (_, k) => tri(k)), exclude: [] };
    expect(dic.setRoiShapes(full)).toBe(true);
    expect(dic.setRoiShapes({ ...full, include: [...full.include, sq(20, 20, 40, 40)] })).toBe(false);
    expect(dic.roiShapes).toBe(full);
    expect(dic.roiNote).toBe(`The ROI has ${ROI_MAX_POLYGONS + 1} polygons; it may have at most ${ROI_MAX_POLYGONS}. Delete some.`);
    expect(dic.setRoiShapes({ include: full.include.slice(1), exclude: [] })).toBe(true);
    expect(dic.roiNote).toBeNull();
    // the polygon tool's own refusals reach the same line of the panel
    dic.setRoiNote('The ROI already has 100 polygons, the most it may have: delete one before drawing another.');
    expect(dic.roiNote).toMatch(/already has 100 polygons/);
    // shapes already past the limit (from older storage) may shrink, and Run says what is wrong meanwhile
    const ring = (n: number) => ({ points: Array.from({ length: n }, (_, k) => [100 + 50 * Math.cos(k / 2000), 100 + 50 * Math.sin(k / 2000)] as [number, number]) });
    dic.roiShapes = { include: [ring(10_000), ring(10_000), sq(1, 1, 9, 9)], exclude: [] };
    expect(dic.runBlocker).toBe(`The ROI has ${ROI_MAX_TOTAL_VERTICES + 4} vertices in all; it may have at most ${ROI_MAX_TOTAL_VERTICES}. Delete or simplify polygons.`);
    expect(dic.setRoiShapes({ include: [ring(10_000), ring(10_000), sq(1, 1, 9, 9), sq(2, 2, 5, 5)], exclude: [] })).toBe(false);
    dic.deleteRoiPolygon('include', 2);
    expect(dic.roiShapes.include).toHaveLength(2);
    expect(dic.runBlocker).toBeNull();
  });

  it('says so when the exclusions leave nothing to measure', async () => {
    const dic = await bigPair();
    dic.setRoiShapes({ include: [], exclude: [sq(-5, -5, 205, 205)] });
    expect(dic.roiPixels).toBe(0);
    expect(dic.runBlocker).toMatch(/The ROI selects no pixel/);
  });

  it('remembers the polygons across launches and clips them to a smaller reference', async () => {
    const dic = await bigPair();
    dic.setRoiShapes({ include: [sq(100, 100, 190, 190)], exclude: [sq(150, 150, 160, 160)] });
    dic.deleteRoiPolygon('exclude', 0);
    await nextTick();
    setActivePinia(createPinia());
    const again = useDicStore();
    expect(again.roiShapes).toEqual({ include: [sq(100, 100, 190, 190)], exclude: [] });
    again.setRoiShapes({ include: [sq(100, 100, 190, 190), sq(10, 10, 20, 20)], exclude: [] });
    fake.open.mockImplementation(async ({ path }: { path: string }) => ({ ...image(path.split('/').pop()!), width: 150, height: 15 }));
    await again.openPath('ref', '/data/small.tif');
    expect(again.roiShapes.include).toHaveLength(1);
    expect([...again.roiShapes.include[0].points].sort()).toEqual([[10, 10], [10, 15], [20, 10], [20, 15]]);
    expect(again.roiNote).toBe('The ROI polygons were clipped to the 150 × 15 px reference; 1 lay outside it and was removed.');
  });

  it('puts a result’s region back when the result is reopened', async () => {
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path.split('/').pop()!));
    const o = opened('/res/region', 0.5);
    const region = { kind: 'region', rect: { x: 0, y: 0, width: 2, height: 2 }, include: [sq(1, 0, 4, 3)], exclude: [sq(2, 1, 3, 2)] };
    (o.result.parameters as Record<string, unknown>).roi = region;
    fake.resultOpen.mockResolvedValueOnce(o);
    const dic = useDicStore();
    dic.setRoiShapes({ include: [], exclude: [sq(0, 0, 1, 1)] });
    expect(await dic.openResult('/res/region')).toBe(true);
    expect(dic.settings.roi).toEqual({ x: 0, y: 0, width: 2, height: 2 });
    expect(dic.roiShapes).toEqual({ include: [sq(1, 0, 4, 3)], exclude: [sq(2, 1, 3, 2)] });
    // a rectangle-only result clears the polygons drawn since
    fake.resultOpen.mockResolvedValueOnce(opened('/res/rect', 0.5));
    expect(await dic.openResult('/res/rect')).toBe(true);
    expect(dic.roiShapes).toEqual({ include: [], exclude: [] });
    expect(dic.settings.roi).toEqual({ x: 1, y: 0, width: 3, height: 3 });
  });
});
