/**
 * @file Watch sessions end to end in-process, with real speckle images and the real tasks: pairs processed
 * once into valid result folders, identical inputs skipped after a restart, a replaced file processed
 * again, bad input quarantined with the reason (the raw file untouched, sha256 before and after), and the
 * guards on output folder and job database.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { openJobStore } from '../jobs/store';
import { writeResultFolder } from '../results/result-folder';
import { startWatch } from './session';
import type { RunTask } from './tasks';
import { checksums, resultFolders, rulesOf, specklePairBytes, TRACK_RULE, watchTestDirs } from './testing';

const w = watchTestDirs('lab-watch-');

async function writePairs(n: number, size = 64): Promise<void> {
  for (let i = 1; i <= n; i++) {
    const p = await specklePairBytes(i, size);
    await writeFile(join(w.root, `ref_${String(i).padStart(3, '0')}.tif`), p.ref);
    await writeFile(join(w.root, `sample_${String(i).padStart(3, '0')}.tif`), p.def);
  }
}

describe('watch session', () => {
  it('tracks each pair once into a valid result folder, leaves raw files untouched, and skips them after a restart', async () => {
    await writePairs(3);
    const before = await checksums(w.root);
    const { s, rec } = await w.session(rulesOf(TRACK_RULE), { concurrency: 2 });
    await s.whenIdle();
    expect(rec.of('job-done')).toHaveLength(3);
    await s.stop();
    const res = await resultFolders(w.out);
    expect(res.folders.sort()).toEqual(rec.of('job-done').map((e) => `dic_${e.outDir.match(/dic_(\d+)_job/)![1]}_job${e.jobId}`).sort());
    expect(res.hidden).toEqual([]);
    for (const f of res.folders) expect(res.inputsOf[f]).toEqual([`ref_${f.slice(4, 7)}.tif`, `sample_${f.slice(4, 7)}.tif`]);

    const again = await w.session(rulesOf(TRACK_RULE));
    await again.s.whenIdle();
    expect(again.rec.of('job-skipped').map((e) => e.state)).toEqual(['done', 'done', 'done']);
    expect(again.rec.of('job-queued')).toHaveLength(0);
    expect(await checksums(w.root)).toEqual(before);
    expect(again.s.store.count('done')).toBe(3);
  });

  it('processes a file replaced by new content under the same name again; the same bytes again are skipped', async () => {
    const { s, rec } = await w.session(rulesOf({ name: 'i', type: 'single', match: 'shot\\.tif', task: { kind: 'info' } }));
    const a = await specklePairBytes(1);
    await writeFile(join(w.root, 'shot.tif'), a.ref);
    await rec.until(() => rec.of('job-done').length === 1);
    await writeFile(join(w.root, 'shot.tif'), a.def); // new content, same name
    await rec.until(() => rec.of('job-done').length === 2);
    await writeFile(join(w.root, 'shot.tif'), a.ref); // the first content once more
    await rec.until(() => rec.of('job-skipped').length === 1);
    await s.whenIdle();
    const res = await resultFolders(w.out);
    expect(res.folders).toHaveLength(2);
    expect(rec.of('job-skipped')[0]).toMatchObject({ state: 'done', jobId: rec.of('job-done')[0].jobId });
  });

  it('quarantines bad input with the reason recorded and the raw files left exactly as they were', async () => {
    await writePairs(1);
    const small = await specklePairBytes(2, 64);
    const big = await specklePairBytes(2, 96);
    await writeFile(join(w.root, 'ref_002.tif'), small.ref);
    await writeFile(join(w.root, 'sample_002.tif'), big.def); // size mismatch: a permanent job failure
    await writeFile(join(w.root, 'ref_003.tif'), 'not an image, although it is called .tif\n'); // never becomes ready
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 16, 0, 0, 0, 16, 8, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 4, 73, 68, 65, 84, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 73, 69, 78, 68, 0xae, 0x42, 0x60, 0x82];
    await writeFile(join(w.root, 'broken.png'), Uint8Array.from(png)); // complete by structure, undecodable
    const before = await checksums(w.root);
    const { s, rec } = await w.session(rulesOf(TRACK_RULE, { name: 'png', type: 'single', match: '.*\\.png', task: { kind: 'info' } }));
    await s.whenIdle();
    const failed = rec.of('job-failed');
    console.log(`quarantine reasons:\n${[...rec.of('file-failed').map((e) => `  file ${e.rel}: ${e.code}: ${e.reason}`), ...failed.map((e) => `  job ${e.inputs.join(' + ')}: ${e.code}: ${e.reason}`)].join('\n')}`);
    expect(failed.map((e) => [e.code, e.permanent]).sort()).toEqual([['E_CORRUPT', true], ['E_SIZE_MISMATCH', true]]);
    expect(rec.of('job-retry')).toHaveLength(0); // bad input is not retried
    expect(rec.of('file-failed').map((e) => [e.rel, e.code])).toEqual([['ref_003.tif', 'E_UNSUPPORTED']]);
    expect(rec.of('job-done')).toHaveLength(1);
    const history = s.store.listJobs({ limit: 10, state: 'failed' }).jobs.map((j) => `${j.kind} ${j.error}`);
    expect(history.some((h) => h.startsWith('watch.file E_UNSUPPORTED: '))).toBe(true);
    expect(history.some((h) => h.startsWith('track E_SIZE_MISMATCH: '))).toBe(true);
    expect(history.some((h) => h.startsWith('info E_CORRUPT: '))).toBe(true);
    expect(await checksums(w.root)).toEqual(before);
  });

  it('runs the X-ray phase task on a fixed-reference series', async () => {
    const p = await specklePairBytes(3, 64);
    await writeFile(join(w.root, 'speckle_ref.tif'), p.ref);
    await writeFile(join(w.root, 'sample_001.tif'), p.def);
    const { s, rec } = await w.session(rulesOf({
      name: 'phase', type: 'series', mode: 'fixed-reference', reference: 'speckle_ref\\.tif', frames: 'sample_(\\d+)\\.tif',
      task: { kind: 'xpci', step: 4, geometry: { pixelUm: 7, distanceM: 3.5, energyKeV: 17 } },
    }));
    await s.whenIdle();
    expect(rec.of('job-failed')).toEqual([]);
    const res = await resultFolders(w.out);
    expect(res.folders).toEqual([`phase_001_job${rec.of('job-done')[0].jobId}`]);
    expect(res.inputsOf[res.folders[0]]).toEqual(['speckle_ref.tif', 'sample_001.tif']);
  });

  it('refuses an output folder inside the watched folder unless allowed, and then ignores it', async () => {
    const inside = join(w.root, 'results');
    const err = await startWatch({ root: w.root, outDir: inside, rules: rulesOf(TRACK_RULE) }).then(() => null, (e: LabError) => e);
    expect(err?.code).toBe('E_INVALID_INPUT');
    expect(err?.message).toMatch(/is inside the watched folder/);
    await writePairs(1);
    const { s, rec } = await w.session(rulesOf({ name: 'all', type: 'single', match: '.*\\.(tif|png)', task: { kind: 'info' } }), { outDir: inside, allowOutputInside: true, recursive: true });
    await s.whenIdle();
    await new Promise((r) => setTimeout(r, 400));
    expect(rec.of('job-done')).toHaveLength(2); // the two inputs, not the preview.png it wrote
  });

  it('with the output folder the watched folder itself, never takes its own result folders for new images', async () => {
    // A restoration task writes an image of the same type into its result folder, as deblur does.
    const restore: RunTask = (kind, params) =>
      writeResultFolder(
        String(params.outDir),
        (tmp) => copyFile(String(params.path), join(tmp, 'deblurred.tif')),
        (files) => ({ kind, inputs: [], files }),
      );
    await mkdir(join(w.root, 'sub'));
    await writeFile(join(w.root, 'x.tif'), (await specklePairBytes(1)).ref);
    await writeFile(join(w.root, 'sub', 'y.tif'), (await specklePairBytes(2)).ref);
    const { s, rec } = await w.session(rulesOf({ name: 'deblur', type: 'single', match: '.*\\.tif', task: { kind: 'info' } }), {
      outDir: w.root, allowOutputInside: true, recursive: true, runTask: restore,
    });
    await rec.until(() => rec.of('job-done').length === 2);
    await new Promise((r) => setTimeout(r, 600)); // several stableMs: long enough for a result image to become ready
    await s.whenIdle();
    expect(rec.of('job-queued').map((e) => e.inputs).sort()).toEqual([['sub/y.tif'], ['x.tif']]);
    expect(rec.of('file-seen').map((e) => e.rel).sort()).toEqual(['sub/y.tif', 'x.tif']);
    expect((await readdir(w.root)).filter((n) => n.startsWith('deblur_')).sort()).toEqual(
      rec.of('job-done').map((e) => e.outDir.slice(w.root.length + 1)).sort(),
    );
  });

  it('keeps a second watcher off the same job database', async () => {
    await w.session(rulesOf(TRACK_RULE));
    const err = await startWatch({ root: w.root, outDir: w.out, rules: rulesOf(TRACK_RULE) }).then(() => null, (e: LabError) => e);
    expect(err?.code).toBe('E_IO');
    expect(err?.message).toMatch(new RegExp(`^Another watcher \\(process ${process.pid}\\) is using the job database`));
  });

  it('can share the app\'s open job store, leaving its other jobs alone', async () => {
    const store = openJobStore(join(w.dir, 'app.sqlite'));
    const other = store.createJob({ kind: 'simulate.pair', params: { outDir: '/x' } });
    store.markRunning(other.id);
    await writePairs(1);
    const { s, rec } = await w.session(rulesOf(TRACK_RULE), { store });
    await s.whenIdle();
    await s.stop();
    expect(rec.of('job-done')).toHaveLength(1);
    expect(store.getJob(other.id)?.state).toBe('running'); // not requeued by the watcher
    store.close();
  });
});
