/**
 * @file The app's watch service on the real engine and the real `watch.task` op (run through an in-process
 * ComputeClient with the compute host's op table, so no process is forked): an `info` rule on a temp
 * folder, images dropped in, events and the app's job store; a bad file; stop; retry and cancel; readable
 * errors for a missing folder, bad rules and rules text.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../shared/contract';
import type { ComputeClient } from '../compute/client';
import { ops } from '../compute/ops';
import { computeRunTask } from '../compute/watch-ops';
import { LabError } from '../errors';
import { encodePngPreview } from '../imageio/write-png';
import { openJobStore, type JobStore } from '../jobs/store';
import { makeProgress } from '../progress';
import { tinyTiff } from '../watch/testing';
import { createWatchService, summariseRules, validateRulesText, type WatchService } from './watch-service';
import { inProcessCompute } from './in-process-compute';


const INFO_RULES = { version: 1, rules: [{ name: 'sem', type: 'single', match: '.*\\.(tif|png)', task: { kind: 'info' } }] };

let dir: string;
let folder: string;
let store: JobStore;
let service: WatchService;
let events: { name: EventName; payload: unknown }[];

function watchEvents(type?: string) {
  return events.filter((e) => e.name === 'watch.event').map((e) => e.payload as EventPayload<'watch.event'>).filter((e) => !type || e.type === type);
}
async function until(pred: () => boolean, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; watch events: ${watchEvents().map((e) => e.type).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function labError(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a LabError');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-watch-service-'));
  folder = join(dir, 'acq');
  await mkdir(folder);
  store = openJobStore(join(dir, 'app', 'jobs.sqlite'));
  events = [];
  service = createWatchService({
    jobs: store,
    compute: inProcessCompute,
    resultsDir: join(dir, 'app', 'results'),
    emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void events.push({ name, payload }),
    engine: { rootCheckMs: 100, backoffMs: 20 },
  });
});
afterEach(async () => {
  await service.shutdown();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('watch service', () => {
  it('runs an info rule on images dropped into the folder: queued → done events, done jobs in the app store, status and stop', async () => {
    const started = await service.start({ folder, rules: INFO_RULES, options: { stableMs: 100 } });
    expect(started).toMatchObject({ running: true, folder, outDir: join(dir, 'app', 'results', 'watch', 'acq'), rulesSource: '(edited rules)' });
    expect(started.rulesSummary?.rules).toEqual([{ name: 'sem', type: 'single', task: 'info', text: 'every file matching ".*\\.(tif|png)" → info (metadata, statistics, preview)' }]);
    expect(events.some((e) => e.name === 'watch.status' && (e.payload as { running: boolean }).running)).toBe(true);

    const png = encodePngPreview({ width: 16, height: 12, data: new Float32Array(16 * 12).map((_, i) => i % 256) });
    await writeFile(join(folder, 'shot_001.png'), png);
    await writeFile(join(folder, 'shot_002.tif'), tinyTiff(2, 16));
    await until(() => watchEvents('job-done').length === 2, 'two jobs done');

    const queued = watchEvents('job-queued') as Extract<EventPayload<'watch.event'>, { type: 'job-queued' }>[];
    expect(queued.map((e) => e.inputs[0]).sort()).toEqual(['shot_001.png', 'shot_002.tif']);
    const types = watchEvents().filter((e) => 'jobId' in e && e.jobId === queued[0].jobId).map((e) => e.type);
    expect(types[0]).toBe('job-queued');
    expect(types).toContain('job-started');
    expect(types.at(-1)).toBe('job-done');
    expect(watchEvents('job-progress').length).toBeGreaterThan(0);

    const done = store.listJobs({ limit: 10, state: 'done' });
    expect(done.total).toBe(2);
    expect(done.jobs.every((j) => j.kind === 'info' && j.resultDir?.startsWith(join(dir, 'app', 'results', 'watch', 'acq')))).toBe(true);
    expect(store.listJobs({ limit: 10, search: 'shot_002' }).jobs).toHaveLength(1);

    const st = service.status();
    expect(st.counts).toMatchObject({ done: 2, failed: 0, queued: 0, running: 0 });
    expect(st.queue.map((q) => q.state)).toEqual(['done', 'done']);
    expect(st.queue[0]).toMatchObject({ kind: 'info', rule: 'sem', fraction: 1 });
    expect(st.queue[0].firstInput).toMatch(/shot_00[12]\.(png|tif)$/);
    await until(() => events.some((e) => e.name === 'jobs.changed'), 'jobs.changed');

    const stopped = await service.stop('stop');
    expect(stopped).toMatchObject({ running: false, folder });
    expect(stopped.stoppedAt).not.toBeNull();
    // stopping twice is harmless
    expect((await service.stop('stop')).running).toBe(false);
  });

  it('records a file that is not an image as failed with a readable reason, and refuses to retry it', async () => {
    await service.start({ folder, rules: INFO_RULES, options: { stableMs: 100 } });
    await writeFile(join(folder, 'notes.tif'), 'this is a text file, renamed\n');
    await until(() => watchEvents('file-failed').length === 1, 'file-failed');
    const ev = watchEvents('file-failed')[0] as Extract<EventPayload<'watch.event'>, { type: 'file-failed' }>;
    expect(ev.rel).toBe('notes.tif');
    expect(ev.reason.length).toBeGreaterThan(10);
    await until(() => service.status().queue[0]?.jobId !== null, 'the failed file row linked to its job');
    const row = service.status().queue[0];
    expect(row).toMatchObject({ key: 'file:notes.tif', state: 'failed', kind: 'watch.file' });
    expect(row.error).toContain(ev.reason);
    expect(service.status().counts.failed).toBe(1);
    const e = await labError(service.retry(row.jobId!));
    expect(e.message).toMatch(/replace the file/);
  });

  it('retries a cancelled job as a new job that runs, and cancels a queued one', async () => {
    // A runTask that waits until cancelled, so jobs stay queued/running as long as the test wants.
    const gate: { release?: () => void } = {};
    await service.shutdown();
    service = createWatchService({
      jobs: store,
      compute: inProcessCompute,
      resultsDir: join(dir, 'app', 'results'),
      emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void events.push({ name, payload }),
      engine: { rootCheckMs: 100, backoffMs: 20 },
      runTask: (kind, params, ctx) =>
        new Promise((res, rej) => {
          gate.release = () => void inProcessCompute.run('watch.task', { kind, params }, { signal: ctx.signal }).then(res as never, rej);
          ctx.signal.addEventListener('abort', () => rej(Object.assign(new Error('cancelled'), { name: 'AbortError' })));
        }),
    });
    await service.start({ folder, rules: INFO_RULES, options: { stableMs: 100 } });
    await writeFile(join(folder, 'a.tif'), tinyTiff(1));
    await writeFile(join(folder, 'b.tif'), tinyTiff(2));
    await until(() => service.status().counts.running === 1 && service.status().counts.queued === 1, 'one running, one queued');
    const running = service.status().queue.find((q) => q.state === 'running')!;
    const queued = service.status().queue.find((q) => q.state === 'queued')!;
    expect(service.cancel(queued.jobId!)).toEqual({ cancelled: true });
    expect(service.cancel(running.jobId!)).toEqual({ cancelled: true });
    await until(() => service.status().counts.cancelled === 2, 'two cancelled');
    expect(store.getJob(running.jobId!)?.state).toBe('cancelled');
    expect(store.getJob(queued.jobId!)?.state).toBe('cancelled');

    gate.release = undefined;
    const again = await service.retry(queued.jobId!);
    expect(again.id).toBeGreaterThan(queued.jobId!);
    expect(['queued', 'running']).toContain(again.state);
    await until(() => store.getJob(again.id)?.state === 'running' && gate.release !== undefined, 'the retry running');
    gate.release!();
    await until(() => store.getJob(again.id)?.state === 'done', 'the retry done');
    expect(service.status().queue.find((q) => q.jobId === again.id)).toMatchObject({ state: 'done', inputs: [queued.inputs[0]] });
    expect(service.status().queue.find((q) => q.jobId === queued.jobId)).toMatchObject({ state: 'cancelled', message: `retried as job ${again.id}` });
    expect((await labError(service.retry(again.id))).message).toMatch(/is done; only a failed or cancelled job/);
    expect((await labError(service.retry(9999))).code).toBe('E_NOT_FOUND');
  });

  it('gives readable errors for a missing folder, a file as folder, bad rules objects and files, and a second start', async () => {
    const missing = join(dir, 'nope');
    const e1 = await labError(service.start({ folder: missing, rules: INFO_RULES, options: {} }));
    expect(e1.code).toBe('E_NOT_FOUND');
    expect(e1.message).toContain(missing);
    expect(e1.file).toBe(missing);

    await writeFile(join(dir, 'file.txt'), 'x');
    expect((await labError(service.start({ folder: join(dir, 'file.txt'), rules: INFO_RULES, options: {} }))).message).toMatch(/is a file, not a folder/);

    const bad = { version: 2, rules: [{ type: 'single', match: '(', task: { kind: 'blur' } }] };
    const e2 = await labError(service.start({ folder, rules: bad, options: {} }));
    expect(e2.code).toBe('E_INVALID_INPUT');
    expect(e2.message).toMatch(/^The rules have 3 mistakes:/);
    expect(e2.message).toContain('version: expected 1');
    expect(e2.message).toContain('rules[0].match: not a valid regular expression');
    expect(e2.message).toContain('rules[0].task.kind');

    const e3 = await labError(service.start({ folder, rules: join(dir, 'missing-rules.json'), options: {} }));
    expect(e3.message).toMatch(/rules file .*missing-rules\.json does not exist/);

    const e4 = await labError(service.start({ folder, rules: INFO_RULES, outDir: join(folder, 'out'), options: {} }));
    expect(e4.message).toMatch(/inside the watched folder/);

    expect(service.status().running).toBe(false);
    await service.start({ folder, rules: INFO_RULES, options: {} });
    expect((await labError(service.start({ folder, rules: INFO_RULES, options: {} }))).message).toMatch(/Already watching/);
  });

  it('validates rules text for the editor: JSON syntax, every mistake, or the summary', () => {
    expect(validateRulesText('   ')).toMatchObject({ ok: false, mistakes: [expect.stringMatching(/empty/)] });
    expect(validateRulesText('{"version": 1,')).toMatchObject({ ok: false, mistakes: [expect.stringMatching(/^Not valid JSON: /)] });
    const r = validateRulesText(JSON.stringify({ version: 1, rules: [{ type: 'pair', reference: 'ref', sample: 's_(\\d+)', task: { kind: 'info' } }] }));
    expect(r.ok).toBe(false);
    expect(r.mistakes).toEqual(expect.arrayContaining([expect.stringMatching(/^rules\[0\]\.reference: needs a capture group/), expect.stringMatching(/^rules\[0\]\.task\.kind: "info" takes one image per job/)]));
    const ok = validateRulesText(JSON.stringify({ version: 1, rules: [{ type: 'series', mode: 'incremental', frames: 'f_(\\d+)\\.tif', task: { kind: 'track', method: 'zncc' } }] }));
    expect(ok).toMatchObject({ ok: true, mistakes: [], summary: { rules: [{ name: 'rule1', type: 'series', task: 'track' }] } });
    expect(ok.summary!.rules[0].text).toBe('each frame "f_(\\d+)\\.tif" against the previous frame → track (zncc, step 8 px)');
  });

  it('gives watched track tasks the tracker threads from Settings, and other tasks none', async () => {
    await service.shutdown();
    const seen: [string, unknown][] = [];
    service = createWatchService({
      jobs: store,
      compute: inProcessCompute,
      resultsDir: join(dir, 'app', 'results'),
      emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void events.push({ name, payload }),
      engine: { rootCheckMs: 100, backoffMs: 20 },
      trackerThreads: async () => 3,
      runTask: async (kind, params, ctx) => {
        seen.push([kind, params.threads]);
        // The info task stands in for both (the test is about the params it receives), writing a real folder.
        return inProcessCompute.run('watch.task', { kind: 'info', params: { path: (params.refPaths as string[] | undefined)?.[0] ?? params.path, outDir: params.outDir } }, { signal: ctx.signal });
      },
    });
    const rules = {
      version: 1,
      rules: [
        { name: 'pair', type: 'pair', reference: 'ref_(\\d+)\\.tif', sample: 'sample_(\\d+)\\.tif', task: { kind: 'track', method: 'zncc' } },
        { name: 'one', type: 'single', match: 'img.*\\.tif', task: { kind: 'info' } },
      ],
    };
    await service.start({ folder, rules, options: { stableMs: 100 } });
    await writeFile(join(folder, 'ref_001.tif'), tinyTiff(1));
    await writeFile(join(folder, 'sample_001.tif'), tinyTiff(2));
    await writeFile(join(folder, 'img1.tif'), tinyTiff(3));
    await until(() => service.status().counts.done === 2, 'both jobs done');
    expect(seen.sort()).toEqual([['info', undefined], ['track', 3]]);
  });

  it('sends each task to the compute host as watch.task (kind, params), forwarding progress and the abort signal', async () => {
    const seen: { op: string; input: unknown; signal?: AbortSignal }[] = [];
    const host: ComputeClient = {
      async run<T>(op: string, input: unknown, opts: { signal?: AbortSignal; onProgress?: (f: number, m?: string) => void } = {}) {
        seen.push({ op, input, signal: opts.signal });
        opts.onProgress?.(0.25, 'reading');
        return { outDir: '/out/x', files: [] } as T;
      },
      async close() {},
    };
    const reports: [number, string | undefined][] = [];
    const ctl = new AbortController();
    const res = await computeRunTask(host)('info', { path: '/a.tif', outDir: '/out/x' }, { signal: ctl.signal, progress: makeProgress((f, m) => reports.push([f, m])) });
    expect(res.outDir).toBe('/out/x');
    expect(seen).toEqual([{ op: 'watch.task', input: { kind: 'info', params: { path: '/a.tif', outDir: '/out/x' } }, signal: ctl.signal }]);
    expect(reports).toEqual([[0.25, 'reading']]);
  });

  it('lists the shipped example rules, each valid', async () => {
    const { examples } = await service.examples();
    expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining(['sem-single', 'dic-pairs']));
    for (const e of examples) expect(validateRulesText(e.text).ok, e.name).toBe(true);
    expect(summariseRules).toBeTypeOf('function');
  });
});
