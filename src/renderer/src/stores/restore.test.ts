import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { ContractError } from '../../../shared/result';

// The store reaches the back end only through ../api; replace it with a scripted fake (test/fake-lab).
const fake = await vi.hoisted(async () =>
  (await import('../test/fake-lab')).fakeLab({
    deblur: vi.fn(),
    sr: vi.fn(),
    kernelPreview: vi.fn(async () => ({ width: 3, height: 3, values: [0, 0.1, 0, 0.1, 0.6, 0.1, 0, 0.1, 0], max: 0.6, description: 'test kernel' })),
    kernels12: vi.fn(async () => ({ available: false, path: null, reason: 'not found', kernels: [] })),
  }),
);
vi.mock('../api', async () =>
  (await import('../test/fake-lab')).fakeApi(fake, {
    'restore.deblur': fake.deblur,
    'restore.sr': fake.sr,
    'restore.kernelPreview': fake.kernelPreview,
    'restore.kernels12': fake.kernels12,
  }),
);

const { useRestoreStore } = await import('./restore');
const { SETTINGS_KEY } = await import('../lib/restore');

function image(path: string, width: number, height: number, fill = 1) {
  const name = path.split('/').pop()!;
  const dataUrl = `/bin/${path}`;
  fake.blobs.set(dataUrl, new Float32Array(width * height).map((_, i) => fill + i));
  return {
    id: path,
    path,
    name,
    width,
    height,
    sizeBytes: width * height,
    sha256: 'ab'.repeat(32),
    meta: { format: 'tiff' as const, sampleType: 'uint8' as const, bitsPerSample: 8, samplesPerPixel: 1, colour: 'grey' as const, pageCount: 1 },
    stats: { min: 0, max: 255, mean: 100, std: 10, nonFinite: 0, histogram: new Array(256).fill(1) },
    dataUrl,
  };
}

function output(kind: 'deblur' | 'super-resolution', inPath: string, s: number, withRef = false) {
  const input = image(inPath, 2, 2);
  const out = image(`/results/r1/${kind === 'deblur' ? 'deblurred' : 'sr'}.tif`, 2 * s, 2 * s, 10);
  const metrics = {
    dataRange: 255,
    dataRangeSource: "nominal range of the input's uint8 (8-bit) type",
    border: 0,
    reference: withRef ? { psnrDb: { input: 24.5, output: 28.25 }, ssim: { input: 0.71, output: 0.83 } } : null,
    sharpness: { input: { tenengrad: 0.01, laplacianVariance: 0.002, dataRange: 255 }, output: { tenengrad: 0.03, laplacianVariance: 0.004, dataRange: 255 } },
  };
  const result = { kind, method: kind === 'deblur' ? 'midnet' : 'bicubic', model: { id: 'midnet-s', sha256: 'x' }, executionProvider: 'cpu', metrics, timingsMs: { total: 1234 } };
  return { jobId: 7, outDir: '/results/r1', result, input, output: out, metrics, messages: ['a note'] };
}

beforeEach(() => {
  fake.mem.clear();
  fake.listeners.length = 0;
  vi.clearAllMocks();
  setActivePinia(createPinia());
});

