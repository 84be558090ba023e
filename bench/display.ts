/**
 * @file Benchmark of the image display on an 8192² image in headless Chromium (the e2e harness's browser):
 * time to the first picture after opening a file in the real app, then, side by side in one page on the
 * same image, the tiled pyramid display (Note: Tiled display, in src/renderer/src/lib/tiled-raster.ts)
 * against the previous single full-size canvas: first picture (and the longest main-thread block on the way
 * there, i.e. how long the UI froze), a contrast change at fit and at 1:1, and the median / 95th percentile
 * frame time of pan frames at fit and at 1:1. Not a test: times depend on the machine; compare the columns.
 * The page side is bench/display-page.mts.
 *
 *   npm run bench -- display [--size 8192] [--frames 60] [--web-root dist-web] [--no-app]
 *
 * The app part needs a built renderer (npm run build:web, or LAB_WEB_ROOT / --web-root for another copy).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../playwright.config';
import { writeTiff16 } from '../src/core/imageio';
import { formatTable } from '../src/core/metrics';
import { startHarness } from '../src/harness/server';
import type { DisplayBenchApi, PathResult } from './display-types';

const ROOT = resolve(import.meta.dirname, '..');
const VIEWPORT = { width: 1400, height: 900 };
/** The app's image canvas at that window size is about this big; the in-page canvas uses the same. */
const CANVAS = { width: 1100, height: 750 };

async function pageBundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, 'bench', 'display-page.mts')],
    bundle: true,
    format: 'iife',
    globalName: 'displayBench',
    platform: 'browser',
    target: 'chrome120',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

export async function benchDisplay(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: 'string', default: '8192' },
      frames: { type: 'string', default: '60' },
      'web-root': { type: 'string', default: process.env.LAB_WEB_ROOT ?? 'dist-web' },
      'no-app': { type: 'boolean', default: false },
    },
  });
  const n = Number(values.size);
  const frames = Number(values.frames);
  const webRoot = resolve(ROOT, values['web-root']!);
  const bundle = await pageBundle();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const work = await mkdtemp(join(tmpdir(), 'lab-bench-display-'));
  try {
    console.log(`Display benchmark: ${n}×${n} uint16 ramp + 1-px checkerboard, canvas ${CANVAS.width}×${CANVAS.height} CSS px at dpr 1, ${frames} pan frames.`);
    console.log('Chromium headless, software rendering (--disable-gpu), as in the e2e harness.\n');

    if (!values['no-app']) {
      if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`${webRoot} has no built renderer: run "npm run build:web" first, or pass --no-app.`);
      const path = join(work, `ramp${n}.tif`);
      const img = new Float32Array(n * n);
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) img[y * n + x] = 4 * x + 2 * y + 8000 * ((x + y) & 1);
      await writeTiff16(path, { width: n, height: n, data: img }, { overwrite: true });
      const harness = await startHarness({ port: 0, webRoot, dataDir: join(work, 'data') });
      try {
        // the app's Content-Security-Policy forbids inline scripts, the bundle's way in
        const page = await browser.newPage({ viewport: VIEWPORT, bypassCSP: true });
        await page.goto(harness.url);
        await page.addScriptTag({ content: bundle });
        await page.getByTestId('nav-viewer').click();
        await page.getByTestId('open-path-input').fill(path);
        const app = await page.evaluate(() => (globalThis as unknown as { displayBench: DisplayBenchApi }).displayBench.openInApp());
        console.log(`App (${values['web-root']}), ms after clicking Open: pixels in the renderer ${app.pixelsMs.toFixed(0)}, first picture ${app.firstPictureMs.toFixed(0)}, all pyramid levels ${app.allLevelsMs.toFixed(0)}`);
        console.log('  (up to the pixels: reading the TIFF in the back end and fetching its float32 pixels over HTTP)\n');
        await page.close();
      } finally {
        await harness.close();
      }
    }

    const results: PathResult[] = [];
    for (const kind of ['full', 'tiled'] as const) {
      // a fresh page per path, so neither inherits the other's memory or caches
      const page: Page = await browser.newPage({ viewport: VIEWPORT });
      await page.addScriptTag({ content: bundle });
      await page.evaluate(([size, canvas]) => (globalThis as unknown as { displayBench: DisplayBenchApi }).displayBench.setup(size, canvas), [n, CANVAS] as const);
      results.push(
        await page.evaluate(([k, f]) => (globalThis as unknown as { displayBench: DisplayBenchApi }).displayBench.measure(k, f), [kind, frames] as const),
      );
      await page.close();
    }
    const ms = (v: number) => Number(v.toFixed(1));
    const rows: (string | number)[][] = [['', ...results.map((r) => r.path)]];
    const add = (label: string, f: (r: PathResult) => number) => rows.push([label, ...results.map((r) => ms(f(r)))]);
    add('first picture at fit, ms', (r) => r.firstPictureMs);
    add('  longest main-thread block, ms', (r) => r.firstPictureLongestBlockMs);
    add('contrast change at fit, ms', (r) => r.contrastFitMs);
    add('contrast change at 1:1, ms', (r) => r.contrastOneToOneMs);
    add('pan frame at fit, median ms', (r) => r.panFit.median);
    add('pan frame at fit, p95 ms', (r) => r.panFit.p95);
    add('pan frame at 1:1, median ms', (r) => r.panOneToOne.median);
    add('pan frame at 1:1, p95 ms', (r) => r.panOneToOne.p95);
    add('display memory, MiB', (r) => r.memoryMiB);
    console.log(formatTable(rows, { digits: 6 }));
    console.log('\nLongest block: the largest gap between beats of a zero-delay message loop, i.e. how long input would have waited.');
    console.log('Memory: beyond the float pixels; full canvas = ImageData + canvas store, tiles = pyramid levels + mapped tiles.');
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
}
