/**
 * @file The X-ray phase workspace, end to end: the real renderer in Chromium against the real core through
 * the browser harness. A small phantom is simulated by the core (`simulate xpci`), loaded into both slots,
 * the geometry typed, ZNCC run on a coarse step; the readout must give exactly the value in alpha_x.tif,
 * a drawn profile line gives a chart with the ground truth, and the CSV export holds the profile. Also: the
 * empty state's "Try a simulated phantom", geometry remembered per folder, and a geometry error by its field.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../src/core/imageio';
import { quietContext } from '../../src/core/progress';
import { runSimulateXpciTask } from '../../src/core/xpci/simulate-task';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { XrayPage } from '../pages/xray-page';

const W = 128;
const H = 96;

test('simulate, load, run ZNCC: the readout is the TIFF value; a profile line gives a chart and a CSV', async ({ viewer, workDir }) => {
  const simDir = join(workDir, 'sim-a');
  await runSimulateXpciTask({ outDir: simDir, width: W, height: H, seed: 3 }, quietContext());
  const sim = JSON.parse(await readFile(join(simDir, 'result.json'), 'utf8'));
  const distance = String(sim.geometry.distanceM);

  const xr = new XrayPage(viewer.page);
  await xr.open();
  await expect(xr.id('xray-empty')).toBeVisible();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-empty.png') });
  await expect(xr.id('xray-run-blocker')).toContainText('reference');

  await xr.openImage('ref', join(simDir, 'reference.tif'));
  await xr.openImage('sample', join(simDir, 'sample.tif'));
  await expect(xr.id('xray-empty')).toHaveCount(0);

  // a wrong field says so beside it and blocks the run
  await xr.setGeometry({ distanceM: 'far' });
  await expect(xr.id('xray-geom-distanceM-error')).toContainText('not a number');
  await expect(xr.id('xray-run')).toBeDisabled();
  await xr.setGeometry({ pixelUm: '12', distanceM: distance, energyKeV: '30' });
  await expect(xr.id('xray-geom-distanceM-error')).toHaveCount(0);
  await xr.id('xray-method').selectOption('zncc');
  await xr.id('xray-step').fill('2');
  await xr.run('done');

  await expect(xr.id('xray-map-canvas')).toBeVisible();
  const cb = xr.id('xray-colorbar');
  await expect(cb).toHaveAttribute('data-unit', 'µrad');
  expect(Number(await cb.getAttribute('data-lo'))).toBeCloseTo(-Number(await cb.getAttribute('data-hi')), 9);
  const dir = (await xr.id('xray-result-path').textContent())!.trim();
  const ax = await readImage(join(dir, 'alpha_x.tif'));
  for (const [x, y] of [[64, 48], [40, 30]]) {
    const r = await xr.readAt(x, y);
    expect(r.value).toBe(ax.data[y * W + x]);
    expect(r.text).toMatch(/ µrad$/);
    expect(Number(r.text.replace(' µrad', ''))).toBeCloseTo(ax.data[y * W + x] * 1e6, 3);
  }
  await expect(xr.id('xray-truth')).toBeVisible();

  // profile across the phantom
  await xr.id('xray-line-width').fill('3');
  await xr.id('xray-line-width').press('Enter');
  await xr.drawLine(10, 48, 117, 48);
  await expect(xr.id('xray-line')).toContainText('(10, 48) → (117, 48), band 3 px');
  const chart = xr.id('xray-profile-chart');
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('data-series', '2'); // this run + ground truth
  await expect(chart).toHaveAttribute('data-points', '108');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-profile.png') });

  const [csv] = await Promise.all([viewer.page.waitForEvent('download'), xr.id('xray-export-csv').click()]);
  expect(csv.suggestedFilename()).toBe('profile-alpha_x.csv');
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('s_px,s_um,#1_ZNCC_alpha_x_urad,truth_alpha_x_urad');
  expect(lines.length).toBe(1 + 108);
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  expect(rows[0].slice(0, 2)).toEqual([0, 0]);
  expect(rows[107][1]).toBeCloseTo(107 * 12, 6);
  expect(rows.every((r) => Number.isFinite(r[3]))).toBe(true); // the truth everywhere
  expect(rows.filter((r) => Number.isFinite(r[2])).length).toBeGreaterThan(80); // measured away from the borders

  // a second run (UMPA) overlays its profile; transmission and dark-field appear
  await xr.id('xray-method').selectOption('umpa');
  await xr.id('xray-step').fill('4');
  await xr.run('done');
  await expect(chart).toHaveAttribute('data-series', '3');
  // the two runs agree closely, so each has its own dash and symbol (the newest solid) to stay visible
  const styles = (await chart.getAttribute('data-styles'))!.split(' ');
  expect(styles).toHaveLength(2);
  expect(new Set(styles).size).toBe(2);
  expect(new Set(styles.map((st) => st.split('/')[1])).size).toBe(2);
  expect(styles[1]).toBe('solid/circle');
  await expect(xr.id('xray-map-darkfield')).toBeVisible();
  await xr.id('xray-map-phase').click();
  await expect(cb).toHaveAttribute('data-unit', 'rad');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-phase.png') });
  await xr.id('xray-map-alpha_x').click();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-overlay.png') });

  // the geometry is remembered for the folder: reload, open the sample again
  await viewer.page.reload();
  await xr.open();
  await xr.setGeometry({ distanceM: '3' });
  await xr.openImage('sample', join(simDir, 'sample.tif'));
  await expect(xr.id('xray-geom-distanceM')).toHaveValue(distance);
});

test('the empty state simulates a phantom and loads it with its geometry', async ({ viewer }) => {
  const xr = new XrayPage(viewer.page);
  await xr.open();
  await viewer.page.evaluate(() => localStorage.removeItem('speckle-lab.xray'));
  await viewer.page.reload();
  await xr.open();
  // an unreadable file is reported beside its slot
  await xr.id('xray-ref-path').fill('/nowhere/ref.tif');
  await xr.id('xray-ref-open').click();
  await expect(xr.id('xray-ref-error')).toBeVisible();
  await xr.id('xray-simulate').click();
  await expect(xr.id('xray-ref-info')).toContainText('reference.tif · 192 × 128', { timeout: 60_000 });
  await expect(xr.id('xray-sample-info')).toContainText('sample.tif');
  await expect(xr.id('xray-ref-path')).toHaveValue(/reference\.tif$/);
  await expect(xr.id('xray-geom-pixelUm')).toHaveValue('12');
  await expect(xr.id('xray-geom-energyKeV')).toHaveValue('30');
  await expect(xr.id('xray-run')).toBeEnabled();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-simulated.png') });
});

test('images open by Browse…, by a drop on the row or the pane, and from the recent files; the distance says sample–detector', async ({ viewer, workDir }) => {
  const simDir = join(workDir, 'sim-files');
  await runSimulateXpciTask({ outDir: simDir, width: 64, height: 48, seed: 5 }, quietContext());
  const xr = new XrayPage(viewer.page);
  await xr.open();

  // the geometry field names the distance it means, not only on hover
  await expect(viewer.page.locator('label[for=xray-geom-distanceM]')).toHaveText(/sample–detector/i);

  // Browse… (a file input: an upload in the harness)
  await xr.id('xray-ref-file').setInputFiles(join(simDir, 'reference.tif'));
  await expect(xr.id('xray-ref-info')).toContainText('reference.tif · 64 × 48');
  // a drop on the sample row, then a drop on the sample pane replaces it
  const sampleBytes = await readFile(join(simDir, 'sample.tif'));
  await xr.dropFile('xray-sample-row', 'dropped-sample.tif', sampleBytes);
  await expect(xr.id('xray-sample-info')).toContainText('dropped-sample.tif');
  await xr.dropFile('xray-sample-pane', 'pane-sample.tif', sampleBytes);
  await expect(xr.id('xray-sample-info')).toContainText('pane-sample.tif');
  await expect(xr.id('xray-sample-path')).toHaveValue(/pane-sample\.tif$/);
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-slots.png') });

  // the recent files: the dropped sample goes into the reference slot from the menu
  await xr.id('xray-ref-recent').click();
  const items = xr.id('xray-recent-item');
  await expect(items.first()).toBeVisible();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'xray-recent.png') });
  await items.filter({ hasText: 'dropped-sample.tif' }).click();
  await expect(xr.id('xray-ref-info')).toContainText('dropped-sample.tif');
  // …and the list survives a reload
  await viewer.page.reload();
  await xr.open();
  await xr.id('xray-sample-recent').click();
  await expect(xr.id('xray-recent-item').filter({ hasText: 'pane-sample.tif' })).toHaveCount(1);
});
