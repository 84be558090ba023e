/**
 * @file Regression tests of the watch pipeline: a result folder made under other settings is never
 * adopted; results of earlier rules in a watched output folder are not taken as new images; a job whose
 * claim (markRunning) or requeue the job database failed for a moment still runs in the same session.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { findModel, type ModelManifest } from '../infer/manifest';
import { locateModel, type ModelCatalog } from '../infer/model-catalog';
import { openJobStore, type JobStore } from '../jobs/store';
import { LabError } from '../errors';
import { classifyError, isRetryableFailure } from './job-runner';
import { runTaskInProcess, type RunTask } from './tasks';
import { checksums, resultFolders, rulesOf, specklePairBytes, TRACK_RULE, watchTestDirs } from './testing';

const w = watchTestDirs('lab-watch-fix-');

/** A store whose `methods` throw SQLITE_FULL while their counter is not 0 (-1: until set to 0). */
function failingStore(path: string, full: Record<string, number>): JobStore {
  const store = openJobStore(path);
  const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
  return new Proxy(store, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (typeof key === 'string' && key in full && typeof v === 'function') {
        return (...args: unknown[]) => {
          if (full[key] !== 0) {
            if (full[key] > 0) full[key]--;
            throw diskFull();
          }
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('watch pipeline fixes', () => {
  it('never adopts a same-named result folder made with other settings (a new job database, the rule changed); writes beside it', async () => {
    const p = await specklePairBytes(1);
    await writeFile(join(w.root, 'ref_001.tif'), p.ref);
    await writeFile(join(w.root, 'sample_001.tif'), p.def);
    const first = await w.session(rulesOf(TRACK_RULE));
    await first.s.whenIdle();
    const old = first.rec.of('job-done')[0];
    await first.s.stop();
    const oldFiles = await checksums(old.outDir);

    // Same rule name and template, same images, other settings, fresh job database: job 1 again.
    const changed = rulesOf({ ...TRACK_RULE, task: { ...TRACK_RULE.task, options: { window: 21, search: 4 } } });
    const db = join(w.dir, 'second.sqlite');
    let calls = 0;
    const counting: RunTask = async (k, params, c) => (calls++, runTaskInProcess(k, params, c));
    const second = await w.session(changed, { dbPath: db, runTask: counting });
    await second.s.whenIdle();
    const done = second.rec.of('job-done');
    expect(done).toMatchObject([{ jobId: old.jobId, adopted: false, outDir: `${old.outDir}-2` }]);
    expect(calls).toBe(1);
    expect(second.rec.of('warning').map((w) => w.message).join('\n')).toMatch(/already exists and was made with other settings \(parameters\.window 15, this job 21\).*left as it is/);
    expect(await checksums(old.outDir)).toEqual(oldFiles);
    const rj = JSON.parse(await readFile(join(done[0].outDir, 'result.json'), 'utf8')) as { parameters: { window: number } };
    expect(rj.parameters.window).toBe(21);
    await second.s.stop();

    // A crash between the rename and markDone: the re-run adopts its own folder (same settings), not the old one.
    const sql = new DatabaseSync(db);
    sql.exec(`UPDATE jobs SET state = 'running', result_dir = NULL WHERE id = ${old.jobId}; DELETE FROM results WHERE job_id = ${old.jobId}`);
    sql.close();
    calls = 0;
    const third = await w.session(changed, { dbPath: db, runTask: counting });
    await third.s.whenIdle();
    expect(third.rec.of('job-done')).toMatchObject([{ jobId: old.jobId, adopted: true, outDir: done[0].outDir }]);
    expect(calls).toBe(0);
  });

  it('with the output folder = the watched folder, takes no result of an earlier or renamed rule for a new image, and still reads input folders', async () => {
    const p = await specklePairBytes(1);
    await writeFile(join(w.root, 'a.tif'), p.ref);
    await writeFile(join(w.root, 'b.tif'), p.def);
    await mkdir(join(w.root, 'run-7'));
    await writeFile(join(w.root, 'run-7', 'c.tif'), (await specklePairBytes(2)).ref);
    const opts = { outDir: w.root, allowOutputInside: true, recursive: true };
    const first = await w.session(
      rulesOf(
        { name: 'old', type: 'single', match: 'a\\.tif', task: { kind: 'info' } },
        // a custom template with no fixed text: its name shape would match the input folder run-7
        { name: 'bare', type: 'single', match: 'b\\.tif', output: '{name}-{job}', task: { kind: 'info' } },
        { name: 'cee', type: 'single', match: 'c\\.tif', task: { kind: 'info' } },
      ),
      opts,
    );
    await first.rec.until(() => first.rec.of('job-done').length === 3);
    await first.s.whenIdle();
    expect(first.rec.of('job-queued').map((e) => e.inputs[0]).sort()).toEqual(['a.tif', 'b.tif', 'run-7/c.tif']);
    await first.s.stop();

    // The rules renamed: one rule now takes every image, PNG included (the previews in the result folders).
    const second = await w.session(rulesOf({ name: 'new', type: 'single', match: '.*\\.(tif|png)', task: { kind: 'info', preview: false } }), opts);
    await second.rec.until(() => second.rec.of('job-done').length >= 3);
    await new Promise((r) => setTimeout(r, 400));
    await second.s.whenIdle();
    expect(second.rec.of('job-queued').map((e) => e.inputs[0]).sort()).toEqual(['a.tif', 'b.tif', 'run-7/c.tif']);
    expect(second.rec.of('file-seen').map((e) => e.rel).sort()).toEqual(['a.tif', 'b.tif', 'run-7/c.tif']);
  });

  it('runs a job in the same session when the job database failed to record it as running for a moment', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    const full = { markRunning: 1 };
    const store = failingStore(join(w.dir, 'app.sqlite'), full);
    const { s, rec } = await w.session(rulesOf({ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info' } }), { store, stateRetryMs: 50 });
    await rec.until(() => rec.of('job-done').length === 1, 10_000);
    await s.whenIdle();
    expect(rec.of('warning').map((w) => w.message).join('\n')).toMatch(/could not be started because the job history could not record it as running \(database or disk is full\)/);
    expect(store.getJob(rec.of('job-done')[0].jobId)?.state).toBe('done');
    expect(full.markRunning).toBe(0);
    await s.stop();
    store.close();
  });

  it('runs a job in the current session once a delayed write has put it back to queued', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    const full = { requeue: 0 };
    const store = failingStore(join(w.dir, 'app.sqlite'), full);
    const r = rulesOf({ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info' } });
    const hang: RunTask = (_k, _p, ctx) =>
      new Promise((_res, rej) => {
        const stop = () => rej(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        if (ctx.signal.aborted) stop();
        ctx.signal.addEventListener('abort', stop);
      });
    const first = await w.session(r, { store, runTask: hang });
    await first.rec.until(() => first.rec.of('job-started').length === 1);
    const id = first.rec.of('job-started')[0].jobId;
    full.requeue = -1; // the database is full when the watcher stops: the job stays 'running' for now
    await first.s.stop();
    expect(store.getJob(id)?.state).toBe('running');

    // The app keeps the store open: the next session starts while the disk is still full.
    const second = await w.session(r, { store, stateRetryMs: 50 });
    expect(store.getJob(id)?.state).toBe('running');
    full.requeue = 0; // space freed: the timer's try puts it back to 'queued', and this session runs it
    await second.rec.until(() => second.rec.of('job-done').length === 1, 10_000);
    expect(second.rec.of('job-done')[0].jobId).toBe(id);
    expect(store.getJob(id)?.state).toBe('done');
    await second.s.stop();
    store.close();
  });
});

describe('watch errors', () => {
  it('fails a job whose rule names a model the manifest does not list at once and for good (not retried, not by the next session)', async () => {
    await writeFile(join(w.root, 'a.tif'), (await specklePairBytes(1)).ref);
    const noModel: RunTask = async () => findModel({ models: [{ id: 'midnet-s' }] } as unknown as ModelManifest, 'midnet-typo') as never;
    const r = rulesOf({ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info' } });
    const { s, rec } = await w.session(r, { runTask: noModel, maxAttempts: 4 });
    await rec.until(() => rec.of('job-failed').length === 1);
    await s.whenIdle();
    expect(rec.of('job-retry')).toEqual([]);
    const failed = rec.of('job-failed')[0];
    expect(failed).toMatchObject({ code: 'E_INVALID_INPUT', permanent: true });
    expect(failed.reason).toMatch(/^No model "midnet-typo" in the model manifest \(known: midnet-s\)\. Correct the model id in the rule/);
    expect(isRetryableFailure(s.store.getJob(failed.jobId)!)).toBe(false);
    await s.stop();
    const next = await w.session(r, { runTask: noModel });
    await next.s.whenIdle();
    expect(next.rec.of('job-skipped').map((e) => e.state)).toEqual(['failed']);
    expect(next.rec.of('job-started')).toEqual([]);
  });

  it('takes a model id missing from the shipped and user models (the CNN trackers\' catalog) as the rule\'s mistake too', () => {
    const catalog = { models: [], shippedDir: '/app/models', userDir: '/home/me/models', problems: [] } as unknown as ModelCatalog;
    let err: unknown;
    try {
      locateModel(catalog, 'dicnet-typo');
    } catch (e) {
      err = e;
    }
    expect(classifyError(err)).toMatchObject({ kind: 'permanent', code: 'E_INVALID_INPUT' });
    // a file that went missing on a share is still a transient E_NOT_FOUND
    expect(classifyError(new LabError('E_NOT_FOUND', 'The file /data/a.tif does not exist.'))).toMatchObject({ kind: 'transient', code: 'E_NOT_FOUND' });
  });
});