describe('restore store', () => {
  it('opens the image, runs a deblur with progress, and shows the result with its metrics', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path, 2, 2));
    expect(rs.runBlocker).toBe('Open the image to restore first.');
    await rs.openPath('in', '/data/sem.tif');
    expect(rs.inImage?.name).toBe('sem.tif');
    expect(rs.frameSize).toEqual({ width: 2, height: 2 });
    expect(rs.runBlocker).toBeNull();

    let resolve!: (v: unknown) => void;
    fake.deblur.mockImplementation(() => new Promise((r) => (resolve = r)));
    const done = rs.startRun();
    expect(rs.run.phase).toBe('running');
    const call = fake.deblur.mock.calls[0][0] as { taskId: string; params: unknown };
    expect(call.params).toEqual({ inPath: '/data/sem.tif', method: 'midnet', options: {} });
    fake.listeners.forEach((l) => l({ taskId: call.taskId, fraction: 0.5, message: 'tile 1' }));
    expect(rs.run.fraction).toBe(0.5);
    resolve(output('deblur', '/data/sem.tif', 1, true));
    await done;
    expect(rs.run.phase).toBe('done');
    expect(rs.result?.metrics.reference).toEqual({ psnrIn: 24.5, psnrOut: 28.25, ssimIn: 0.71, ssimOut: 0.83, inputLabel: 'input' });
    expect(rs.result?.metrics.models).toEqual(['midnet-s']);
    expect(rs.result?.metrics.provider).toBe('cpu');
    expect(rs.messages).toEqual(['a note']);
    expect(Array.from(rs.afterPixels!)).toEqual([10, 11, 12, 13]);
  });

  it('on a mode switch hides the other mode\'s result, keeps the files, and says when the reference is for the other mode', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path, 2, 2));
    await rs.openPath('in', '/data/sem.tif');
    await rs.openPath('ref', '/data/ref.tif');
    fake.deblur.mockResolvedValue(output('deblur', '/data/sem.tif', 1, true));
    await rs.startRun();
    expect(rs.result).not.toBeNull();
    expect(rs.run.phase).toBe('done');

    rs.settings.mode = 'sr';
    rs.settings.sr.scale = 4;
    await nextTick();
    expect(rs.result).toBeNull();
    expect(rs.afterPixels).toBeNull();
    expect(rs.messages).toEqual([]);
    expect(rs.run.phase).toBe('idle');
    expect(rs.inImage?.path).toBe('/data/sem.tif');
    expect(rs.refImage?.path).toBe('/data/ref.tif');
    // the deblur reference (same size as the input) is named as such, and blocks until removed
    expect(rs.refMismatch).toMatch(/deblurring reference.*×4 super-resolution needs one of 8 × 8 px.*Remove it/);
    expect(rs.runBlocker).toBe(rs.refMismatch);
    rs.clearRef();
    expect(rs.runBlocker).toBeNull();

    // back to deblur: an SR result goes too; an SR-sized reference is named as such
    fake.sr.mockResolvedValue(output('super-resolution', '/data/sem.tif', 4));
    rs.settings.sr.method = 'bicubic';
    await rs.startRun();
    expect(rs.result?.mode).toBe('sr');
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path, 8, 8));
    await rs.openPath('ref', '/data/ref4.tif');
    rs.settings.mode = 'deblur';
    await nextTick();
    expect(rs.result).toBeNull();
    expect(rs.refMismatch).toMatch(/4× the image \(a super-resolution reference\)/);
  });

  it('maps an SR input onto the output grid by pixel repetition', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path, 2, 2));
    await rs.openPath('in', '/data/sem.tif');
    rs.settings.mode = 'sr';
    rs.settings.sr.method = 'bicubic';
    fake.sr.mockResolvedValue(output('super-resolution', '/data/sem.tif', 2));
    await rs.startRun();
    expect(fake.sr.mock.calls[0][0].params).toEqual({ inPath: '/data/sem.tif', scale: 2, method: 'bicubic' });
    expect(rs.frameSize).toEqual({ width: 4, height: 4 });
    expect(rs.result?.scale).toBe(2);
    // input [1 2; 3 4] → each value a 2×2 block
    expect(Array.from(rs.beforePixels!)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('sends the USRNet kernel and noise, and blocks a run on a bad kernel field or a reference of the wrong size', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => (path.includes('ref') ? image(path, 3, 3) : image(path, 2, 2)));
    await rs.openPath('in', '/data/sem.tif');
    rs.settings.mode = 'sr';
    rs.settings.sr.method = 'usrnet';
    rs.settings.sr.kernel.kind = 'gauss';
    rs.settings.sr.kernel.sigma = 'abc';
    expect(rs.runBlocker).toMatch(/σ must be a number/);
    rs.settings.sr.kernel.sigma = '1.6';
    rs.settings.sr.noise = '2.55';
    expect(rs.runBlocker).toBeNull();
    await rs.openPath('ref', '/data/ref.tif');
    expect(rs.refMismatch).toMatch(/must be exactly 4 × 4 px/);
    expect(rs.runBlocker).toBe(rs.refMismatch);
    rs.clearRef();
    fake.sr.mockResolvedValue(output('super-resolution', '/data/sem.tif', 2));
    await rs.startRun();
    expect(fake.sr.mock.calls[0][0].params).toEqual({ inPath: '/data/sem.tif', scale: 2, method: 'usrnet', kernel: 'gauss:1.6', noise: 2.55 });
  });

  it('ends as failed with the back end\'s sentence, or as cancelled', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => image(path, 2, 2));
    await rs.openPath('in', '/data/sem.tif');
    fake.deblur.mockRejectedValueOnce(new ContractError('E_NOT_FOUND', 'Model "midnet-s" is not installed.'));
    await rs.startRun();
    expect(rs.run.phase).toBe('failed');
    expect(rs.run.error).toBe('Model "midnet-s" is not installed.');

    let reject!: (e: unknown) => void;
    fake.deblur.mockImplementation(() => new Promise((_, r) => (reject = r)));
    const p = rs.startRun();
    await rs.cancelRun();
    expect(fake.cancel).toHaveBeenCalledWith({ taskId: rs.run.taskId });
    reject(new ContractError('E_CANCELLED', 'The task was cancelled.'));
    await p;
    expect(rs.run.phase).toBe('cancelled');
    expect(rs.run.error).toBeNull();
  });

  it('runs a batch one file after the other with per-file state', async () => {
    const rs = useRestoreStore();
    rs.settings.deblur.method = 'richardson-lucy';
    rs.setBatch(['/a.tif', '/b.tif', '/a.tif', ' ']);
    expect(rs.batch.map((b) => b.path)).toEqual(['/a.tif', '/b.tif']);
    fake.deblur
      .mockResolvedValueOnce(output('deblur', '/a.tif', 1))
      .mockRejectedValueOnce(new ContractError('E_CORRUPT', 'b.tif is not an image.'));
    await rs.runBatch();
    expect(fake.deblur.mock.calls.map((c) => c[0].params.inPath)).toEqual(['/a.tif', '/b.tif']);
    expect(rs.batch.map((b) => [b.state, b.error])).toEqual([
      ['done', null],
      ['failed', 'b.tif is not an image.'],
    ]);
    expect(rs.batchRunning).toBe(false);
  });

  it('persists the settings and fetches the kernel preview', async () => {
    vi.useFakeTimers();
    try {
      const rs = useRestoreStore();
      rs.settings.mode = 'sr';
      rs.settings.sr.scale = 3;
      rs.settings.sr.method = 'usrnet';
      rs.settings.sr.kernel.kind = 'motion';
      await nextTick();
      await vi.advanceTimersByTimeAsync(300);
      expect(fake.kernelPreview).toHaveBeenLastCalledWith({ kernel: 'motion:9,0', scale: 3 });
      expect(rs.kernelPreview?.description).toBe('test kernel');
      const saved = JSON.parse(fake.mem.get(SETTINGS_KEY)!);
      expect(saved.mode).toBe('sr');
      expect(saved.sr.scale).toBe(3);
      expect(saved.sr.kernel.kind).toBe('motion');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reopens a Richardson–Lucy result folder: its images, before / after, metrics and options as it ran', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => (path.startsWith('/results/') ? image(path, 2, 2, 10) : image(path, 2, 2)));
    // the form holds something else, and another image is open
    rs.settings.mode = 'sr';
    rs.settings.deblur = { method: 'midnet', sigma: '9', iterations: '5' };
    await rs.openPath('in', '/data/other.tif');
    const result = {
      kind: 'deblur',
      method: 'richardson-lucy',
      parameters: { sigmaPx: 1.75, sigmaSource: 'given', iterations: 40, psf: 'Gaussian', border: 0 },
      inputs: [
        { role: 'blurry', path: '/data/sem.tif', name: 'sem.tif' },
        { role: 'reference', path: '/data/sharp.tif', name: 'sharp.tif' },
      ],
      metrics: output('deblur', '/data/sem.tif', 1, true).metrics,
      messages: ['recorded'],
      output: { file: 'deblurred.tif', width: 2, height: 2 },
    };
    fake.resultOpen.mockResolvedValueOnce({ dir: '/results/rl', kind: 'deblur', result, maps: [] });
    expect(await rs.openResult('/results/rl')).toBe(true);
    expect(fake.open).toHaveBeenCalledWith({ path: '/results/rl/deblurred.tif' });
    expect(rs.inImage?.path).toBe('/data/sem.tif');
    expect(rs.refImage?.path).toBe('/data/sharp.tif');
    expect(rs.settings.mode).toBe('deblur');
    expect(rs.settings.deblur).toEqual({ method: 'richardson-lucy', sigma: '1.75', iterations: '40' });
    expect(rs.result?.out.outDir).toBe('/results/rl');
    expect(rs.result?.metrics.reference?.psnrOut).toBe(28.25);
    expect(Array.from(rs.beforePixels!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(rs.afterPixels!)).toEqual([10, 11, 12, 13]);
    expect(rs.messages).toEqual(['recorded']);
    // Run now repeats that run
    expect(rs.runBlocker).toBeNull();
    fake.deblur.mockResolvedValueOnce(output('deblur', '/data/sem.tif', 1, true));
    await rs.startRun();
    expect(fake.deblur.mock.calls[0][0].params).toEqual({ inPath: '/data/sem.tif', refPath: '/data/sharp.tif', method: 'richardson-lucy', options: { sigma: 1.75, iterations: 40 } });
  });

  it('reopens a USRNet result with its scale, kernel and noise, and no reference', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => (path.startsWith('/results/') ? image(path, 4, 4, 10) : image(path, 2, 2)));
    await rs.openPath('ref', '/data/old-ref.tif');
    const result = {
      kind: 'super-resolution',
      method: 'usrnet',
      parameters: { scale: 2, kernel: { spec: 'motion:9,30', description: 'motion' }, noise: { greyLevels: 2.55, unitScale: 0.01 } },
      inputs: [{ role: 'input', path: '/data/small.tif' }],
      metrics: output('super-resolution', '/data/small.tif', 2).metrics,
      output: { file: 'sr.tif', width: 4, height: 4 },
    };
    fake.resultOpen.mockResolvedValueOnce({ dir: '/results/sr', kind: 'super-resolution', result, maps: [] });
    expect(await rs.openResult('/results/sr')).toBe(true);
    expect(rs.refImage).toBeNull();
    expect(rs.settings.mode).toBe('sr');
    expect(rs.settings.sr).toMatchObject({ scale: 2, method: 'usrnet', noise: '2.55' });
    expect(rs.settings.sr.kernel).toMatchObject({ kind: 'motion', length: '9', angle: '30' });
    expect(rs.kernel.spec).toBe('motion:9,30');
    expect(rs.result?.scale).toBe(2);
    expect(rs.frameSize).toEqual({ width: 4, height: 4 });
  });

  it('an open overtaken by a newer one shows nothing and says nothing: false, no resultError', async () => {
    const rs = useRestoreStore();
    fake.open.mockImplementation(async ({ path }: { path: string }) => (path.startsWith('/results/') ? image(path, 2, 2, 10) : image(path, 2, 2)));
    const folder = (dir: string, method: string) => ({
      dir, kind: 'deblur', maps: [],
      result: { kind: 'deblur', method, parameters: { sigmaPx: 1.5, iterations: 20 }, inputs: [{ role: 'blurry', path: '/data/sem.tif' }], output: { file: 'deblurred.tif' }, metrics: {} },
    });
    let olderThere!: () => void;
    fake.resultOpen.mockImplementation(({ dir }: { dir: string }) =>
      dir === '/results/old' ? new Promise((res) => (olderThere = () => res(folder(dir, 'midnet')))) : Promise.resolve(folder(dir, 'richardson-lucy')),
    );
    const older = rs.openResult('/results/old');
    expect(await rs.openResult('/results/new')).toBe(true);
    olderThere();
    expect(await older).toBe(false);
    expect(rs.resultError).toBeNull();
    expect(rs.result?.out.outDir).toBe('/results/new');
    expect(rs.settings.deblur.method).toBe('richardson-lucy');
  });

  it('says why a result folder cannot be reopened', async () => {
    const rs = useRestoreStore();
    fake.resultOpen.mockRejectedValueOnce(new ContractError('E_NOT_FOUND', '/results/gone is not a result folder (it has no result.json).'));
    expect(await rs.openResult('/results/gone')).toBe(false);
    expect(rs.resultError).toContain('no result.json');
    fake.resultOpen.mockResolvedValueOnce({ dir: '/results/t', kind: 'track', result: { kind: 'track' }, maps: [] });
    expect(await rs.openResult('/results/t')).toBe(false);
    expect(rs.resultError).toContain('"track"');
    // the input image is gone: said so, nothing half shown
    fake.open.mockRejectedValue(new ContractError('E_NOT_FOUND', 'No such file: /data/moved.tif'));
    fake.resultOpen.mockResolvedValueOnce({
      dir: '/results/m', kind: 'deblur', maps: [],
      result: { kind: 'deblur', method: 'midnet', inputs: [{ role: 'blurry', path: '/data/moved.tif' }], output: { file: 'deblurred.tif' } },
    });
    expect(await rs.openResult('/results/m')).toBe(false);
    expect(rs.resultError).toContain('/data/moved.tif');
    expect(rs.result).toBeNull();
  });
});
