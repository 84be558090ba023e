/**
 * @file Results reopen from the Jobs workspace exactly as they were: the real renderer in Chromium against
 * the real core through the browser harness. An X-ray phase job (ZNCC, step 4, least-squares integration,
 * a cone-beam geometry with δ) and a restoration job (Richardson–Lucy with a given σ and a reference) are
 * run, then a super-resolution job (bicubic ×3, no reference); then the forms are changed, other results are shown and the workspace is left. Open on each job's
 * row in Jobs must bring back its workspace with the maps / images and figures of that run (the exact
 * values of its TIFFs and result.json) and its options back in the form. A result folder that was moved
 * away says so on its row. Last, the light theme: screenshots of Jobs, Acquisition, Viewer, X-ray phase
 * and Restoration (e2e/screenshots/*-light.png).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../src/core/imageio';
import { encodeTiff8 } from '../../src/core/imageio/write-tiff';
import { quietContext } from '../../src/core/progress';
import { gaussianBlur } from '../../src/core/restore/deblur/richardson-lucy';
import { scene } from '../../src/core/restore/deblur/test-support';
import { runSimulateXpciTask } from '../../src/core/xpci/simulate-task';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { JobsPage } from '../pages/jobs-page';
import { RestorePage } from '../pages/restore-page';
import { SettingsPage } from '../pages/settings-page';
import { XrayPage } from '../pages/xray-page';

const XW = 128;
const XH = 96;
const RW = 160;
const RH = 120;

const resultJson = async (dir: string) => JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));

/** The X-ray form as shown: geometry fields, method, step, integrator. */
async function xrayForm(xr: XrayPage) {
  const v = (id: string) => xr.id(id).inputValue();
  return {
    pixelUm: await v('xray-geom-pixelUm'),
    distanceM: await v('xray-geom-distanceM'),
    energyKeV: await v('xray-geom-energyKeV'),
    sourceDistanceM: await v('xray-geom-sourceDistanceM'),
    delta: await v('xray-geom-delta'),
    method: await v('xray-method'),
    step: await v('xray-step'),
    integrator: await v('xray-integrator'),
  };
}

// The light-theme screenshots show the first test's jobs (one harness per file): run in order, stop at a failure.
test.describe.configure({ mode: 'serial' });

