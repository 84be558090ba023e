/**
 * @file Fault tests of the watched folder with real files and real time (small stableMs): a file written
 * slowly in chunks with pauses longer than stableMs is ready once, after its last byte; a truncated file
 * and a 0-byte file fail after the timeout with the reason; a non-image fails at once; temp and hidden
 * names are ignored; the folder deleted and re-created is watched again; polling mode works.
 */
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTiffFloat32 } from '../imageio';
import { WatchEvents, type WatchEvent } from './events';
import { FolderWatcher, isIgnoredName, type FolderWatcherOptions } from './watcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real 128×128 float32 TIFF (about 65 kB) with a ramp, as bytes. */
function tiffBytes(seed = 1): Uint8Array {
  const data = new Float32Array(128 * 128).map((_, i) => (i * seed) % 255);
  return encodeTiffFloat32({ width: 128, height: 128, data });
}

let dir: string;
let root: string;
let log: { t: number; ev: WatchEvent }[];
let watcher: FolderWatcher | undefined;
const t0 = performance.now();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-watcher-'));
  root = join(dir, 'acq');
  await mkdir(root);
  log = [];
});
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(opts: Partial<FolderWatcherOptions> = {}): Promise<FolderWatcher> {
  const events = new WatchEvents();
  events.on((ev) => log.push({ t: performance.now() - t0, ev }));
  watcher = new FolderWatcher({ root, stableMs: 250, completeTimeoutMs: 1500, rootCheckMs: 100, events, ...opts });
  await watcher.start();
  return watcher;
}

const of = (type: WatchEvent['type'], rel?: string) => log.filter((l) => l.ev.type === type && (!rel || (l.ev as { rel?: string }).rel === rel));

