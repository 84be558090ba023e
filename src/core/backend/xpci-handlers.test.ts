/**
 * @file The X-ray phase calls through the real handlers and the compute host's op table (in process): a
 * small simulated phantom (`xpci.simulate`) is run (`xpci.run`, ZNCC, step 2) as a job with progress, the
 * result opened with its maps, the simulation found as ground truth, and `xpci.profile` samples both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls, type EventName, type EventPayload } from '../../shared/contract';
import { openJobStore, type JobStore } from '../jobs/store';
import { BinaryStore } from './binary-store';
import { inProcessCompute } from './in-process-compute';
import { createBackend, type Backend } from './handlers';


let dir: string;
let store: JobStore;
let backend: Backend;
let events: { name: string; payload: unknown }[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-handlers-'));
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
});
afterEach(async () => {
  await backend.shutdown();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('X-ray phase handlers', () => {
  it('simulates a phantom, runs it as a job, profiles the maps with the ground truth', async () => {
    const sim = await backend.handlers['xpci.simulate'](calls['xpci.simulate'].input.parse({ taskId: 'sim-1', params: { width: 64, height: 48 } }));
    calls['xpci.simulate'].output.parse(sim);
    expect(sim.geometry.pixelUm).toBe(12);
    expect(sim.geometry.distanceM).toBeGreaterThan(0);
    expect(store.getJob(sim.jobId)).toMatchObject({ kind: 'simulate.xpci', state: 'done' });

    const { pixelUm, distanceM, energyKeV } = sim.geometry;
    const input = calls['xpci.run'].input.parse({
      taskId: 'x-1',
      params: { refPath: sim.refPath, samplePath: sim.samplePath, pixelUm, distanceM, energyKeV, method: 'zncc', step: 2 },
    });
    const r = await backend.handlers['xpci.run'](input);
    calls['xpci.run'].output.parse(r);
    expect(r.opened.kind).toBe('xpci');
    expect(r.opened.maps.map((m) => m.name)).toEqual(expect.arrayContaining(['alpha_x', 'alpha_y', 'phase']));
    expect(r.truthDir).toBe(sim.outDir);
    expect(store.getJob(r.jobId)).toMatchObject({ kind: 'xpci', state: 'done', resultDir: r.opened.dir });
    expect(events.some((e) => e.name === 'task.progress' && (e.payload as { taskId: string }).taskId === 'x-1')).toBe(true);

    const p = await backend.handlers['xpci.profile'](calls['xpci.profile'].input.parse({ dir: r.opened.dir, line: { x0: 8, y0: 24, x1: 56, y1: 24, width: 3 } }));
    calls['xpci.profile'].output.parse(p);
    expect(p.s.length).toBe(49);
    expect(p.sUm?.[48]).toBeCloseTo(48 * 12, 6);
    const ax = p.series.find((s) => s.name === 'alpha_x' && s.source === 'measured')!;
    const tx = p.series.find((s) => s.name === 'alpha_x' && s.source === 'truth')!;
    expect(ax.unit).toBe('µrad');
    expect(tx.values.length).toBe(49);
    expect(p.truthDir).toBe(sim.outDir);
  }, 60_000);

  it('refuses a profile of a folder that is not an X-ray phase result', async () => {
    await expect(backend.handlers['xpci.profile']({ dir: join(dir, 'nowhere'), line: { x0: 0, y0: 0, x1: 4, y1: 0, width: 1 } })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
