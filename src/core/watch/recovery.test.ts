/**
 * @file Recovery fault tests, in-process: transient errors retried with exponential back-off (and a
 * give-up retried by the next session), a job whose result folder was renamed into place before a crash
 * adopted rather than recomputed (but never a same-named folder made from other inputs), stale `.partial`
 * folders removed, Ctrl+C-style stop putting running jobs back in the queue for the next start, the watched
 * folder vanishing mid-session, an input gone when its job runs, and a job database that refuses writes.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openJobStore, type JobStore } from '../jobs/store';
import { sha256File } from '../results/result-folder';
import { isRetryableFailure } from './job-runner';
import type { WatchSessionOptions } from './session';
import { runTaskInProcess, type RunTask } from './tasks';
import { checksums, resultFolders, rulesOf, specklePairBytes, TRACK_RULE, watchTestDirs } from './testing';

const INFO = rulesOf({ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info' } });
const PAIRS = rulesOf(TRACK_RULE);
const w = watchTestDirs('lab-watch-rec-');
const session = (opts: Partial<WatchSessionOptions> = {}) => w.session(INFO, opts);

/** An open job store whose state writes throw SQLITE_FULL while `full.markDone` / `full.markFailed` count down (-1: until set to 0). */
function fullDiskStore(path: string, full: { markDone: number; markFailed: number }): JobStore {
  const store = openJobStore(path);
  const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
  return new Proxy(store, {
    get(target, key) {
      if (key === 'markDone' || key === 'markFailed') {
        return (...args: unknown[]) => {
          if (full[key] !== 0) {
            if (full[key] > 0) full[key]--;
            throw diskFull();
          }
          return (target[key] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const ebusy = () => Object.assign(new Error('EBUSY: resource busy or locked, open (the detector software still holds it)'), { code: 'EBUSY' });

describe('watch recovery', () => {
  it('retries a transient error with exponential back-off, then succeeds', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
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
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
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
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    const first = await session();
    await first.s.whenIdle();
    const done = first.rec.of('job-done')[0];
    await first.s.stop();
    // The state a crash between the rename and markDone leaves behind, plus a killed writer's temp folder.
    const db = new DatabaseSync(join(w.out, 'jobs.sqlite'));
    db.exec(`UPDATE jobs SET state = 'running', result_dir = NULL WHERE id = ${done.jobId}; DELETE FROM results WHERE job_id = ${done.jobId}`);
    db.close();
    await mkdir(join(w.out, '.i_b_job7.partial-999999-1'));
    await writeFile(join(w.out, '.i_b_job7.partial-999999-1', 'u.tif'), 'half');
    let calls = 0;
    const second = await session({ runTask: async (k, p, c) => (calls++, runTaskInProcess(k, p, c)) });
    await second.s.whenIdle();
    expect(second.rec.of('job-done')).toMatchObject([{ jobId: done.jobId, adopted: true, outDir: done.outDir }]);
    expect(calls).toBe(0);
    expect(second.s.store.getResults(done.jobId).map((f) => f.name)).toEqual(['preview.png', 'result.json']);
    const res = await resultFolders(w.out);
    expect(res.folders).toHaveLength(1);
    expect(res.hidden.filter((h) => h.includes('.partial-'))).toEqual([]);
  });

  it('on stop, gives a running job back to the queue; the next start runs it to the end', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
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
    expect((await readdir(w.out)).filter((n) => !n.startsWith('jobs.sqlite'))).toHaveLength(1);
  });

  it('keeps going when the watched folder is deleted and re-created mid-session', async () => {
    const { s, rec } = await session({ rules: PAIRS });
    const p1 = await specklePairBytes(1);
    await writeFile(join(w.root, 'ref_001.tif'), p1.ref);
    await writeFile(join(w.root, 'sample_001.tif'), p1.def);
    await rec.until(() => rec.of('job-done').length === 1);
    await rm(w.root, { recursive: true });
    await rec.until(() => rec.of('folder-missing').length === 1);
    await new Promise((r) => setTimeout(r, 300));
    await mkdir(w.root);
    const p2 = await specklePairBytes(2);
    await writeFile(join(w.root, 'ref_002.tif'), p2.ref);
    await writeFile(join(w.root, 'sample_002.tif'), p2.def);
    await rec.until(() => rec.of('job-done').length === 2);
    await writeFile(join(w.root, 'ref_001.tif'), p1.ref); // an old file copied back: identical, skipped
    await writeFile(join(w.root, 'sample_001.tif'), p1.def);
    await rec.until(() => rec.of('job-skipped').length >= 1);
    await s.whenIdle();
    expect(rec.of('job-queued')).toHaveLength(2);
    expect(rec.of('folder-back')).toHaveLength(1);
    expect(rec.of('job-failed')).toHaveLength(0);
    expect((await resultFolders(w.out)).folders).toHaveLength(2);
  });
  it('never adopts a same-named result folder made from other inputs (a new job database starts ids at 1 again); writes beside it', async () => {
    const p = await specklePairBytes(1);
    await writeFile(join(w.root, 'a.tif'), p.ref);
    const first = await session();
    await first.s.whenIdle();
    const old = first.rec.of('job-done')[0];
    await first.s.stop();
    const oldFiles = await checksums(old.outDir);
    // The next experiment: same folder, same file name, new content, and a fresh job database.
    await writeFile(join(w.root, 'a.tif'), p.def);
    const db = join(w.dir, 'second.sqlite');
    let calls = 0;
    const counting: RunTask = async (k, params, c) => (calls++, runTaskInProcess(k, params, c));
    const second = await session({ dbPath: db, runTask: counting });
    await second.s.whenIdle();
    const done = second.rec.of('job-done');
    expect(done).toMatchObject([{ jobId: old.jobId, adopted: false, outDir: `${old.outDir}-2` }]);
    expect(calls).toBe(1);
    expect(second.rec.of('warning').map((w) => w.message).join('\n')).toMatch(/already exists and was made from other input files.*left as it is/);
    expect(await checksums(old.outDir)).toEqual(oldFiles); // the old experiment's results, untouched
    const res = await resultFolders(w.out);
    expect(res.folders).toEqual(['i_a_job1', 'i_a_job1-2']);
    const rj = JSON.parse(await readFile(join(done[0].outDir, 'result.json'), 'utf8')) as { inputs: { sha256: string }[] };
    expect(rj.inputs.map((i) => i.sha256)).toEqual([await sha256File(join(w.root, 'a.tif'))]);
    await second.s.stop();

    // A crash between the rename and markDone of that fresh folder: the re-run adopts it, not the old one.
    const sql = new DatabaseSync(db);
    sql.exec(`UPDATE jobs SET state = 'running', result_dir = NULL WHERE id = ${old.jobId}; DELETE FROM results WHERE job_id = ${old.jobId}`);
    sql.close();
    calls = 0;
    const third = await session({ dbPath: db, runTask: counting });
    await third.s.whenIdle();
    expect(third.rec.of('job-done')).toMatchObject([{ jobId: old.jobId, adopted: true, outDir: done[0].outDir }]);
    expect(calls).toBe(0);
  });

  it('retries a job whose input is gone when it runs (E_NOT_FOUND is transient) and leaves it to the next session', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    await writeFile(join(w.root, 'b.tif'), (await specklePairBytes(2)).ref);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstPath: string | undefined;
    const runTask: RunTask = async (k, params, c) => {
      if (firstPath === undefined) {
        firstPath = String(params.path);
        await gate;
      }
      return runTaskInProcess(k, params, c);
    };
    const { s, rec } = await session({ runTask, maxAttempts: 3 });
    await rec.until(() => firstPath !== undefined && rec.of('job-queued').length === 2);
    const gone = firstPath!.endsWith('a.tif') ? 'b.tif' : 'a.tif';
    await rm(join(w.root, gone)); // after its job was queued, before it runs
    release();
    await rec.until(() => rec.of('job-failed').length === 1);
    await s.whenIdle();
    const failed = rec.of('job-failed');
    expect(failed).toMatchObject([{ inputs: [gone], code: 'E_NOT_FOUND', permanent: false }]);
    expect(failed[0].reason).toContain(join(w.root, gone));
    expect(rec.of('job-retry').map((e) => e.code)).toEqual(['E_NOT_FOUND', 'E_NOT_FOUND']);
    expect(isRetryableFailure(s.store.getJob(failed[0].jobId)!)).toBe(true);
  });

  it('records a job whose first markDone failed (database full for a moment) as done', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    const store = fullDiskStore(join(w.dir, 'app.sqlite'), { markDone: 1, markFailed: 0 });
    const first = await session({ store });
    await first.s.whenIdle();
    const done = first.rec.of('job-done');
    expect(done).toHaveLength(1);
    expect(first.rec.of('job-failed')).toEqual([]);
    expect(store.getJob(done[0].jobId)?.state).toBe('done');
    expect(store.getResults(done[0].jobId).map((f) => f.name)).toEqual(['preview.png', 'result.json']);
    await first.s.stop();
    const again = await session({ store });
    await again.s.whenIdle();
    expect(again.rec.of('job-skipped').map((e) => e.state)).toEqual(['done']);
    await again.s.stop();
    store.close();
  });

  it('does not leave a job "running" when the database refuses every state write for a while', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    await writeFile(join(w.root, 'b.tif'), (await specklePairBytes(2)).ref);
    const full = { markDone: -1, markFailed: -1 };
    const store = fullDiskStore(join(w.dir, 'app.sqlite'), full);
    const onTimer = await session({ store, stateRetryMs: 50, maxAttempts: 1 });
    await onTimer.rec.until(() => onTimer.rec.of('job-done').length === 2);
    await onTimer.rec.until(() => onTimer.rec.of('warning').filter((w) => /could not be recorded as done/.test(w.message)).length === 2);
    const ids = onTimer.rec.of('job-done').map((e) => e.jobId);
    expect(ids.map((id) => store.getJob(id)?.state)).toEqual(['running', 'running']);
    full.markDone = 0; // space freed: the dispatcher's next try records them
    await onTimer.rec.until(() => ids.every((id) => store.getJob(id)?.state === 'done'));
    await onTimer.s.stop();

    // Still full when the session stops: the next session on the same store records it first.
    await writeFile(join(w.root, 'c.tif'), (await specklePairBytes(3)).ref);
    full.markDone = -1;
    const stopped = await session({ store, stateRetryMs: 60_000, maxAttempts: 1 });
    await stopped.rec.until(() => stopped.rec.of('job-done').length === 1 && stopped.rec.of('warning').some((w) => /could not be recorded as done/.test(w.message)));
    const c = stopped.rec.of('job-done')[0].jobId;
    await stopped.s.stop();
    expect(store.getJob(c)?.state).toBe('running');
    full.markDone = 0;
    const next = await session({ store });
    await next.s.whenIdle();
    expect(store.getJob(c)?.state).toBe('done');
    expect(next.rec.of('job-skipped').map((e) => e.state)).toEqual(['done', 'done', 'done']);
    expect(next.rec.of('job-queued')).toEqual([]);
    await next.s.stop();
    store.close();
  });
});
