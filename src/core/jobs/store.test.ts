import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobSchema } from '../../shared/contract';
import { LabError } from '../errors';
import { JOB_DB_APPLICATION_ID, SCHEMA_VERSION } from './migrations';
import { computeInputKey, interruptedJobError, openJobStore, type JobStore } from './store';

let dir: string;
const open: JobStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-jobs-'));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store with a clock that ticks one second per timestamp, so ordering by time is testable. */
function openStore(file = path.join(dir, 'jobs.sqlite')): JobStore {
  let t = Date.UTC(2026, 10, 21, 12, 0, 0);
  const store = openJobStore(file, { now: () => new Date((t += 1000)) });
  open.push(store);
  return store;
}

function labError(fn: () => unknown, code: string): LabError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe(code);
    return err as LabError;
  }
  throw new Error(`expected a LabError ${code}`);
}

const SHA = 'a'.repeat(64);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('job store: schema and file', () => {
  it('creates the schema, records user_version and application_id, and runs in WAL mode', () => {
    const store = openStore();
    expect(store.journalMode).toBe('wal');
    store.close();
    const db = new DatabaseSync(path.join(dir, 'jobs.sqlite'));
    try {
      expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
      expect(db.prepare('PRAGMA application_id').get()).toEqual({ application_id: JOB_DB_APPLICATION_ID });
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      const names = db.prepare(`SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') ORDER BY name`).all();
      expect(names.map((r) => r.name)).toEqual(expect.arrayContaining(['jobs', 'results', 'jobs_state', 'jobs_input_key']));
    } finally {
      db.close();
    }
  });

  it('keeps jobs and result files across close and reopen', () => {
    const file = path.join(dir, 'nested', 'folder', 'jobs.sqlite');
    const a = openStore(file);
    const job = a.createJob({ kind: 'simulate.pair', params: { width: 64, nested: { seed: 3 } }, inputKey: SHA });
    a.markRunning(job.id);
    a.markDone(job.id, { resultDir: '/data/out/1', files: [{ name: 'u.tif', path: '/data/out/1/u.tif', sha256: SHA, bytes: 1234 }] });
    a.close();
    a.close(); // idempotent
    const b = openStore(file);
    expect(b.count()).toBe(1);
    const again = b.getJob(job.id)!;
    expect(again).toMatchObject({ state: 'done', params: { width: 64, nested: { seed: 3 } }, resultDir: '/data/out/1', inputKey: SHA });
    expect(b.getResults(job.id)).toEqual([{ name: 'u.tif', path: '/data/out/1/u.tif', sha256: SHA, bytes: 1234 }]);
  });

  it('refuses a database written by a newer app version, leaving it untouched', () => {
    const file = path.join(dir, 'jobs.sqlite');
    openStore(file).close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const err = labError(() => openJobStore(file), 'E_UNSUPPORTED');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/newer version of this app/);
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 5}`);
    const check = new DatabaseSync(file);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION + 5 });
    check.close();
  });

  it('refuses a file that is not SQLite with a message naming it', () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'These are my lab notes, not a database. '.repeat(20));
    const err = labError(() => openJobStore(file), 'E_CORRUPT');
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not an SQLite database/);
  });

  it("refuses another application's SQLite database without touching it", () => {
    const file = path.join(dir, 'other.db');
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    db.close();
    expect(labError(() => openJobStore(file), 'E_UNSUPPORTED').message).toMatch(/did not create/);
  });

  it('reports a folder in place of the database file as an I/O error naming it', () => {
    const err = labError(() => openJobStore(dir), 'E_IO');
    expect(err.message).toContain(dir);
  });

  it('parses rows on read: a damaged row is E_CORRUPT naming the job', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const store = openStore(file);
    const job = store.createJob({ kind: 'k', params: {} });
    const db = new DatabaseSync(file);
    db.prepare(`UPDATE jobs SET params_json = '[1,2]' WHERE id = ?`).run(job.id);
    db.close();
    expect(labError(() => store.getJob(job.id), 'E_CORRUPT').message).toMatch(new RegExp(`Job ${job.id} .*unreadable`));
  });
});

describe('job store: states', () => {
  it('walks queued → running → done with ISO-8601 UTC timestamps and a contract-shaped Job', () => {
    const store = openStore();
    const q = store.createJob({ kind: 'simulate.pair', params: { seed: 1 } });
    expect(q).toMatchObject({ state: 'queued', attempts: 0, startedAt: null, finishedAt: null, resultDir: null, error: null, inputKey: null });
    expect(q.createdAt).toMatch(ISO);
    expect(q.updatedAt).toBe(q.createdAt);
    expect(JobSchema.parse(q)).toMatchObject({ id: q.id, kind: 'simulate.pair', params: { seed: 1 } });

    const r = store.markRunning(q.id);
    expect(r).toMatchObject({ state: 'running', attempts: 1 });
    expect(r.startedAt).toMatch(ISO);
    expect(r.startedAt! > q.createdAt).toBe(true);
    expect(r.createdAt).toBe(q.createdAt);

    const d = store.markDone(q.id, { resultDir: '/out/a' });
    expect(d).toMatchObject({ state: 'done', resultDir: '/out/a', startedAt: r.startedAt });
    expect(d.finishedAt! > r.startedAt!).toBe(true);
    expect(d.updatedAt).toBe(d.finishedAt);
  });

  it('records failures and cancellations with their message', () => {
    const store = openStore();
    const a = store.createJob({ kind: 'k', params: {} });
    store.markRunning(a.id);
    expect(store.markFailed(a.id, 'The image ref.tif is truncated.')).toMatchObject({ state: 'failed', error: 'The image ref.tif is truncated.' });
    const b = store.createJob({ kind: 'k', params: {} });
    expect(store.markCancelled(b.id, 'cancelled by the user')).toMatchObject({ state: 'cancelled', error: 'cancelled by the user' });
    const c = store.createJob({ kind: 'k', params: {} });
    store.markRunning(c.id);
    expect(store.markCancelled(c.id)).toMatchObject({ state: 'cancelled', error: null });
  });

  it('refuses invalid transitions, naming the job and both states', () => {
    const store = openStore();
    const j = store.createJob({ kind: 'k', params: {} });
    expect(labError(() => store.markDone(j.id, { resultDir: '/x' }), 'E_INVALID_INPUT').message).toMatch(
      new RegExp(`Job ${j.id} cannot go from queued to done`),
    );
    store.markRunning(j.id);
    store.markDone(j.id, { resultDir: '/x' });
    expect(labError(() => store.markRunning(j.id), 'E_INVALID_INPUT').message).toMatch(
      new RegExp(`Job ${j.id} cannot go from done to running`),
    );
    labError(() => store.markFailed(j.id, 'late failure'), 'E_INVALID_INPUT');
    labError(() => store.markCancelled(j.id), 'E_INVALID_INPUT');
    expect(store.getJob(j.id)!.state).toBe('done');
    expect(labError(() => store.markRunning(9999), 'E_NOT_FOUND').message).toMatch(/Job 9999 does not exist/);
    expect(store.getJob(9999)).toBeNull();
  });

  it('commits result files only with the done state', () => {
    const store = openStore();
    const j = store.createJob({ kind: 'k', params: {} });
    const files = [{ name: 'u.tif', path: '/o/u.tif', sha256: SHA, bytes: 10 }];
    labError(() => store.markDone(j.id, { resultDir: '/o', files }), 'E_INVALID_INPUT'); // still queued
    expect(store.getResults(j.id)).toEqual([]);
    store.markRunning(j.id);
    labError(() => store.markDone(j.id, { resultDir: '/o', files: [...files, ...files] }), 'E_INVALID_INPUT');
    labError(() => store.markDone(j.id, { resultDir: '/o', files: [{ ...files[0], sha256: 'xyz' }] }), 'E_INVALID_INPUT');
    expect(store.getJob(j.id)!.state).toBe('running');
    store.markDone(j.id, { resultDir: '/o', files });
    expect(store.getResults(j.id)).toEqual(files);
  });

  it('requeues jobs left running by a crash, keeping their attempt count', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const a = openStore(file);
    const ids = [1, 2, 3].map(() => a.createJob({ kind: 'k', params: {} }).id);
    a.markRunning(ids[0]);
    a.markRunning(ids[1]);
    a.markRunning(ids[2]);
    a.markDone(ids[2], { resultDir: '/o' });
    a.close(); // "crash" with two jobs running
    const b = openStore(file);
    expect(b.requeueInterrupted()).toBe(2);
    expect(b.requeueInterrupted()).toBe(0);
    expect(b.getJob(ids[0])).toMatchObject({ state: 'queued', startedAt: null, attempts: 1 });
    expect(b.markRunning(ids[0]).attempts).toBe(2);
    expect(b.count('queued')).toBe(1);
    expect(b.count('done')).toBe(1);
  });
});

describe('job store: queries', () => {
  it('lists newest first with paging, state filter and a total over all matches', () => {
    const store = openStore();
    const ids = Array.from({ length: 5 }, (_, i) => store.createJob({ kind: 'k', params: { i } }).id);
    store.markRunning(ids[1]);
    store.markRunning(ids[3]);
    const page = store.listJobs({ limit: 2 });
    expect(page.total).toBe(5);
    expect(page.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    expect(store.listJobs({ limit: 2, offset: 2 }).jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const running = store.listJobs({ limit: 10, state: 'running' });
    expect(running).toMatchObject({ total: 2 });
    expect(running.jobs.map((j) => j.id)).toEqual([ids[3], ids[1]]);
    expect(store.count()).toBe(5);
    labError(() => store.listJobs({ limit: 0 }), 'E_INVALID_INPUT');
    labError(() => store.listJobs({ limit: 10, state: 'bogus' as never }), 'E_INVALID_INPUT');
  });

  it('searches kind, parameters, error and result folder case-insensitively, with the state filter and a matching total', () => {
    const store = openStore();
    const a = store.createJob({ kind: 'info', params: { watch: { inputs: [{ rel: 'Shot_001.tif' }] } } });
    const b = store.createJob({ kind: 'info', params: { watch: { inputs: [{ rel: 'shot_002.tif' }] } } });
    const c = store.createJob({ kind: 'track', params: { refPath: '/data/ref.tif' } });
    const d = store.createJob({ kind: 'watch.file', params: { rel: '50%_done.tif' } });
    store.markRunning(a.id);
    store.markDone(a.id, { resultDir: '/results/sem-info_job1' });
    store.markRunning(b.id);
    store.markFailed(b.id, 'E_CORRUPT: not a TIFF');
    expect(store.listJobs({ limit: 10, search: 'SHOT_' }).jobs.map((j) => j.id)).toEqual([b.id, a.id]);
    expect(store.listJobs({ limit: 10, search: 'shot', state: 'failed' })).toMatchObject({ total: 1, jobs: [{ id: b.id }] });
    expect(store.listJobs({ limit: 10, search: 'not a tiff' }).jobs.map((j) => j.id)).toEqual([b.id]);
    expect(store.listJobs({ limit: 10, search: 'sem-info_job' }).jobs.map((j) => j.id)).toEqual([a.id]);
    expect(store.listJobs({ limit: 10, search: 'track' }).jobs.map((j) => j.id)).toEqual([c.id]);
    // % and _ are literal, not wildcards
    expect(store.listJobs({ limit: 10, search: '50%' }).jobs.map((j) => j.id)).toEqual([d.id]);
    expect(store.listJobs({ limit: 10, search: '%' }).total).toBe(1);
    expect(store.listJobs({ limit: 1, search: 'info' })).toMatchObject({ total: 2, jobs: [{ id: b.id }] });
    expect(store.listJobs({ limit: 10, search: '   ' }).total).toBe(4);
  });

  it("keeps only watched-folder jobs with origin 'watch', combined with state, search, paging and a matching total", () => {
    const store = openStore();
    // Shapes as the dispatcher records them: a rule's job, and a file that could not be used.
    const w1 = store.createJob({ kind: 'info', params: { watch: { rule: 'sem', inputs: [{ role: 'image', rel: 'shot_001.tif' }] } } });
    const m1 = store.createJob({ kind: 'info', params: { path: '/data/shot_001.tif' } });
    const f = store.createJob({ kind: 'watch.file', params: { watch: { root: '/acq', out: '/out', rel: 'notes.tif', path: '/acq/notes.tif' } } });
    const w2 = store.createJob({ kind: 'track', params: { watch: { rule: 'pair', inputs: [{ role: 'ref', rel: 'shot_002.tif' }] } } });
    const m2 = store.createJob({ kind: 'track', params: { refPath: '/data/shot_002.tif', note: 'watch' } });
    // `watch` present but not an object: not a watched job
    const m3 = store.createJob({ kind: 'info', params: { watch: null, label: 'shot_003' } });
    store.markFailed(f.id, 'E_UNSUPPORTED: not an image format');
    store.markRunning(w1.id);
    store.markDone(w1.id, { resultDir: '/out/w1' });
    store.markRunning(m1.id);
    store.markDone(m1.id, { resultDir: '/out/m1' });
    store.markRunning(m2.id);
    store.markFailed(m2.id, 'E_IO: gone');

    const ids = (r: { jobs: { id: number }[] }) => r.jobs.map((j) => j.id);
    const watched = store.listJobs({ limit: 10, origin: 'watch' });
    expect(ids(watched)).toEqual([w2.id, f.id, w1.id]);
    expect(watched.total).toBe(3);
    // 'any' and no origin both list everything
    expect(store.listJobs({ limit: 10, origin: 'any' })).toMatchObject({ total: 6 });
    expect(ids(store.listJobs({ limit: 10 }))).toEqual([m3.id, m2.id, w2.id, f.id, m1.id, w1.id]);

    // state alone: done has a watched and a manual job, failed a watched file and a manual job
    expect(store.listJobs({ limit: 10, origin: 'watch', state: 'done' })).toMatchObject({ total: 1, jobs: [{ id: w1.id }] });
    expect(store.listJobs({ limit: 10, origin: 'watch', state: 'failed' })).toMatchObject({ total: 1, jobs: [{ id: f.id }] });
    expect(store.listJobs({ limit: 10, origin: 'any', state: 'failed' }).total).toBe(2);
    expect(store.listJobs({ limit: 10, origin: 'watch', state: 'cancelled' })).toEqual({ jobs: [], total: 0 });

    // search alone and with state: the manual jobs match the same text but stay out
    expect(store.listJobs({ limit: 10, origin: 'watch', search: 'SHOT_00' })).toMatchObject({ total: 2 });
    expect(ids(store.listJobs({ limit: 10, origin: 'watch', search: 'shot_00' }))).toEqual([w2.id, w1.id]);
    expect(store.listJobs({ limit: 10, origin: 'any', search: 'shot_00' }).total).toBe(5);
    expect(store.listJobs({ limit: 10, origin: 'watch', search: 'shot_001', state: 'done' })).toMatchObject({ total: 1, jobs: [{ id: w1.id }] });
    expect(store.listJobs({ limit: 10, origin: 'any', search: 'shot_001', state: 'done' }).total).toBe(2);
    expect(store.listJobs({ limit: 10, origin: 'watch', search: 'not an image', state: 'failed' })).toMatchObject({ total: 1, jobs: [{ id: f.id }] });
    // the word "watch" in a manual job's params does not make it a watched job
    expect(ids(store.listJobs({ limit: 10, origin: 'watch', search: 'track' }))).toEqual([w2.id]);

    // paging: the total counts every watched match, not the page
    const page = store.listJobs({ limit: 1, offset: 1, origin: 'watch' });
    expect(page).toMatchObject({ total: 3, jobs: [{ id: f.id }] });
    // an unusable-file record whose params lack the watch object still counts as watched, by its kind
    const legacy = store.createJob({ kind: 'watch.file', params: { rel: 'legacy.tif' } });
    expect(store.listJobs({ limit: 10, origin: 'watch', search: 'legacy' })).toMatchObject({ total: 1, jobs: [{ id: legacy.id }] });
    expect(store.listJobs({ limit: 10, origin: 'watch' }).total).toBe(4);
    labError(() => store.listJobs({ limit: 10, origin: 'mine' as never }), 'E_INVALID_INPUT');
  });

  it('finds jobs by input key, newest first', () => {
    const store = openStore();
    const key = computeInputKey('track', { window: 31, step: 8 }, [SHA, 'b'.repeat(64)]);
    expect(key).toBe(computeInputKey('track', { step: 8, window: 31 }, [SHA, 'b'.repeat(64)]));
    expect(key).not.toBe(computeInputKey('track', { step: 8, window: 31 }, ['b'.repeat(64), SHA]));
    const a = store.createJob({ kind: 'track', params: { window: 31, step: 8 }, inputKey: key });
    store.createJob({ kind: 'track', params: { window: 15 } });
    const c = store.createJob({ kind: 'track', params: { step: 8, window: 31 }, inputKey: key });
    expect(store.findByInputKey(key).map((j) => j.id)).toEqual([c.id, a.id]);
    expect(store.findByInputKey('c'.repeat(64))).toEqual([]);
  });

  it('validates createJob input', () => {
    const store = openStore();
    labError(() => store.createJob({ kind: '', params: {} }), 'E_INVALID_INPUT');
    labError(() => store.createJob({ kind: 'k', params: [] as never }), 'E_INVALID_INPUT');
    labError(() => store.createJob({ kind: 'k', params: { big: 1n } }), 'E_INVALID_INPUT');
    expect(store.count()).toBe(0);
  });

  it('refuses calls after close with a clear message', () => {
    const store = openStore();
    store.close();
    expect(labError(() => store.count(), 'E_INVALID_INPUT').message).toMatch(/already closed/);
  });
});

describe('job store: recovery at launch (Note: interrupted jobs)', () => {
  const watchParams = (out: string) => ({ watch: { rule: 'r', out, inputs: [{ role: 'image', rel: 'a.tif', sha256: SHA }] } });

  /** The database a power cut leaves: watch and interactive jobs running, and queued ones from older launches. */
  function crashedStore(file: string) {
    const a = openStore(file);
    const watchRunning = a.createJob({ kind: 'track', params: watchParams('/out') }).id;
    a.markRunning(watchRunning);
    const watchQueued = a.createJob({ kind: 'xpci', params: watchParams('/out') }).id;
    const trackRunning = a.createJob({ kind: 'track', params: { ref: '/a.tif', cur: '/b.tif' } }).id;
    a.markRunning(trackRunning);
    // What the old requeue-everything start-up left: an interactive job queued with no start time.
    const deblurQueued = a.createJob({ kind: 'deblur', params: { inPath: '/sem.tif' } }).id;
    a.markRunning(deblurQueued);
    a.requeueInterrupted();
    a.markRunning(watchRunning);
    a.markRunning(trackRunning);
    const finished = a.createJob({ kind: 'track', params: {} }).id;
    a.markRunning(finished);
    a.markFailed(finished, 'earlier failure');
    a.close();
    return { watchRunning, watchQueued, trackRunning, deblurQueued, finished };
  }

  it('requeues watch jobs and fails interactive ones with a message that says when and what to do', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const ids = crashedStore(file);
    const b = openStore(file);
    expect(b.recoverInterrupted()).toEqual({ requeued: 1, failed: 2 });

    expect(b.getJob(ids.watchRunning)).toMatchObject({ state: 'queued', startedAt: null, error: null });
    expect(b.getJob(ids.watchQueued)).toMatchObject({ state: 'queued', error: null });
    const track = b.getJob(ids.trackRunning)!;
    expect(track.state).toBe('failed');
    expect(track.finishedAt).not.toBeNull();
    // openStore's clock: 2026-11-21 12:00:01 UTC plus one second per timestamp; the restart came later.
    expect(track.error).toMatch(/^Interrupted: the app stopped while this job ran \(started 2026-11-21 12:00 UTC\)\. Run it again from its workspace\.$/);
    expect(b.getJob(ids.deblurQueued)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Interrupted: .*\(started 2026-11-21 12:00 UTC\).*workspace\.$/) });
    expect(b.getJob(ids.finished)).toMatchObject({ state: 'failed', error: 'earlier failure' });
    // Still readable through the contract and listed under the Jobs list's failed filter.
    expect(JobSchema.safeParse(track).success).toBe(true);
    expect(b.listJobs({ limit: 10, state: 'failed', search: 'Interrupted' }).total).toBe(2);

    const before = b.listJobs({ limit: 10 }).jobs;
    expect(b.recoverInterrupted()).toEqual({ requeued: 0, failed: 0 });
    expect(b.listJobs({ limit: 10 }).jobs).toEqual(before);
  });

  it('treats a watch.file record as a watch job', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const a = openStore(file);
    const rec = a.createJob({ kind: 'watch.file', params: {} }).id;
    a.markRunning(rec);
    a.close();
    const b = openStore(file);
    expect(b.recoverInterrupted()).toEqual({ requeued: 1, failed: 0 });
    expect(b.getJob(rec)!.state).toBe('queued');
  });

  it('keeps the rest of the state machine: a recovered job is final, a requeued watch job runs again', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const ids = crashedStore(file);
    const b = openStore(file);
    b.recoverInterrupted();
    labError(() => b.markRunning(ids.trackRunning), 'E_INVALID_INPUT');
    labError(() => b.requeue(ids.deblurQueued), 'E_INVALID_INPUT');
    expect(b.markRunning(ids.watchRunning).attempts).toBe(3); // started, requeued by the old start-up, started, requeued now
  });

  it('fails an interactive job with no recorded start time with a message that still makes sense', () => {
    expect(interruptedJobError(null)).toBe('Interrupted: the app stopped while this job ran (start time unknown). Run it again from its workspace.');
    expect(interruptedJobError('yesterday')).toContain('(started yesterday)');
  });
});
