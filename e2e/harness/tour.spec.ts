/**
 * @file A first-time user's tour of every workspace: the real renderer in Chromium against the real core
 * through the browser harness. Each step asserts what a newcomer should see (an empty state that says what to
 * do, a labelled result, a readable message) and leaves a screenshot in e2e/screenshots/tour-*.png. The data
 * is synthetic, written by the test, except one step on the public images of ../shared/data (the X-ray
 * speckle pair, a blurry SEM micrograph, the 12 standard kernels), which skips, saying so, where that folder
 * is absent. The steps run in order on one harness: Jobs and the report use the jobs of the steps before.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTiffFloat32 } from '../../src/core/imageio';
import { encodeTiff8 } from '../../src/core/imageio/write-tiff';
import { quietContext } from '../../src/core/progress';
import { gaussianBlur } from '../../src/core/restore/deblur/richardson-lucy';
import { scene } from '../../src/core/restore/deblur/test-support';
import { simulatePair } from '../../src/core/synth';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { AcquisitionPage } from '../pages/acquisition-page';
import { DicPage } from '../pages/dic-page';
import { JobsPage } from '../pages/jobs-page';
import { RestorePage } from '../pages/restore-page';
import { SettingsPage } from '../pages/settings-page';
import { XrayPage } from '../pages/xray-page';

// One harness per file: the later steps (Jobs, report) use the earlier steps' jobs.
test.describe.configure({ mode: 'serial' });

const shot = (name: string) => join(SCREENSHOTS, `tour-${name}.png`);
/** The public images (../shared/data): the real-data steps skip, saying so, where the folder is absent. */
const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

async function writePair(dir: string, w = 160, h = 128) {
  const pair = await simulatePair({ width: w, height: h, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0.6, uy: -0.3 }, seed: 9 }, quietContext());
  const ref = join(dir, 'tour-ref.tif');
  const def = join(dir, 'tour-def.tif');
  await writeTiffFloat32(ref, pair.reference, { overwrite: true });
  await writeTiffFloat32(def, pair.deformed, { overwrite: true });
  return { ref, def };
}

async function writeBlurred(dir: string, name: string, seed: number, w = 160, h = 120) {
  const sharp = scene(w, h, seed);
  const b = await gaussianBlur(sharp, w, h, 1.5, quietContext());
  const path = join(dir, name);
  await writeFile(path, encodeTiff8({ width: w, height: h, data: Float32Array.from(b, (v) => Math.round(v)) }));
  return path;
}

test('Viewer: open a TIFF, see its size, set the contrast, zoom down to pixels; ? lists the keys', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const { ref } = await writePair(workDir);
  await page.getByTestId('nav-viewer').click();
  await page.screenshot({ path: shot('viewer-empty') });
  await viewer.openPath(ref);
  await viewer.expectSize(160, 128);
  await expect(page.getByTestId('image-name')).toContainText('tour-ref.tif');
  await viewer.setContrast(0.2, 0.8);
  await expect(page.getByTestId('contrast-min')).toHaveValue('0.2');
  await viewer.zoomIn(6);
  expect((await viewer.view()).scale).toBeGreaterThan(8);
  const p = await viewer.readPixel(80, 64);
  expect(Number.isFinite(p.value)).toBe(true);
  await page.screenshot({ path: shot('viewer-pixels') });

  await page.keyboard.press('?');
  const help = page.getByTestId('shortcut-help');
  await expect(help).toBeVisible();
  await expect(page.locator('[data-testid=shortcut-group][data-group="Image view"]')).toContainText('Zoom in');
  await page.screenshot({ path: shot('shortcuts') });
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
});

