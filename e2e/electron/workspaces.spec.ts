/**
 * @file Each workspace's main flow in the real Electron app, through the same page objects as the
 * browser-harness specs (e2e/pages) and mirroring them (e2e/harness/{dic,xray,restore,acquisition,reopen,
 * settings}.spec.ts). One app per test, each with its own temporary data folder (./launch.ts).
 *
 * What differs from the harness specs, and why:
 *  - Where a harness spec asks the harness's back end (harness.backend.handlers, harness.jobs), these ask
 *    what Electron makes observable: the UI, the files in the app's data folder (<userData>/results,
 *    settings.json), or the contract itself through the preload's `window.lab` (LabApp.lab).
 *  - Native dialogs cannot be driven: paths are typed into the path fields, as the harness specs do.
 *  - Downloads (CSV / PNG exports) would open Electron's native save dialog: not exercised here; the X-ray
 *    profile is checked through `xpci.profile` instead.
 *
 * Runs where Electron's binary exists; elsewhere every test here is reported as SKIPPED with the reason
 * (never as passed).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { encodeTiffFloat32, readImage, writeTiffFloat32 } from '../../src/core/imageio';
import { encodeTiff8 } from '../../src/core/imageio/write-tiff';
import { quietContext } from '../../src/core/progress';
import { gaussianBlur } from '../../src/core/restore/deblur/richardson-lucy';
import { scene } from '../../src/core/restore/deblur/test-support';
import { simulatePair } from '../../src/core/synth';
import { runSimulateXpciTask } from '../../src/core/xpci/simulate-task';
import { AcquisitionPage } from '../pages/acquisition-page';
import { DicPage } from '../pages/dic-page';
import { JobsPage } from '../pages/jobs-page';
import { RestorePage } from '../pages/restore-page';
import { SettingsPage } from '../pages/settings-page';
import { ViewerPage } from '../pages/viewer-page';
import { XrayPage } from '../pages/xray-page';
import { BIN, buildApp, isInside, SCREENSHOTS, SKIP_REASON, withLab, type LabApp } from './launch';

const resultJson = async (dir: string): Promise<any> => JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));

/** The job the app recorded for a result folder, asked through the contract (the Jobs list's source). */
async function jobOf(lab: LabApp, resultDir: string) {
  const { jobs } = await lab.lab('jobs.list', { limit: 1000 });
  return jobs.find((j) => j.resultDir === resultDir);
}

/** A synthetic SEM-like scene, sharp and Gaussian-blurred, as 8-bit TIFFs (as in the harness specs). */
async function writeScene(dir: string, w: number, h: number, seed: number, sigma: number): Promise<{ blurred: string; sharp: string }> {
  const sharp = scene(w, h, seed);
  const b = await gaussianBlur(sharp, w, h, sigma, quietContext());
  const paths = { blurred: join(dir, 'sem-blurred.tif'), sharp: join(dir, 'sem-sharp.tif') };
  await writeFile(paths.blurred, encodeTiff8({ width: w, height: h, data: Float32Array.from(b, (v) => Math.round(v)) }));
  await writeFile(paths.sharp, encodeTiff8({ width: w, height: h, data: sharp }));
  return paths;
}

