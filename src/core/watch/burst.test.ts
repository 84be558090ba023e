/**
 * @file A burst of 1,000 small images landing at once in a watched folder (single rule, info task): every
 * one processed exactly once into a valid result folder, raw files untouched, memory bounded. Prints the
 * throughput and the resident memory (RSS) before, at peak and after, for the closing notes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatchEvents } from './events';
import { validateRules } from './rules';
import { startWatch } from './session';
import { checksums, Recorder, resultFolders, tinyTiff } from './testing';

const N = 1000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-watch-burst-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

describe('watch burst', () => {
  it(`processes a burst of ${N} small files exactly once, with bounded memory`, { timeout: 240_000 }, async () => {
    const root = join(dir, 'acq');
    const out = join(dir, 'results');
    await mkdir(root);
    const v = validateRules({ version: 1, rules: [{ name: 'i', type: 'single', match: 'img_(\\d+)\\.tif', task: { kind: 'info', preview: false } }] });
    if (!v.ok) throw new Error(v.mistakes.join('\n'));
    const events = new WatchEvents();
    const rec = new Recorder(events);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const s = await startWatch({ root, outDir: out, rules: v.rules, events, stableMs: 200, rootCheckMs: 200, concurrency: 2 });
    const t0 = performance.now();
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => writeFile(join(root, `img_${String(i + k).padStart(4, '0')}.tif`), tinyTiff(i + k))));
    }
    const tWritten = performance.now() - t0;
    const before = await checksums(root);
    await rec.until(() => rec.of('job-done').length + rec.of('job-failed').length >= N, 200_000);
    await s.whenIdle();
    const tDone = performance.now() - t0;
    clearInterval(sampler);
    const rss1 = process.memoryUsage().rss;
    const doneCount = s.store.count('done');
    await s.stop();

    const done = rec.of('job-done');
    const inputs = new Set(rec.of('job-queued').map((e) => e.inputs[0]));
    const res = await resultFolders(out);
    console.log(
      `burst: ${N} files written in ${(tWritten / 1000).toFixed(1)} s, all processed after ${(tDone / 1000).toFixed(1)} s ` +
        `(${(N / (tDone / 1000)).toFixed(0)} files/s, concurrency 2, stableMs 200); ` +
        `RSS ${mb(rss0)} before, ${mb(peak)} peak (+${mb(peak - rss0)}), ${mb(rss1)} after; ${res.folders.length} result folders`,
    );
    expect(rec.of('job-failed')).toHaveLength(0);
    expect(rec.of('file-failed')).toHaveLength(0);
    expect(done).toHaveLength(N);
    expect(new Set(done.map((e) => e.jobId)).size).toBe(N);
    expect(inputs.size).toBe(N);
    expect(doneCount).toBe(N);
    expect(res.folders).toHaveLength(N);
    expect(res.hidden).toEqual([]);
    expect(new Set(Object.values(res.inputsOf).map((i) => i[0])).size).toBe(N);
    expect(await checksums(root)).toEqual(before);
    expect(peak - rss0).toBeLessThan(400 * 2 ** 20); // bounded: hashing and jobs are throttled, nothing per file is kept large
  });
});
