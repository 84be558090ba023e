/**
 * @file In-app report export, end to end: two real jobs made through the harness's own calls (a
 * simulated speckle pair, then IC-GN tracking of it), selected in the Jobs workspace, exported with the
 * "Export report…" dialog (title, operator, sample, notes, output path). The HTML, its data folder and
 * the PDF (printed by headless Chromium, the harness's printer) exist; the PDF text names both job
 * numbers, the title and the sample. Also: mistakes are shown next to their field, and the back end's
 * refusal to overwrite is shown next to the form. Screenshots: e2e/screenshots/report-*.png.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dispatchCall } from '../../src/core/backend/dispatch';
import { expect, SCREENSHOTS, test } from '../fixtures';

const POPPLER = spawnSync('pdftotext', ['-v']).status === 0;

test('select two done jobs, export the report as HTML + PDF, see the files', async ({ viewer, harness, workDir }) => {
  test.setTimeout(180_000);
  const page = viewer.page;
  const id = (t: string) => page.getByTestId(t);
  const call = async (name: string, input: unknown) => {
    const r = await dispatchCall(harness.backend.handlers, name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value as Record<string, unknown>;
  };
  const pairDir = join(workDir, 'pair');
  const sim = await call('simulate.pair', { taskId: 'sim-1', params: { outDir: pairDir, width: 96, height: 80, noise: 'gauss:2', field: 'constant:0.4,-0.25', seed: 5 } });
  const trk = await call('track.run', { taskId: 'trk-1', params: { refPath: join(pairDir, 'reference.tif'), defPath: join(pairDir, 'deformed.tif'), method: 'icgn', step: 4 } });
  const ids = [sim.jobId as number, trk.jobId as number];

  await id('nav-jobs').click();
  // Earlier specs in the same worker share this harness and its job store: look only at this test's jobs.
  for (const jobId of ids) await expect(page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`)).toHaveCount(1);
  await expect(id('jobs-export-report')).toBeDisabled();
  for (const jobId of ids) await page.locator(`[data-testid="job-row"][data-job-id="${jobId}"] [data-testid="job-select"]`).check();
  await expect(id('jobs-selected')).toHaveText('2 selected');
  await id('jobs-export-report').click();
  await expect(id('report-dialog')).toBeVisible();
  await expect(id('report-jobs')).toContainText(`#${ids[0]}, #${ids[1]}`);

  // Mistakes sit under their field and nothing is sent.
  await id('report-title').fill('');
  await id('report-out').fill('relative/report.txt');
  await id('report-export').click();
  await expect(id('report-title-error')).toContainText('title');
  await expect(id('report-out-error')).toContainText('full path');

  const out = join(workDir, 'report-e2e.html');
  await id('report-title').fill('Shift check E2E');
  await id('report-operator').fill('Playwright');
  await id('report-sample').fill('Sample S-42');
  await id('report-notes').fill('Two jobs from the history.\n\nSecond paragraph.');
  await id('report-out').fill(out);
  await expect(id('report-out-error')).toHaveCount(0);
  await page.screenshot({ path: join(SCREENSHOTS, 'report-dialog.png') });
  await id('report-export').click();
  await expect(id('report-done')).toBeVisible({ timeout: 120_000 });
  await expect(id('report-html-path')).toHaveText(out);
  const pdf = out.replace(/\.html$/, '.pdf');
  await expect(id('report-pdf-path')).toContainText(pdf);
  await expect(id('report-pdf-path')).toContainText(/\(\d+ pages\)/);
  await page.screenshot({ path: join(SCREENSHOTS, 'report-done.png') });

  expect(existsSync(out)).toBe(true);
  expect(existsSync(pdf)).toBe(true);
  expect(existsSync(join(workDir, 'report-e2e_data', 'manifest.json'))).toBe(true);
  const html = await readFile(out, 'utf8');
  expect(html).toContain('Shift check E2E');
  for (const jobId of ids) expect(html).toContain(`job #${jobId}`);
  expect((await readFile(pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  if (POPPLER) {
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const needle of ['Shift check E2E', 'Playwright', 'Sample S-42', 'Two jobs from the history.', `job #${ids[0]}`, `job #${ids[1]}`, 'icgn']) expect(text, needle).toContain(needle);
  }

  // Again with the same name: the back end refuses to overwrite; the message sits next to the form.
  await id('report-cancel').click();
  await expect(id('report-dialog')).toHaveCount(0);
  await id('jobs-export-report').click();
  await id('report-out').fill(out);
  await id('report-pdf').uncheck();
  await id('report-export').click();
  await expect(id('report-error')).toContainText('already exists');
  await expect(id('report-error')).toContainText('Replace an existing report of that name');
  await page.screenshot({ path: join(SCREENSHOTS, 'report-error.png') });
  await id('report-force').check();
  await id('report-export').click();
  await expect(id('report-done')).toBeVisible({ timeout: 60_000 });
  await expect(id('report-pdf-path')).toHaveCount(0);
});
