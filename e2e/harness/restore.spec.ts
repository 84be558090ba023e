/**
 * @file The Restoration workspace, end to end: the real renderer in Chromium against the real core through
 * the browser harness. A synthetic SEM-like scene is written sharp and blurred (Gaussian σ 1.6 px) as 8-bit
 * TIFFs with the project's own writer; the blurred one is deblurred by Richardson–Lucy and by MIDNet with
 * the sharp one as reference (the metrics shown must be result.json's values), the split divider dragged,
 * side by side and toggle views checked to share one view; then super-resolution ×2 by bicubic and by
 * USRNet with a Gaussian kernel: the output shown is twice the size and the input sits on its grid by pixel
 * repetition. Screenshots go to e2e/screenshots/restore-*.png.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../src/core/imageio';
import { encodeTiff8 } from '../../src/core/imageio/write-tiff';
import { quietContext } from '../../src/core/progress';
import { gaussianBlur } from '../../src/core/restore/deblur/richardson-lucy';
import { scene } from '../../src/core/restore/deblur/test-support';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { RestorePage } from '../pages/restore-page';

const W = 160;
const H = 120;

async function writeScene(dir: string): Promise<{ blurred: string; sharp: string }> {
  const sharp = scene(W, H, 11);
  const b = await gaussianBlur(sharp, W, H, 1.6, quietContext());
  const paths = { blurred: join(dir, 'sem-blurred.tif'), sharp: join(dir, 'sem-sharp.tif') };
  await writeFile(paths.blurred, encodeTiff8({ width: W, height: H, data: Float32Array.from(b, (v) => Math.round(v)) }));
  await writeFile(paths.sharp, encodeTiff8({ width: W, height: H, data: sharp }));
  return paths;
}

async function resultJson(dir: string): Promise<any> {
  return JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
}

test('deblur: Richardson–Lucy then MIDNet, split slider, side by side, toggle; metrics equal result.json', async ({ viewer, workDir }) => {
  const { blurred, sharp } = await writeScene(workDir);
  const rp = new RestorePage(viewer.page);
  await rp.open();
  await expect(rp.id('restore-empty')).toBeVisible();
  await expect(rp.id('restore-metrics-empty')).toBeVisible();
  await expect(rp.id('restore-run-blocker')).toHaveText('Open the image to restore first.');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-empty.png') });

  // an error is shown next to the slot that caused it
  await rp.id('restore-in-path').fill(join(workDir, 'missing.tif'));
  await rp.id('restore-in-open').click();
  await expect(rp.id('restore-in-error')).toContainText('missing.tif');

  await rp.openImage('in', blurred);
  await rp.openImage('ref', sharp);
  await expect(rp.id('restore-frame-size')).toHaveAttribute('data-width', String(W));

  // Richardson–Lucy (no model)
  await rp.deblur('richardson-lucy');
  await expect(rp.id('restore-method-line')).toContainText('classical deconvolution');
  await rp.id('restore-rl-iterations').fill('0');
  await expect(rp.id('restore-field-error')).toHaveAttribute('data-field', 'iterations');
  await expect(rp.id('restore-run')).toBeDisabled();
  await rp.id('restore-rl-iterations').fill('20');
  await rp.run('done');
  const rlDir = await rp.resultDir();
  const rl = await resultJson(rlDir);
  expect(rl.method).toBe('richardson-lucy');
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', String(W));
  await expect(rp.id('restore-metric-model')).toContainText('none');
  await rp.expectMetricsOf(rl);
  expect(rl.metrics.reference.psnrDb.output).toBeGreaterThan(rl.metrics.reference.psnrDb.input); // RL did sharpen

  // split view: before left of the divider, after right; the readout gives the written pixels
  await rp.id('restore-view-split').click();
  await expect(rp.id('restore-split-handle')).toBeVisible();
  const deblurred = await readImage(join(rlDir, 'deblurred.tif'));
  const input = await readImage(blurred);
  const v = await rp.readAt('restore-canvas-after', 100, 60);
  expect(v.after).toBe(deblurred.data[60 * W + 100]);
  expect(v.before).toBe(input.data[60 * W + 100]);
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-split.png') });
  await rp.dragSplit(0.25);
  expect(Number(await rp.id('restore-split-handle').getAttribute('data-split'))).toBeCloseTo(0.25, 1);
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-split-dragged.png') });

  // side by side: one view for both canvases, also after zooming
  await rp.id('restore-view-side').click();
  await rp.id('restore-zoom-in').click();
  await rp.id('restore-zoom-in').click();
  const a = await rp.transform('restore-canvas-before');
  const b = await rp.transform('restore-canvas-after');
  expect([b.scale, b.ox, b.oy]).toEqual([a.scale, a.ox, a.oy]);
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-side-by-side.png') });

  // toggle: one canvas, t switches
  await rp.id('restore-view-toggle').click();
  await expect(rp.id('restore-toggle')).toHaveAttribute('data-showing', 'after');
  await rp.id('restore-toggle').click();
  await expect(rp.id('restore-toggle')).toHaveAttribute('data-showing', 'before');
  await rp.id('restore-zoom-fit').click();

  // MIDNet (model midnet-s through ONNX Runtime)
  await rp.deblur('midnet');
  await expect(rp.id('restore-method-line')).toContainText('midnet-s');
  await rp.run('done');
  const mnDir = await rp.resultDir();
  expect(mnDir).not.toBe(rlDir);
  const mn = await resultJson(mnDir);
  expect(mn.model.id).toBe('midnet-s');
  await expect(rp.id('restore-metric-model')).toHaveText('midnet-s');
  await expect(rp.id('restore-metric-provider')).toHaveText(mn.executionProvider);
  await rp.expectMetricsOf(mn);
  await expect(rp.id('restore-metric-method')).toHaveText('MIDNet');
  await expect(rp.id('restore-metric-method')).toHaveAttribute('data-method', 'midnet');
  await rp.id('restore-view-split').click();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-midnet.png') });

  // switching to super-resolution hides the deblur result (not the files) and says the sharp reference is a
  // deblurring one, with Remove beside it; removed, the ×4 run can start
  await rp.superResolve('bicubic', 4);
  await expect(rp.id('restore-metrics-empty')).toBeVisible();
  await expect(rp.id('restore-metric-method')).toHaveCount(0);
  await expect(rp.id('restore-canvas-after')).toHaveCount(0); // the stage shows the input alone
  await expect(rp.id('restore-in-info')).toContainText('sem-blurred.tif');
  await expect(rp.id('restore-ref-mismatch')).toContainText('deblurring reference');
  await expect(rp.id('restore-ref-mismatch')).toContainText(`${4 * W} × ${4 * H} px`);
  await expect(rp.id('restore-run')).toBeDisabled();
  await expect(rp.id('restore-ref-clear')).toBeVisible();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-mode-switch.png') });
  await rp.id('restore-ref-clear').click();
  await expect(rp.id('restore-ref-mismatch')).toHaveCount(0);
  await expect(rp.id('restore-run')).toBeEnabled();
  await rp.deblur('midnet');

  // both runs are jobs
  await rp.id('nav-jobs').click();
  // (by folder: other spec files share this harness and its job list)
  for (const dir of [rlDir, mnDir]) {
    await expect(rp.id('job-row').filter({ hasText: dir })).toHaveAttribute('data-kind', 'deblur');
    await expect(rp.id('job-row').filter({ hasText: dir }).getByTestId('job-kind')).toHaveText('Deblurring');
  }
});

test('super-resolution ×2: bicubic and USRNet with a Gaussian kernel; output twice the size, input on its grid', async ({ viewer, workDir }) => {
  const { blurred } = await writeScene(workDir);
  const rp = new RestorePage(viewer.page);
  await rp.open();
  await rp.openImage('in', blurred);
  await rp.superResolve('bicubic', 2);
  await expect(rp.id('restore-kernel-kind')).toHaveCount(0); // bicubic takes no kernel
  await rp.run('done');
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', String(2 * W));
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-height', String(2 * H));
  await expect(rp.id('restore-output-size')).toContainText(`${2 * W} × ${2 * H}`);
  await expect(rp.id('restore-frame-size')).toHaveAttribute('data-width', String(2 * W));
  const bicDir = await rp.resultDir();
  const bic = await resultJson(bicDir);
  await rp.expectMetricsOf(bic);
  // frame pixel (2x+1, 2y) shows input pixel (x, y) before and sr.tif's pixel after
  const input = await readImage(blurred);
  const sr = await readImage(join(bicDir, 'sr.tif'));
  await rp.id('restore-view-side').click();
  const v = await rp.readAt('restore-canvas-before', 121, 80);
  expect(v.before).toBe(input.data[40 * W + 60]);
  expect(v.after).toBe(sr.data[80 * 2 * W + 121]);

  // USRNet: the standard kernels are offered when kernels_12.mat is there (../shared/data/sr)
  await rp.superResolve('usrnet', 2);
  const k12 = rp.id('restore-kernel-kind').locator('option[value="kernels12"]');
  if (await k12.isEnabled()) {
    await rp.id('restore-kernel-kind').selectOption('kernels12');
    await rp.id('restore-kernel-n').selectOption('10');
    await expect(rp.id('restore-kernel-spec')).toContainText('kernels12:10');
    await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-sr-kernels12.png') });
  } else {
    console.log('kernels_12.mat not found: the standard kernels are not offered');
  }
  // USRNet with an isotropic Gaussian kernel: the kernel is drawn
  await rp.id('restore-kernel-kind').selectOption('gauss');
  await rp.id('restore-kernel-sigma').fill('1.6');
  await expect(rp.id('restore-kernel-spec')).toContainText('gauss:1.6');
  const kc = rp.id('restore-kernel-canvas');
  await expect(kc).toBeVisible();
  expect(Number(await kc.getAttribute('data-width')) % 2).toBe(1);
  await rp.id('restore-kernel-sigma').fill('-1');
  await expect(rp.id('restore-field-error')).toHaveAttribute('data-field', 'sigma');
  await rp.id('restore-kernel-sigma').fill('1.6');
  await rp.id('restore-noise').fill('1');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-sr-kernel.png') });
  await rp.run('done');
  const uDir = await rp.resultDir();
  const u = await resultJson(uDir);
  expect(u.method).toBe('usrnet');
  expect(u.parameters.kernel.spec).toBe('gauss:1.6');
  await expect(rp.id('restore-output-size')).toHaveAttribute('data-width', String(2 * W));
  await expect(rp.id('restore-metric-model')).toHaveText(u.models.map((m: { id: string }) => m.id).join(' + '));
  await expect(rp.id('restore-metric-provider')).toHaveText(u.provider);
  await rp.expectMetricsOf(u);
  await rp.id('restore-view-split').click();
  await rp.id('restore-zoom-in').click();
  await rp.id('restore-zoom-in').click();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-sr-usrnet.png') });
});

test('batch: several files one after the other, each with its own state and error', async ({ viewer, workDir }) => {
  const { blurred, sharp } = await writeScene(workDir);
  const rp = new RestorePage(viewer.page);
  await rp.open();
  await rp.deblur('richardson-lucy');
  await rp.id('restore-rl-iterations').fill('5');
  const missing = join(workDir, 'not-there.tif');
  await rp.id('restore-batch-paths').fill([blurred, sharp, missing].join('\n'));
  await rp.id('restore-batch-set').click();
  await expect(rp.id('restore-batch-row')).toHaveCount(3);
  await rp.id('restore-batch-run').click();
  const rows = rp.id('restore-batch-row');
  await expect(rows.nth(2)).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  await expect(rows.nth(0)).toHaveAttribute('data-state', 'done');
  await expect(rows.nth(1)).toHaveAttribute('data-state', 'done');
  await expect(rows.nth(2).getByTestId('restore-batch-error')).toContainText('not-there.tif');
  // the last good result is on the stage; the first can be shown again
  await rows.nth(0).getByTestId('restore-batch-show').click();
  await expect(rp.id('restore-result-dir')).toContainText('deblur-richardson-lucy');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'restore-batch.png') });
});