test.describe('Electron workspaces', () => {
  test.skip(!BIN, SKIP_REASON);

  test.beforeAll(() => {
    test.setTimeout(300_000);
    buildApp();
  });

  test('DIC: load a simulated pair, run ZNCC; the readout is the true shift and the value in u.tif', async () => {
    const W = 192;
    const H = 160;
    const TRUTH = { u: 1.3, v: -0.6 };
    await withLab(async (lab) => {
      const pair = await simulatePair(
        { width: W, height: H, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: TRUTH.u, uy: TRUTH.v }, seed: 7 },
        quietContext(),
      );
      const ref = join(lab.workDir, 'const-ref.tif');
      const def = join(lab.workDir, 'const-def.tif');
      await writeTiffFloat32(ref, pair.reference, { overwrite: true });
      await writeTiffFloat32(def, pair.deformed, { overwrite: true });

      const dic = new DicPage(lab.page);
      await dic.open();
      await dic.loadPair(ref, def);
      await dic.setMethod('zncc', { window: 21, search: 4, step: 4 });
      await dic.run('done');
      await expect(dic.id('dic-map-canvas')).toBeVisible();
      await expect(dic.id('dic-colorbar')).toContainText('px');
      await expect(dic.id('dic-summary-method')).toContainText('ZNCC');

      // the result folder is in the app's data folder, and the job that wrote it is done
      const dir = await dic.resultDir();
      expect(isInside(lab.resultsDir, dir), `${dir} is under ${lab.resultsDir}`).toBe(true);
      expect((await resultJson(dir)).method).toBe('zncc');
      expect((await jobOf(lab, dir))?.state).toBe('done');

      const uTif = await readImage(join(dir, 'u.tif'));
      const vTif = await readImage(join(dir, 'v.tif'));
      // grid points (every 4 px from the origin), away from the border
      for (const [x, y] of [
        [96, 80],
        [60, 52],
      ]) {
        const r = await dic.readAt('dic-map-canvas', x, y);
        expect(r.u).toBe(uTif.data[y * W + x]);
        expect(r.v).toBe(vTif.data[y * W + x]);
        expect(Math.abs(r.u - TRUTH.u), `u at (${x}, ${y}) read "${r.uText}"`).toBeLessThan(0.1);
        expect(Math.abs(r.v - TRUTH.v), `v at (${x}, ${y}) read "${r.vText}"`).toBeLessThan(0.1);
        expect(r.uText).toMatch(/ px$/);
      }
      await lab.page.screenshot({ path: join(SCREENSHOTS, 'electron-dic.png') });
    });
  });

  test('X-ray phase: simulate a phantom, run ZNCC; the readout is alpha_x.tif; a profile line gives a chart', async () => {
    const W = 128;
    const H = 96;
    await withLab(async (lab) => {
      const simDir = join(lab.workDir, 'sim-a');
      await runSimulateXpciTask({ outDir: simDir, width: W, height: H, seed: 3 }, quietContext());
      const sim = await resultJson(simDir);

      const xr = new XrayPage(lab.page);
      await xr.open();
      await expect(xr.id('xray-empty')).toBeVisible();
      await xr.openImage('ref', join(simDir, 'reference.tif'));
      await xr.openImage('sample', join(simDir, 'sample.tif'));
      await expect(xr.id('xray-empty')).toHaveCount(0);
      await xr.setGeometry({ pixelUm: '12', distanceM: String(sim.geometry.distanceM), energyKeV: '30' });
      await xr.id('xray-method').selectOption('zncc');
      await xr.id('xray-step').fill('2');
      await xr.run('done');

      await expect(xr.id('xray-map-canvas')).toBeVisible();
      const cb = xr.id('xray-colorbar');
      await expect(cb).toHaveAttribute('data-unit', 'µrad');
      const dir = (await xr.id('xray-result-path').textContent())!.trim();
      expect(isInside(lab.resultsDir, dir), `${dir} is under ${lab.resultsDir}`).toBe(true);
      expect((await jobOf(lab, dir))?.state).toBe('done');
      const ax = await readImage(join(dir, 'alpha_x.tif'));
      for (const [x, y] of [
        [64, 48],
        [40, 30],
      ]) {
        const r = await xr.readAt(x, y);
        expect(r.value).toBe(ax.data[y * W + x]);
        expect(r.text).toMatch(/ µrad$/);
      }
      await expect(xr.id('xray-truth')).toBeVisible();

      // a profile across the phantom: this run and the ground truth
      await xr.id('xray-line-width').fill('3');
      await xr.id('xray-line-width').press('Enter');
      await xr.drawLine(10, 48, 117, 48);
      await expect(xr.id('xray-line')).toContainText('(10, 48) → (117, 48), band 3 px');
      const chart = xr.id('xray-profile-chart');
      await expect(chart).toBeVisible();
      await expect(chart).toHaveAttribute('data-series', '2');
      await expect(chart).toHaveAttribute('data-points', '108');
      // the same profile from the contract (the harness spec checks it in the CSV download instead)
      const profile = await lab.lab('xpci.profile', { dir, line: { x0: 10, y0: 48, x1: 117, y1: 48, width: 3 } });
      expect(profile.s.length).toBe(108);
      expect(profile.series.some((s) => s.source === 'truth')).toBe(true);
      const measured = profile.series.find((s) => s.source === 'measured' && s.name.includes('alpha_x'));
      expect(measured?.values.filter((v) => v !== null).length ?? 0).toBeGreaterThan(80);
      await lab.page.screenshot({ path: join(SCREENSHOTS, 'electron-xray.png') });
    });
  });

  test('Restoration: deblur with Richardson–Lucy; the metrics panel shows result.json, the readout deblurred.tif', async () => {
    const W = 160;
    const H = 120;
    await withLab(async (lab) => {
      const { blurred, sharp } = await writeScene(lab.workDir, W, H, 11, 1.6);
      const rp = new RestorePage(lab.page);
      await rp.open();
      await expect(rp.id('restore-empty')).toBeVisible();
      await expect(rp.id('restore-metrics-empty')).toBeVisible();
      await rp.openImage('in', blurred);
      await rp.openImage('ref', sharp);
      await expect(rp.id('restore-frame-size')).toHaveAttribute('data-width', String(W));

      await rp.deblur('richardson-lucy');
      await expect(rp.id('restore-method-line')).toContainText('classical deconvolution');
      await rp.id('restore-rl-iterations').fill('20');
      await rp.run('done');
      const rlDir = await rp.resultDir();
      expect(isInside(lab.resultsDir, rlDir), `${rlDir} is under ${lab.resultsDir}`).toBe(true);
      const rl = await resultJson(rlDir);
      expect(rl.method).toBe('richardson-lucy');
      await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', String(W));
      await expect(rp.id('restore-metric-model')).toContainText('none');
      await rp.expectMetricsOf(rl);
      expect(rl.metrics.reference.psnrDb.output).toBeGreaterThan(rl.metrics.reference.psnrDb.input); // RL did sharpen
      const job = await jobOf(lab, rlDir);
      expect(job?.state).toBe('done');
      expect(job?.kind).toBe('deblur');

      await rp.id('restore-view-split').click();
      await expect(rp.id('restore-split-handle')).toBeVisible();
      const deblurred = await readImage(join(rlDir, 'deblurred.tif'));
      const input = await readImage(blurred);
      const v = await rp.readAt('restore-canvas-after', 100, 60);
      expect(v.after).toBe(deblurred.data[60 * W + 100]);
      expect(v.before).toBe(input.data[60 * W + 100]);
      await lab.page.screenshot({ path: join(SCREENSHOTS, 'electron-restore.png') });
    });
  });

  test('Acquisition: watch a temp folder with an info rule; a TIFF dropped there is processed to done', async () => {
    const INFO_RULES = JSON.stringify(
      { version: 1, rules: [{ name: 'sem', type: 'single', match: '.*\\.(tif|png)', task: { kind: 'info' } }] },
      null,
      2,
    );
    const size = 96;
    const data = new Float32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = x * 2 + y + (x > 30 && x < 60 && y > 30 && y < 60 ? 400 : 0);
    await withLab(async (lab) => {
      const folder = join(lab.workDir, 'acq');
      const out = join(lab.workDir, 'acq-results');
      await mkdir(folder, { recursive: true });
      const acq = new AcquisitionPage(lab.page);
      await acq.open();
      await expect(acq.id('acq-queue-empty')).toContainText('Start watching');
      await acq.setRules(INFO_RULES);
      await expect(acq.id('acq-rules-rule')).toContainText('every file matching');
      await acq.setFolders(folder, out);
      await acq.setOption('acq-stable-ms', '200');
      await acq.start();
      await expect(acq.id('acq-queue-empty')).toContainText('Watching');

      // an image lands
      await writeFile(join(folder, 'shot_001.tif'), encodeTiffFloat32({ width: size, height: size, data }));
      const good = acq.row('shot_001.tif');
      await expect(good).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
      await expect(good.getByTestId('acq-job-kind')).toHaveText('info');
      await expect(good.getByTestId('acq-job-rule')).toHaveText('sem');
      await expect(good.getByTestId('acq-job-progress')).toHaveAttribute('data-fraction', '1');
      await expect(good.getByTestId('acq-job-thumb')).toHaveAttribute('data-state', 'ok');
      await expect(acq.id('acq-count-done')).toHaveAttribute('data-value', '1');
      const jobId = Number(await good.getAttribute('data-job-id'));
      expect(jobId).toBeGreaterThan(0);

      // the job is in the store, done, and its result folder is in the output folder with the image's record
      const { jobs } = await lab.lab('jobs.list', { limit: 100, search: 'shot_001' });
      const job = jobs.find((j) => j.id === jobId);
      expect(job?.state).toBe('done');
      expect(job?.resultDir, 'the job has a result folder').toBeTruthy();
      expect(isInside(out, job!.resultDir!), `${job!.resultDir} is under ${out}`).toBe(true);
      const info = await resultJson(job!.resultDir!);
      expect(info.kind).toBe('info');
      expect(info.inputs[0]).toMatchObject({ name: 'shot_001.tif', width: size, height: size });
      await lab.page.screenshot({ path: join(SCREENSHOTS, 'electron-acquisition.png') });

      await acq.stop();
      await expect(acq.id('acq-state')).toContainText('Not watching');
      await expect(acq.row('shot_001.tif')).toHaveAttribute('data-state', 'done');
    });
  });

  test('Jobs: a restoration job reopens from its row with its images, figures and options', async () => {
    test.setTimeout(150_000);
    const W = 160;
    const H = 120;
    await withLab(async (lab) => {
      const page = lab.page;
      const { blurred, sharp } = await writeScene(lab.workDir, W, H, 17, 1.4);
      const rp = new RestorePage(page);
      await rp.open();
      await rp.openImage('in', blurred);
      await rp.openImage('ref', sharp);
      await rp.deblur('richardson-lucy');
      await rp.id('restore-rl-sigma').fill('1.4');
      await rp.id('restore-rl-iterations').fill('12');
      await rp.run('done');
      const rDir = await rp.resultDir();
      const rJson = await resultJson(rDir);
      expect(rJson.parameters).toMatchObject({ sigmaPx: 1.4, sigmaSource: 'given', iterations: 12 });
      const deblurred = await readImage(join(rDir, 'deblurred.tif'));
      const input = await readImage(blurred);

      // change everything: another result on the stage, another image in the Viewer
      await rp.superResolve('bicubic', 3);
      await rp.id('restore-ref-clear').click();
      await rp.openImage('in', sharp);
      await rp.run('done');
      await expect(rp.id('restore-result-dir')).not.toHaveText(rDir);
      const srDir = await rp.resultDir();
      await new ViewerPage(page).openPath(sharp);

      // reopen the deblurring job from its row
      const jobs = new JobsPage(page);
      await jobs.open();
      await expect(jobs.rowOf(rDir)).toHaveAttribute('data-kind', 'deblur');
      expect((await jobOf(lab, rDir))?.state).toBe('done');
      await jobs.reopen(rDir, 'restore');
      await rp.expectReopenedRl({ dir: rDir, sigma: '1.4', iterations: '12', inName: 'sem-blurred.tif', refName: 'sem-sharp.tif', width: W, json: rJson, input, deblurred });
      await page.screenshot({ path: join(SCREENSHOTS, 'electron-jobs-reopen.png') });

      // ... and the super-resolution job: its mode, method and scale come back too
      await jobs.open();
      await jobs.reopen(srDir, 'restore');
      await rp.expectReopenedBicubic(srDir, 3, W);
    });
  });

  test('Settings: the provider in use is app.info’s; the light theme is kept across a reload and a restart', async () => {
    test.setTimeout(150_000);
    let userData = '';
    await withLab(
      async (lab) => {
        userData = lab.userData;
        const sp = new SettingsPage(lab.page);
        await sp.open();

        // the provider in use is the one app.info reports
        await expect.poll(async () => (await lab.lab('app.info', {})).executionProvider !== null, { timeout: 60_000 }).toBe(true);
        const ep = (await lab.lab('app.info', {})).executionProvider!;
        await expect(sp.id('settings-provider-active')).toHaveText(ep.active);

        // theme: light, kept across a reload, saved in the data folder's settings file
        expect(await sp.theme()).toBe('dark');
        await sp.id('settings-theme-light').click();
        expect(await sp.theme()).toBe('light');
        await expect(sp.id('settings-theme-light')).toHaveAttribute('aria-checked', 'true');
        await lab.page.reload();
        await sp.open();
        await expect.poll(() => sp.theme()).toBe('light');
        const st = await lab.lab('settings.get', {});
        expect(st.settings.theme).toBe('light');
        expect(st.problem).toBeNull();
        expect(isInside(lab.userData, st.file), `${st.file} is under ${lab.userData}`).toBe(true);
        expect(JSON.parse(await readFile(st.file, 'utf8')).theme).toBe('light');
        await lab.page.screenshot({ path: join(SCREENSHOTS, 'electron-settings-light.png') });
      },
      { keepData: true },
    );

    // a restart of the app over the same data folder comes back light; then back to dark
    await withLab(
      async (lab) => {
        const sp = new SettingsPage(lab.page);
        await expect.poll(() => sp.theme()).toBe('light');
        await sp.open();
        await expect(sp.id('settings-theme-light')).toHaveAttribute('aria-checked', 'true');
        await sp.id('settings-theme-dark').click();
        expect(await sp.theme()).toBe('dark');
        expect((await lab.lab('settings.get', {})).settings.theme).toBe('dark');
      },
      { userData, keepData: false },
    );
  });
});