test('an X-ray phase job and a restoration job reopen from Jobs with their maps, figures and options', async ({ viewer, workDir }) => {
  const page = viewer.page;

  // ---------- X-ray phase run ----------
  const simDir = join(workDir, 'sim-reopen');
  await runSimulateXpciTask({ outDir: simDir, width: XW, height: XH, seed: 5 }, quietContext());
  const sim = await resultJson(simDir);
  const xr = new XrayPage(page);
  await xr.open();
  await xr.openImage('ref', join(simDir, 'reference.tif'));
  await xr.openImage('sample', join(simDir, 'sample.tif'));
  await xr.setGeometry({ pixelUm: '12', distanceM: String(sim.geometry.distanceM), energyKeV: '30', sourceDistanceM: '40', delta: '2e-7' });
  await xr.id('xray-method').selectOption('zncc');
  await xr.id('xray-step').fill('4');
  await xr.id('xray-integrator').selectOption('ls');
  const xForm = await xrayForm(xr);
  await xr.run('done');
  const xDir = (await xr.id('xray-result-path').textContent())!.trim();
  const xJson = await resultJson(xDir);
  expect(xJson.parameters).toMatchObject({ step: 4, delta: 2e-7, integrator: 'ls' });
  expect(xJson.geometry.sourceM).toBe(40);
  await expect(xr.id('xray-map-thickness')).toBeVisible();
  const alphaX = await readImage(join(xDir, 'alpha_x.tif'));
  const xrayRange = { lo: await xr.id('xray-colorbar').getAttribute('data-lo'), hi: await xr.id('xray-colorbar').getAttribute('data-hi') };

  // ---------- restoration run ----------
  const sharp = scene(RW, RH, 17);
  const blurredPx = await gaussianBlur(sharp, RW, RH, 1.4, quietContext());
  const blurred = join(workDir, 'reopen-blurred.tif');
  const sharpPath = join(workDir, 'reopen-sharp.tif');
  await writeFile(blurred, encodeTiff8({ width: RW, height: RH, data: Float32Array.from(blurredPx, (v) => Math.round(v)) }));
  await writeFile(sharpPath, encodeTiff8({ width: RW, height: RH, data: sharp }));
  const rp = new RestorePage(page);
  await rp.open();
  await rp.openImage('in', blurred);
  await rp.openImage('ref', sharpPath);
  await rp.deblur('richardson-lucy');
  await rp.id('restore-rl-sigma').fill('1.4');
  await rp.id('restore-rl-iterations').fill('12');
  await rp.run('done');
  const rDir = await rp.resultDir();
  const rJson = await resultJson(rDir);
  expect(rJson.parameters).toMatchObject({ sigmaPx: 1.4, sigmaSource: 'given', iterations: 12 });
  const deblurred = await readImage(join(rDir, 'deblurred.tif'));
  const input = await readImage(blurred);

  // ---------- change everything ----------
  await rp.superResolve('bicubic', 3);
  await rp.id('restore-ref-clear').click();
  await rp.openImage('in', sharpPath);
  await rp.run('done'); // another result is shown now
  await expect(rp.id('restore-result-dir')).not.toHaveText(rDir);
  const srDir = await rp.resultDir();
  await xr.open();
  await xr.setGeometry({ pixelUm: '7', distanceM: '9', energyKeV: '50', sourceDistanceM: '', delta: '' });
  await xr.id('xray-method').selectOption('umpa');
  await xr.id('xray-step').fill('8');
  await xr.id('xray-integrator').selectOption('fc');
  await viewer.openPath(join(simDir, 'sample.tif'));

  // ---------- reopen the X-ray job ----------
  const jobs = new JobsPage(page);
  await jobs.open();
  await expect(jobs.rowOf(xDir)).toHaveAttribute('data-kind', 'xpci');
  await jobs.reopen(xDir, 'xpci');
  await expect(xr.id('xray-result-path')).toHaveText(xDir);
  expect(await xrayForm(xr)).toEqual(xForm);
  await expect(xr.id('xray-ref-info')).toContainText('reference.tif');
  await expect(xr.id('xray-sample-info')).toContainText('sample.tif');
  await xr.id('xray-map-alpha_x').click();
  await expect(xr.id('xray-colorbar')).toHaveAttribute('data-lo', xrayRange.lo!);
  await expect(xr.id('xray-colorbar')).toHaveAttribute('data-hi', xrayRange.hi!);
  for (const [x, y] of [[64, 48], [36, 60]]) expect((await xr.readAt(x, y)).value).toBe(alphaX.data[y * XW + x]);
  await expect(xr.id('xray-map-thickness')).toBeVisible();

  // ---------- reopen the restoration job ----------
  await jobs.open();
  await expect(jobs.rowOf(rDir)).toHaveAttribute('data-kind', 'deblur');
  await jobs.reopen(rDir, 'restore');
  await rp.expectReopenedRl({ dir: rDir, sigma: '1.4', iterations: '12', inName: 'reopen-blurred.tif', refName: 'reopen-sharp.tif', width: RW, json: rJson, input, deblurred });
  await page.screenshot({ path: join(SCREENSHOTS, 'reopen-restore.png') });

  // ... and the super-resolution job after it: its mode, method and scale come back too
  await jobs.open();
  await jobs.reopen(srDir, 'restore');
  await rp.expectReopenedBicubic(srDir, 3, RW);

  // ---------- a result folder that is gone says so on its row ----------
  await rename(rDir, `${rDir}-moved`);
  await jobs.open();
  await jobs.rowOf(rDir).getByTestId('job-open').click();
  await expect(jobs.rowOf(rDir).getByTestId('job-open-error')).toContainText('no longer there');
  await expect(jobs.id('workspace-jobs')).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'reopen-gone.png') });
  await rename(`${rDir}-moved`, rDir);
});

test('light theme: Jobs, Acquisition, Viewer, X-ray phase and Restoration', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const sp = new SettingsPage(page);
  await sp.open();
  await sp.id('settings-theme-light').click();
  expect(await sp.theme()).toBe('light');
  try {
    const jobs = new JobsPage(page);
    await jobs.open();
    await expect(jobs.id('job-row').first()).toBeVisible(); // the first test's jobs (same harness)
    await page.screenshot({ path: join(SCREENSHOTS, 'jobs-light.png') });
    await page.getByTestId('nav-acquire').click();
    // this file's jobs were not made by a watched folder, which the Acquisition history shows by default
    await page.getByTestId('acq-history-all').check();
    await expect(page.getByTestId('acq-history-row').first()).toBeVisible();
    await page.screenshot({ path: join(SCREENSHOTS, 'acquisition-light.png') });
    await viewer.openPath(join(workDir, 'reopen-blurred.tif'));
    await viewer.expectSize(RW, RH);
    await viewer.readPixel(80, 60);
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer-light.png') });
    // the first test's results, reopened from their rows
    await jobs.open();
    await page.locator('[data-testid=job-row][data-kind=xpci]').first().getByTestId('job-open').click();
    await expect(page.getByTestId('xray-map-canvas')).toBeVisible();
    // the profile chart draws on a canvas with the theme's colours
    const xr = new XrayPage(page);
    await xr.drawLine(10, 48, 117, 48);
    await expect(xr.id('xray-profile-chart')).toHaveAttribute('data-series', '2');
    await page.screenshot({ path: join(SCREENSHOTS, 'xray-light.png') });
    await jobs.open();
    await page.locator('[data-testid=job-row][data-kind=deblur]').last().getByTestId('job-open').click();
    await expect(page.getByTestId('restore-result-dir')).toBeVisible();
    await page.screenshot({ path: join(SCREENSHOTS, 'restore-light.png') });
  } finally {
    await sp.open();
    await sp.id('settings-theme-dark').click();
  }
});