test('Speckle / DIC: a pair, rectangle and polygon ROIs with an exclusion, every method named on Run, result maps, compare, export', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const { ref, def } = await writePair(workDir);
  const dic = new DicPage(page);
  await dic.open();
  await expect(dic.id('dic-run-blocker')).toContainText('reference');
  await page.screenshot({ path: shot('dic-empty') });
  await dic.loadPair(ref, def);
  await dic.drawRoi(20, 16, 140, 112);
  expect(await dic.roi()).toEqual({ x: '20', y: '16', w: '120', h: '96' });

  // the Run button names the chosen method by its short name
  const names: [Parameters<DicPage['setMethod']>[0], string][] = [
    ['zncc', 'ZNCC'],
    ['umpa', 'UMPA'],
    ['cnn-dic', 'CNN-DIC'],
    ['cnn-xst', 'CNN-XST'],
    ['cnn+icgn', 'CNN+IC-GN'],
    ['icgn', 'IC-GN'],
  ];
  for (const [m, name] of names) {
    await dic.setMethod(m);
    await expect(dic.id('dic-run')).toHaveText(`▶ Run ${name}`);
    await expect(dic.id('dic-method-summary')).not.toBeEmpty();
  }
  // a CNN run: its messages (e.g. why it ran on the CPU) stay inside the messages box
  await dic.setMethod('cnn-xst');
  await dic.run('done');
  await expect(dic.id('dic-summary-method')).toContainText('CNN-XST');
  const messages = dic.id('dic-messages');
  if (await messages.count()) {
    const fits = await messages.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return e.scrollWidth <= e.clientWidth;
    });
    expect(fits, 'the messages box holds its text').toBe(true);
    await messages.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('dic-cnn-messages') });
  }
  await dic.setMethod('icgn', { step: 4 });
  await page.screenshot({ path: shot('dic-form') });
  await dic.run('done');
  await expect(dic.id('dic-summary-method')).toContainText('IC-GN');
  await expect(dic.id('dic-summary-mean-u')).toContainText('px');
  await page.screenshot({ path: shot('dic-result-u') });
  for (const map of ['v', 'mag']) {
    await dic.id('dic-map-select').selectOption(map);
    await expect(dic.id('dic-colorbar')).toContainText('px');
  }

  // a polygon with an exclusion, then ZNCC: compare the two runs
  await dic.drawPolygon([
    [16, 16],
    [144, 16],
    [144, 112],
    [16, 112],
  ]);
  await dic.drawPolygon(
    [
      [60, 50],
      [100, 50],
      [100, 80],
      [60, 80],
    ],
    { tool: 'exclude', close: 'dblclick' },
  );
  await expect(dic.id('dic-roi-summary')).toContainText('polygon and in no exclusion');
  await page.screenshot({ path: shot('dic-polygon') });
  await dic.setMethod('zncc', { window: 21, search: 4, step: 4 });
  await dic.run('done');
  await dic.id('dic-tab-images').click();
  await expect(dic.id('dic-vector-legend')).toContainText('arrows every');
  await page.screenshot({ path: shot('dic-vectors') });
  await dic.id('dic-tab-compare').click();
  await expect(dic.id('dic-compare-diff-canvas')).toBeVisible();
  await page.screenshot({ path: shot('dic-compare') });
  await dic.id('dic-tab-result').click();
  const [csv] = await Promise.all([page.waitForEvent('download'), dic.id('dic-export-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
});

test('X-ray phase: simulate a phantom from the empty state, run, a profile with two methods and the truth', async ({ viewer }) => {
  const page = viewer.page;
  const xr = new XrayPage(page);
  await xr.open();
  await expect(xr.id('xray-empty')).toBeVisible();
  await page.screenshot({ path: shot('xray-empty') });
  await xr.id('xray-simulate').click();
  await expect(xr.id('xray-ref-info')).toContainText('reference.tif', { timeout: 60_000 });
  await expect(xr.id('xray-geom-pixelUm')).toHaveValue('12');
  await xr.id('xray-method').selectOption('zncc');
  await xr.id('xray-step').fill('4');
  await xr.run('done');
  await expect(xr.id('xray-colorbar')).toHaveAttribute('data-unit', 'µrad');
  await expect(xr.id('xray-run-state')).toHaveText('done'); // shown capitalised by CSS
  await expect(xr.id('xray-stat-alpha_x')).toContainText('α_x'); // named as the map buttons name it
  await xr.id('xray-method').selectOption('umpa');
  await xr.run('done');
  await xr.drawLine(10, 64, 180, 64);
  await expect(xr.id('xray-profile-chart')).toHaveAttribute('data-series', '3'); // two runs + the truth
  await page.screenshot({ path: shot('xray-profile') });
});

test('Restoration: deblur (RL, MIDNet, NAFNet), split slider, SR ×2 and ×4 with a kernel, batch', async ({ viewer, workDir }) => {
  test.setTimeout(180_000);
  const page = viewer.page;
  const blurred = await writeBlurred(workDir, 'tour-sem.tif', 5);
  const rp = new RestorePage(page);
  await rp.open();
  await expect(rp.id('restore-empty')).toBeVisible();
  await page.screenshot({ path: shot('restore-empty') });
  await rp.openImage('in', blurred);
  for (const m of ['richardson-lucy', 'midnet', 'nafnet'] as const) {
    await rp.deblur(m);
    await rp.run('done');
    await expect(rp.id('restore-metric-sharp-out')).not.toBeEmpty();
  }
  await rp.id('restore-view-split').click();
  await rp.dragSplit(0.4);
  await page.screenshot({ path: shot('restore-split') });

  await page.keyboard.press('?');
  // the toggle key is described like the zoom keys, under the image view
  await expect(page.locator('[data-testid=shortcut-group][data-group="Image view"]')).toContainText('before and after');
  await expect(page.getByTestId('shortcut-help')).not.toContainText('of this view');
  await page.screenshot({ path: shot('restore-shortcuts') });
  await page.keyboard.press('Escape');

  await rp.superResolve('usrnet', 2);
  await rp.id('restore-kernel-kind').selectOption('gauss');
  await rp.id('restore-kernel-sigma').fill('1.2');
  await expect(rp.id('restore-kernel-canvas')).toBeVisible();
  await page.screenshot({ path: shot('restore-sr-kernel') });
  await rp.run('done');
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', '320');
  await rp.superResolve('bicubic', 4);
  await rp.run('done');
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', '640');

  const second = await writeBlurred(workDir, 'tour-sem-2.tif', 6);
  await rp.deblur('richardson-lucy');
  await rp.id('restore-batch-paths').fill(`${blurred}\n${second}`);
  await rp.id('restore-batch-set').click();
  await expect(rp.id('restore-batch-row')).toHaveCount(2);
  await rp.id('restore-batch-run').click();
  await expect(rp.id('restore-batch-row').filter({ hasText: 'tour-sem-2.tif' })).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await page.screenshot({ path: shot('restore-batch') });
});

test('real data: the X-ray speckle pair and a blurry SEM micrograph with the 12 standard kernels', async ({ viewer }) => {
  test.skip(!existsSync(join(DATA, 'xpci', 'tiepy', 'sample.tif')), `${DATA} is not there: no real images to try`);
  test.setTimeout(120_000);
  const page = viewer.page;
  const xr = new XrayPage(page);
  await xr.open();
  await xr.openImage('ref', join(DATA, 'xpci', 'tiepy', 'reference.tif'));
  await xr.openImage('sample', join(DATA, 'xpci', 'tiepy', 'sample.tif'));
  await expect(xr.id('xray-sample-info')).toContainText('830 × 192');
  await xr.setGeometry({ pixelUm: '7', distanceM: '3.5', energyKeV: '25', sourceDistanceM: '', delta: '' });
  await xr.id('xray-method').selectOption('umpa');
  await xr.id('xray-step').fill('4');
  await xr.run('done', 90_000);
  await xr.id('xray-map-darkfield').click();
  await xr.drawLine(20, 96, 800, 96);
  await expect(xr.id('xray-profile-chart')).toBeVisible();
  await page.screenshot({ path: shot('xray-real') });

  const rp = new RestorePage(page);
  await rp.open();
  await rp.openImage('in', join(DATA, 'sem', 'midnet', 'blur', '1-1_s001.png'));
  await rp.openImage('ref', join(DATA, 'sem', 'midnet', 'sharp', '1-1_s001.png'));
  await rp.deblur('midnet');
  await rp.run('done');
  await expect(rp.id('restore-metric-psnr-out')).not.toBeEmpty();
  await rp.id('restore-view-split').click();
  await page.screenshot({ path: shot('restore-real-midnet') });
  await rp.superResolve('usrnet', 4);
  const k12 = rp.id('restore-kernel-kind').locator('option[value="kernels12"]');
  await expect(k12).toBeEnabled();
  await rp.id('restore-kernel-kind').selectOption('kernels12');
  await rp.id('restore-kernel-n').selectOption('12');
  await expect(rp.id('restore-kernel-spec')).toContainText('kernels12:12');
  await page.screenshot({ path: shot('restore-kernels12') });
});

test('Acquisition: watch a folder with an example rule, files land, the queue and the history show them', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const acq = new AcquisitionPage(page);
  const folder = join(workDir, 'incoming');
  await mkdir(folder, { recursive: true });
  await acq.open();
  // A fresh app says how to start; after an earlier session in the same back end (the specs share one), the
  // queue still lists that session's jobs instead.
  await expect(acq.id('acq-queue-empty').or(acq.id('acq-queue')).first()).toBeVisible();
  if (await acq.id('acq-queue-empty').isVisible()) await expect(acq.id('acq-queue-empty')).toContainText('Start watching');
  await page.screenshot({ path: shot('acq-empty') });
  await acq.id('acq-rules-example').selectOption({ label: 'sem-single' });
  await expect(acq.id('acq-rules-status')).toHaveAttribute('data-state', 'ok');
  await acq.setFolders(folder, join(workDir, 'acq-out'));
  await acq.setOption('acq-stable-ms', '200');
  await acq.start();
  await copyFile(await writeBlurred(workDir, 'land-1.tif', 7), join(folder, 'shot_001.tif'));
  await writeFile(join(folder, 'broken.tif'), 'not an image');
  await expect(acq.row('shot_001.tif')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(acq.row('broken.tif')).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  await page.screenshot({ path: shot('acq-queue') });
  await acq.stop();
  await expect(acq.historyRows().first()).toBeVisible();
  await page.screenshot({ path: shot('acq-history') });
});

test('Jobs: earlier runs listed, one reopens; export a report, Esc closes the dialog', async ({ viewer }) => {
  const page = viewer.page;
  const jobs = new JobsPage(page);
  await jobs.open();
  await expect(jobs.id('job-row').first()).toBeVisible();
  await page.screenshot({ path: shot('jobs') });
  await page.locator('[data-testid=job-row][data-kind=track][data-state=done]').first().getByTestId('job-select').check();
  await jobs.id('jobs-export-report').click();
  await expect(jobs.id('report-dialog')).toBeVisible();
  await page.screenshot({ path: shot('report-dialog') });
  // nothing behind the dialog reacts to keys: Ctrl+1 (Viewer) and ? do nothing while it is open
  await page.locator('#report-dialog-title').click();
  await page.keyboard.press('Control+1');
  await page.keyboard.press('?');
  await expect(page.getByTestId('workspace-jobs')).toBeVisible();
  await expect(page.getByTestId('shortcut-help')).toHaveCount(0);
  await expect(jobs.id('report-dialog')).toBeVisible();
  // Esc in a field closes the dialog, and no shortcut behind it fires (no "?" list from the dialog)
  await jobs.id('report-title').press('Escape');
  await expect(jobs.id('report-dialog')).toHaveCount(0);
  await page.locator('[data-testid=job-row][data-kind=track][data-state=done]').first().getByTestId('job-open').click();
  await expect(page.getByTestId('workspace-dic')).toBeVisible();
  await expect(page.getByTestId('dic-map-canvas')).toBeVisible();
});

test('Settings: models with their check, provider, threads, theme', async ({ viewer }) => {
  const page = viewer.page;
  const sp = new SettingsPage(page);
  await sp.open();
  await expect(sp.model('midnet-s')).toBeVisible();
  await expect(sp.id('settings-provider-active')).not.toBeEmpty();
  await page.screenshot({ path: shot('settings'), fullPage: true });
  await sp.id('settings-threads').fill('0');
  await sp.id('settings-threads').press('Enter');
  await expect(sp.id('settings-threads-error')).toContainText('from 1 to 256');
  await sp.id('settings-threads').fill('');
  await sp.id('settings-threads').press('Enter');
  await expect(sp.id('settings-threads-error')).toHaveCount(0);
  await sp.id('settings-theme-light').click();
  expect(await sp.theme()).toBe('light');
  await page.screenshot({ path: shot('settings-light') });
  await sp.id('settings-theme-dark').click();
});