async function until(pred: () => boolean, ms = 8000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out; events: ${log.map((l) => l.ev.type).join(', ')}`);
    await sleep(20);
  }
}

describe('FolderWatcher', () => {
  it('a file written in chunks with pauses longer than stableMs is ready once, after the last chunk', async () => {
    await start({ stableMs: 150 });
    const bytes = tiffBytes();
    const path = join(root, 'slow.tif');
    const chunks = 6;
    let lastWrite = 0;
    for (let k = 0; k < chunks; k++) {
      await appendFile(path, bytes.subarray(Math.floor((k * bytes.length) / chunks), Math.floor(((k + 1) * bytes.length) / chunks)));
      lastWrite = performance.now() - t0;
      if (k < chunks - 1) await sleep(400); // > stableMs: stability alone would fire mid-write
    }
    await until(() => of('file-ready').length > 0);
    await sleep(500);
    const ready = of('file-ready', 'slow.tif');
    console.log(`slow write: ${chunks} chunks over ${((chunks - 1) * 0.4).toFixed(1)} s, ready ${Math.round(ready[0].t - lastWrite)} ms after the last chunk`);
    expect(ready).toHaveLength(1);
    expect(ready[0].t).toBeGreaterThan(lastWrite);
    expect((ready[0].ev as { size: number }).size).toBe(bytes.length);
    expect(of('file-failed')).toHaveLength(0);
  });

  it('a truncated file fails after completeTimeoutMs with the reason, and is ready once it is completed', async () => {
    await start();
    const bytes = tiffBytes();
    const path = join(root, 'cut.tif');
    await writeFile(path, bytes.subarray(0, 20_000));
    const began = performance.now() - t0;
    await until(() => of('file-failed').length > 0);
    const failed = of('file-failed', 'cut.tif')[0];
    const ev = failed.ev as Extract<WatchEvent, { type: 'file-failed' }>;
    console.log(`truncated file: failed after ${Math.round(failed.t - began)} ms: ${ev.reason}`);
    expect(ev.code).toBe('E_TRUNCATED');
    expect(ev.reason).toMatch(/^Not complete after 1\.5 s without change/);
    expect(failed.t - began).toBeGreaterThanOrEqual(1400);
    await sleep(600);
    expect(of('file-failed')).toHaveLength(1); // recorded once, not retried forever
    await appendFile(path, bytes.subarray(20_000));
    await until(() => of('file-ready', 'cut.tif').length > 0);
  });

  it('a 0-byte file fails after the timeout, saying it is empty', async () => {
    await start({ completeTimeoutMs: 800 });
    await writeFile(join(root, 'empty.tif'), '');
    await until(() => of('file-failed').length > 0);
    const ev = of('file-failed', 'empty.tif')[0].ev as Extract<WatchEvent, { type: 'file-failed' }>;
    expect(ev.reason).toMatch(/has only 0 bytes so far/);
    expect(of('file-ready')).toHaveLength(0);
  });

  it('a non-image with an image extension fails as soon as it is stable, without waiting for the timeout', async () => {
    await start({ completeTimeoutMs: 60_000 });
    await writeFile(join(root, 'notes.tif'), 'Exposure 10 ms, gain 2, this is a text file\n');
    await until(() => of('file-failed').length > 0, 3000);
    const ev = of('file-failed', 'notes.tif')[0].ev as Extract<WatchEvent, { type: 'file-failed' }>;
    expect(ev.code).toBe('E_UNSUPPORTED');
    expect(ev.reason).toMatch(/not an image format this app reads \(it looks like a text file\)/);
  });

  it('ignores hidden and temporary names, and picks up a file renamed to its final name', async () => {
    expect(['.x.tif', 'x.tif.part', 'x.tmp', '~$x.tif', 'x.tif~', '.r.partial-1-2', 'x.crdownload'].every(isIgnoredName)).toBe(true);
    expect(isIgnoredName('x.tif')).toBe(false);
    await writeFile(join(root, 'already.tif'), tiffBytes(3)); // present before start
    await start();
    await writeFile(join(root, '.hidden.tif'), tiffBytes());
    await mkdir(join(root, '.cache'));
    await writeFile(join(root, '.cache', 'x.tif'), tiffBytes());
    await writeFile(join(root, 'img.tif.part'), tiffBytes(2));
    await sleep(400);
    await rename(join(root, 'img.tif.part'), join(root, 'img.tif'));
    await until(() => of('file-ready').length >= 2);
    await sleep(400);
    expect(of('file-ready').map((l) => (l.ev as { rel: string }).rel).sort()).toEqual(['already.tif', 'img.tif']);
    expect(of('file-seen').map((l) => (l.ev as { rel: string }).rel).sort()).toEqual(['already.tif', 'img.tif']);
  });

  it('survives the watched folder being deleted and re-created, and watches the new one', async () => {
    const w = await start();
    await writeFile(join(root, 'a.tif'), tiffBytes());
    await until(() => of('file-ready', 'a.tif').length > 0);
    await rm(root, { recursive: true });
    await until(() => of('folder-missing').length > 0);
    expect(w.status().present).toBe(false);
    await sleep(300); // still missing for a while: no crash, no repeated reports
    expect(of('folder-missing')).toHaveLength(1);
    await mkdir(root);
    await writeFile(join(root, 'b.tif'), tiffBytes(2));
    await until(() => of('file-ready', 'b.tif').length > 0);
    await writeFile(join(root, 'c.tif'), tiffBytes(3)); // and files arriving after the rescan
    await until(() => of('file-ready', 'c.tif').length > 0);
    expect(of('folder-back')).toHaveLength(1);
    expect(w.isIdle()).toBe(true);
  });

  it('reports a folder missing at start and starts watching when it appears', async () => {
    await rm(root, { recursive: true });
    await start();
    expect(of('folder-missing')).toHaveLength(1);
    await mkdir(root);
    await writeFile(join(root, 'late.tif'), tiffBytes());
    await until(() => of('file-ready', 'late.tif').length > 0);
  });

  it('works by polling (network shares)', async () => {
    await start({ usePolling: true, pollIntervalMs: 100 });
    await writeFile(join(root, 'polled.tif'), tiffBytes());
    await until(() => of('file-ready', 'polled.tif').length > 0);
  });

  it('watches sub-folders only when recursive', async () => {
    await mkdir(join(root, 'run1'));
    await writeFile(join(root, 'run1', 'deep.tif'), tiffBytes());
    await writeFile(join(root, 'top.tif'), tiffBytes(2));
    await start({ recursive: true });
    await until(() => of('file-ready').length >= 2);
    expect(of('file-ready').map((l) => (l.ev as { rel: string }).rel).sort()).toEqual(['run1/deep.tif', 'top.tif']);
  });
});
