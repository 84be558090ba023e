/**
 * @file The restoration calls through the real handlers and the compute host's op table (in process):
 * deblurring (Richardson–Lucy) and super-resolution (bicubic ×2) run as jobs with progress events, return
 * result.json, the metrics block and both images opened like `image.open`; a cancelled run ends as a
 * cancelled job; the kernel preview draws a spec's kernel.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls, type EventName, type EventPayload } from '../../shared/contract';
import { encodeTiff8 } from '../imageio/write-tiff';
import { openJobStore, type JobStore } from '../jobs/store';
import { quietContext } from '../progress';
import { gaussianBlur } from '../restore/deblur/richardson-lucy';
import { scene } from '../restore/deblur/test-support';
import { BinaryStore } from './binary-store';
import { inProcessCompute } from './in-process-compute';
import { createBackend, type Backend } from './handlers';


let dir: string;
let store: JobStore;
let backend: Backend;
let events: { name: string; payload: unknown }[];
let img: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-restore-handlers-'));
  store = openJobStore(join(dir, 'jobs.sqlite'));
  events = [];
  backend = createBackend({
    compute: inProcessCompute,
    jobs: store,
    binaries: new BinaryStore(),
    transport: 'browser-harness',
    binaryUrl: (kind, id) => `/bin/${kind}/${id}`,
    resultsDir: join(dir, 'results'),
    emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void events.push({ name, payload }),
  });
  const sharp = scene(64, 48, 5);
  const blurred = await gaussianBlur(sharp, 64, 48, 1.5, quietContext());
  img = join(dir, 'sem.tif');
  await writeFile(img, encodeTiff8({ width: 64, height: 48, data: Float32Array.from(blurred, (v) => Math.round(v)) }));
});
afterEach(async () => {
  await backend.shutdown();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('restoration handlers', () => {
  it('deblurs as a job: progress events, result.json, metrics and both images opened', async () => {
    const input = calls['restore.deblur'].input.parse({ taskId: 'db-1', params: { inPath: img, method: 'richardson-lucy', options: { iterations: 8 } } });
    const r = await backend.handlers['restore.deblur'](input);
    calls['restore.deblur'].output.parse(r);
    expect(r.outDir.startsWith(join(dir, 'results'))).toBe(true);
    const onDisk = JSON.parse(await readFile(join(r.outDir, 'result.json'), 'utf8'));
    expect(r.result).toEqual(onDisk);
    expect(r.metrics).toEqual(onDisk.metrics);
    expect([r.input.width, r.input.height, r.output.width, r.output.height]).toEqual([64, 48, 64, 48]);
    expect(r.output.path).toBe(join(r.outDir, 'deblurred.tif'));
    expect(r.output.dataUrl).toMatch(/^\/bin\/image\//);
    expect(store.getJob(r.jobId)).toMatchObject({ kind: 'deblur', state: 'done', resultDir: r.outDir });
    expect(events.some((e) => e.name === 'task.progress' && (e.payload as { taskId: string }).taskId === 'db-1')).toBe(true);
  });

  it('super-resolves ×2 (bicubic) as a job; the output is twice the size', async () => {
    const input = calls['restore.sr'].input.parse({ taskId: 'sr-1', params: { inPath: img, scale: 2, method: 'bicubic' } });
    const r = await backend.handlers['restore.sr'](input);
    expect([r.output.width, r.output.height]).toEqual([128, 96]);
    expect(r.result.kind).toBe('super-resolution');
    expect(store.getJob(r.jobId)).toMatchObject({ kind: 'super-resolution', state: 'done' });
  });

  it('a cancelled run ends as a cancelled job', async () => {
    // (Richardson–Lucy checks for cancellation every 64 rows, so this image has more)
    const big = join(dir, 'big.tif');
    await writeFile(big, encodeTiff8({ width: 96, height: 128, data: scene(96, 128, 2) }));
    const input = calls['restore.deblur'].input.parse({ taskId: 'db-2', params: { inPath: big, method: 'richardson-lucy', options: { sigma: 1.5, iterations: 1000 } } });
    const pending = backend.handlers['restore.deblur'](input);
    expect(await backend.handlers['task.cancel']({ taskId: 'db-2' })).toEqual({ cancelled: true });
    await expect(pending).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const jobs = store.listJobs({ limit: 10 }).jobs;
    expect(jobs[0]).toMatchObject({ kind: 'deblur', state: 'cancelled' });
  });

  it('draws a kernel spec and says whether the 12 standard kernels exist', async () => {
    const k = await backend.handlers['restore.kernelPreview'](calls['restore.kernelPreview'].input.parse({ kernel: 'gauss:1.6', scale: 2 }));
    expect(k.values).toHaveLength(k.width * k.height);
    expect(k.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(k.description).toMatch(/Gaussian/);
    await expect(backend.handlers['restore.kernelPreview']({ kernel: 'gauss:x', scale: 2 })).rejects.toMatchObject({ code: 'E_INVALID_INPUT' });
    const k12 = await backend.handlers['restore.kernels12']({});
    expect(typeof k12.available).toBe('boolean');
    if (k12.available) expect(k12.kernels).toHaveLength(12);
  });
});
