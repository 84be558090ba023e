/**
 * @file Recovery fault tests, in-process: transient errors retried with exponential back-off (and a
 * give-up retried by the next session), a job whose result folder was renamed into place before a crash
 * adopted rather than recomputed, stale `.partial` folders removed, Ctrl+C-style stop putting running jobs
 * back in the queue for the next start, and the watched folder vanishing mid-session.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WatchEvents } from './events';
import { validateRules } from './rules';
import { startWatch, type WatchSession, type WatchSessionOptions } from './session';
import { runTaskInProcess, type RunTask } from './tasks';
import { Recorder, resultFolders, specklePairBytes, TRACK_RULE } from './testing';

let dir: string;
let root: string;
let out: string;
const sessions: WatchSession[] = [];
const INFO = validateRules({ version: 1, rules: [{ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info' } }] });
const PAIRS = validateRules({ version: 1, rules: [TRACK_RULE] });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-watch-rec-'));
  root = join(dir, 'acq');
  out = join(dir, 'results');
  await mkdir(root);
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

async function session(opts: Partial<WatchSessionOptions> = {}): Promise<{ s: WatchSession; rec: Recorder }> {
  if (!INFO.ok || !PAIRS.ok) throw new Error('test rules invalid');
  const events = new WatchEvents();
  const rec = new Recorder(events);
  const s = await startWatch({ root, outDir: out, rules: INFO.rules, events, stableMs: 100, completeTimeoutMs: 1500, rootCheckMs: 100, backoffMs: 20, ...opts });
  sessions.push(s);
  return { s, rec };
}

const ebusy = () => Object.assign(new Error('EBUSY: resource busy or locked, open (the detector software still holds it)'), { code: 'EBUSY' });

describe('watch recovery', () => {
  it('retries a transient error with exponential back-off, then succeeds', async () => {
    await writeFile(join(root, 'a.tif'), (await specklePairBytes(1)).ref);
    let failures = 2;
    const runTask: RunTask = async (kind, params, ctx) => {
      if (failures-- > 0) throw ebusy();
      return runTaskInProcess(kind, params, ctx);
    };
    const { s, rec } = await session({ runTask, maxAttempts: 4 });
    await s.whenIdle();
    expect(rec.of('job-retry').map((e) => [e.attempt, e.delayMs, e.code])).toEqual([[2, 20, 'E_IO'], [3, 40, 'E_IO']]);
    expect(rec.of('job-done')).toHaveLength(1);
  });

  it('gives up after maxAttempts with a transient failure, which the next session tries again', async () => {
    await writeFile(join(root, 'a.tif'), (await specklePairBytes(1)).ref);
    const first = await session({ runTask: async () => { throw ebusy(); }, maxAttempts: 3 });
    await first.s.whenIdle();
    const failed = first.rec.of('job-failed');
    expect(failed.map((e) => [e.code, e.permanent])).toEqual([['E_IO', false]]);
    expect(failed[0].reason).toMatch(/\(gave up after 3 attempts\)$/);
    expect(first.s.store.getJob(failed[0].jobId)?.error).toMatch(/^E_IO: EBUSY/);
    await first.s.stop();
    const second = await session();
    await second.s.whenIdle();
    expect(second.rec.of('job-skipped')).toHaveLength(0);
    expect(second.rec.of('job-done')).toHaveLength(1);
  });

  it('adopts a result folder renamed into place before a crash, and removes stale partial folders', async () => {
    await writeFile(join(root, 'a.tif'), (await specklePairBytes(1)).ref);
    const first = await session();
    await first.s.whenIdle();
    const done = first.rec.of('job-done')[0];
    await first.s.stop();
    // The state a crash between the rename and markDone leaves behind, plus a killed writer's temp folder.
    const db = new DatabaseSync(join(out, 'jobs.sqlite'));
    db.exec(`UPDATE jobs SET state = 'running', result_dir = NULL WHERE id = ${done.jobId}; DELETE FROM results WHERE job_id = ${done.jobId}`);
    db.close();
    await mkdir(join(out, '.i_b_job7.partial-999999-1'));
    await writeFile(join(out, '.i_b_job7.partial-999999-1', 'u.tif'), 'half');
    let calls = 0;
    const second = await session({ runTask: async (k, p, c) => (calls++, runTaskInProcess(k, p, c)) });
    await second.s.whenIdle();
    expect(second.rec.of('job-done')).toMatchObject([{ jobId: done.jobId, adopted: true, outDir: done.outDir }]);
    expect(calls).toBe(0);
    expect(second.s.store.getResults(done.jobId).map((f) => f.name)).toEqual(['preview.png', 'result.json']);
    const res = await resultFolders(out);
    expect(res.folders).toHaveLength(1);
    expect(res.hidden.filter((h) => h.includes('.partial-'))).toEqual([]);
  });

  it('on stop, gives a running job back to the queue; the next start runs it to the end', async () => {
    await writeFile(join(root, 'a.tif'), (await specklePairBytes(1)).ref);
    const hang: RunTask = (_k, _p, ctx) =>
      new Promise((_res, rej) => {
        const stop = () => rej(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        if (ctx.signal.aborted) stop();
        ctx.signal.addEventListener('abort', stop);
      });
    const first = await session({ runTask: hang });
    await first.rec.until(() => first.rec.of('job-started').length === 1);
    await first.s.stop();
    const id = first.rec.of('job-started')[0].jobId;
    expect(first.rec.of('job-requeued').map((e) => e.jobId)).toEqual([id]);
    const second = await session();
    await second.s.whenIdle();
    expect(second.rec.of('job-started')).toMatchObject([{ jobId: id, attempt: 2 }]);
    expect(second.rec.of('job-done').map((e) => e.jobId)).toEqual([id]);
    expect(second.rec.of('job-queued')).toHaveLength(0); // the rescan found it already queued
    expect((await readdir(out)).filter((n) => !n.startsWith('jobs.sqlite'))).toHaveLength(1);
  });

  it('keeps going when the watched folder is deleted and re-created mid-session', async () => {
    if (!PAIRS.ok) throw new Error('rules');
    const { s, rec } = await session({ rules: PAIRS.rules });
    const p1 = await specklePairBytes(1);
    await writeFile(join(root, 'ref_001.tif'), p1.ref);
    await writeFile(join(root, 'sample_001.tif'), p1.def);
    await rec.until(() => rec.of('job-done').length === 1);
    await rm(root, { recursive: true });
    await rec.until(() => rec.of('folder-missing').length === 1);
    await new Promise((r) => setTimeout(r, 300));
    await mkdir(root);
    const p2 = await specklePairBytes(2);
    await writeFile(join(root, 'ref_002.tif'), p2.ref);
    await writeFile(join(root, 'sample_002.tif'), p2.def);
    await rec.until(() => rec.of('job-done').length === 2);
    await writeFile(join(root, 'ref_001.tif'), p1.ref); // an old file copied back: identical, skipped
    await writeFile(join(root, 'sample_001.tif'), p1.def);
    await rec.until(() => rec.of('job-skipped').length >= 1);
    await s.whenIdle();
    expect(rec.of('job-queued')).toHaveLength(2);
    expect(rec.of('folder-back')).toHaveLength(1);
    expect(rec.of('job-failed')).toHaveLength(0);
    expect((await resultFolders(out)).folders).toHaveLength(2);
  });
});
