/**
 * @file The Acquisition workspace, end to end: the real renderer in Chromium against the real core (watch
 * engine, job store, compute host) through the browser harness. A temp folder is watched with an `info`
 * rule pasted into the editor; images written by the test appear in the live queue and reach "done"; a
 * text file renamed .tif fails with a readable reason; stop; the job is found in the history by search and
 * its result opened; a job of another workspace shows only with "All jobs"; settings come back after a reload. Also: live rule validation and errors placed next
 * to the folder field; Cancel (queued and running) and Retry from the live queue.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePngPreview } from '../../src/core/imageio/write-png';
import { encodeTiffFloat32 } from '../../src/core/imageio';
import { openJobStore } from '../../src/core/jobs/store';
import { specklePairBytes } from '../../src/core/watch/testing';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { AcquisitionPage } from '../pages/acquisition-page';

const INFO_RULES = JSON.stringify(
  { version: 1, rules: [{ name: 'sem', type: 'single', match: '.*\\.(tif|png)', task: { kind: 'info' } }] },
  null,
  2,
);

/** A small grey gradient with a bright square, so the thumbnail shows something. */
function testImage(size = 96): { width: number; height: number; data: Float32Array } {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = x * 2 + y + (x > 30 && x < 60 && y > 30 && y < 60 ? 400 : 0);
  return { width: size, height: size, data };
}

test('watch a folder with an info rule: images land, are processed, a bad file fails readably, history finds the job', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const acq = new AcquisitionPage(page);
  const folder = join(workDir, 'acq');
  const out = join(workDir, 'acq-results');
  await mkdir(folder, { recursive: true });

  await acq.open();
  await expect(acq.id('acq-queue-empty')).toContainText('Start watching');
  await expect(acq.id('acq-folder-browse')).toHaveCount(0); // no native dialog in the harness: a path field
  await page.screenshot({ path: join(SCREENSHOTS, 'acquisition-empty.png') });

  // live validation: broken JSON, then a rule with mistakes, each reported next to the editor
  await acq.setRules('{ "version": 1, "rules": [', 'invalid');
  await expect(acq.id('acq-rules-mistake').first()).toContainText('Not valid JSON');
  await acq.setRules(JSON.stringify({ version: 2, rules: [{ type: 'single', match: '(', task: { kind: 'info' } }] }), 'invalid');
  await expect(acq.id('acq-rules-mistake')).toHaveCount(2);
  await expect(acq.id('acq-rules-status')).toContainText('version: expected 1');
  await expect(acq.id('acq-rules-status')).toContainText('rules[0].match: not a valid regular expression');
  await expect(acq.id('acq-start')).toBeDisabled();

  await acq.setRules(INFO_RULES);
  await expect(acq.id('acq-rules-rule')).toContainText('every file matching');

  // a folder that does not exist: the error sits under the folder field
  await acq.setFolders(join(workDir, 'no-such-folder'), out);
  await acq.setOption('acq-stable-ms', '200');
  await acq.id('acq-start').click();
  await expect(acq.id('acq-folder-error')).toContainText('does not exist');
  await expect(acq.id('acq-state')).toHaveAttribute('data-state', 'stopped');

  await acq.setFolders(folder, out);
  await expect(acq.id('acq-folder-error')).toHaveCount(0);
  await expect(acq.id('nav-acquire-live')).toHaveCount(0);
  await acq.start();
  await expect(acq.id('acq-queue-empty')).toContainText('Watching');
  // the navigation shows the running session from any workspace, with its queued + running jobs
  await page.getByTestId('nav-viewer').click();
  await expect(acq.id('nav-acquire-live')).toBeVisible();
  await expect(acq.id('nav-acquire-live')).toHaveAttribute('data-pending', '0');
  await expect(acq.id('nav-acquire-live')).toHaveAttribute('title', /^Watching .*acq: 0 running, 0 queued$/);
  await acq.open();

  // an image lands
  await writeFile(join(folder, 'shot_001.tif'), encodeTiffFloat32(testImage()));
  const good = acq.row('shot_001.tif');
  await expect(good).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(good.getByTestId('acq-job-kind')).toHaveText('Image info');
  await expect(good.getByTestId('acq-job-rule')).toHaveText('sem');
  await expect(good.getByTestId('acq-job-progress')).toHaveAttribute('data-fraction', '1');
  await expect(good.getByTestId('acq-job-thumb')).toHaveAttribute('data-state', 'ok');
  const goodId = await good.getAttribute('data-job-id');
  expect(Number(goodId)).toBeGreaterThan(0);

  // a second image (PNG), and a text file renamed .tif
  await writeFile(join(folder, 'shot_002.png'), encodePngPreview(testImage(64)));
  await writeFile(join(folder, 'notes.tif'), 'Sample notes: these are not pixels.\n');
  await expect(acq.row('shot_002.png')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  const bad = acq.row('notes.tif');
  await expect(bad).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  const reason = await bad.getByTestId('acq-job-error').innerText();
  // the sentence for people; the code stays available for support
  expect(reason).not.toMatch(/^E_/);
  await expect(bad.getByTestId('acq-job-error')).toHaveAttribute('data-code', 'E_UNSUPPORTED');
  expect(reason.length).toBeGreaterThan(30);
  await expect(bad.getByTestId('acq-job-retry')).toHaveCount(0); // replacing the file is the fix, not a retry
  await expect(acq.id('acq-count-done')).toHaveAttribute('data-value', '2');
  await expect(acq.id('acq-count-failed')).toHaveAttribute('data-value', '1');
  await expect(acq.id('acq-activity')).toContainText('notes.tif cannot be processed');
  await page.screenshot({ path: join(SCREENSHOTS, 'acquisition-running.png') });

  await acq.stop();
  await expect(acq.id('acq-state')).toContainText('Not watching');
  await expect(acq.id('nav-acquire-live')).toHaveCount(0);
  await expect(acq.row('shot_001.tif')).toHaveAttribute('data-state', 'done'); // the queue stays readable

  // history: search by file name and state, then open the result
  await acq.id('acq-history-search').fill('shot_001');
  await expect(acq.historyRows()).toHaveCount(1);
  await expect(acq.historyRows().first()).toHaveAttribute('data-job-id', goodId!);
  await acq.id('acq-history-state').selectOption('failed');
  await expect(acq.id('acq-history-empty')).toContainText('No job matches');
  await acq.id('acq-history-search').fill('notes');
  await expect(acq.historyRows()).toHaveCount(1);
  await expect(acq.historyRows().first()).toContainText('not an image format');
  await expect(acq.historyRows().first().locator('[data-code="E_UNSUPPORTED"]')).toHaveCount(1);
  await acq.id('acq-history-state').selectOption('');
  await acq.id('acq-history-search').fill('shot_001');
  await expect(acq.historyRows()).toHaveCount(1);
  await acq.historyRows().first().getByTestId('acq-history-open').click();
  await expect(acq.id('acq-result-kind')).toHaveText('info');
  await expect(acq.id('acq-result')).toContainText('shot_001.tif');
  await expect(acq.id('acq-result-dir')).toContainText(out);
  await page.screenshot({ path: join(SCREENSHOTS, 'acquisition-history.png') });

  // A job of another workspace naming the same file, written straight to the harness's job database
  // (second connection, as the Jobs workspace's runs would): hidden until "All jobs" is ticked.
  const other = openJobStore(join(workDir, 'data', 'jobs.sqlite'));
  let otherId: number;
  try {
    otherId = other.createJob({ kind: 'track', params: { refPath: join(folder, 'shot_001.tif'), defPath: join(folder, 'shot_002.png') } }).id;
    other.markCancelled(otherId, 'not run: recorded by the test');
  } finally {
    other.close();
  }
  await expect(acq.id('acq-history-all')).not.toBeChecked();
  await acq.id('acq-history-all').check();
  await expect(acq.historyRows()).toHaveCount(2);
  await expect(acq.historyRows().first()).toHaveAttribute('data-job-id', String(otherId));
  await acq.id('acq-history-all').uncheck();
  await expect(acq.historyRows()).toHaveCount(1);
  await expect(acq.historyRows().first()).toHaveAttribute('data-job-id', goodId!);
  await acq.id('acq-history-all').check();
  await expect(acq.historyRows()).toHaveCount(2);

  // settings come back after a reload
  await page.reload();
  await acq.open();
  await expect(acq.id('acq-folder')).toHaveValue(folder);
  await expect(acq.id('acq-out')).toHaveValue(out);
  await expect(acq.id('acq-rules-text')).toHaveValue(INFO_RULES);
  await expect(acq.id('acq-history-search')).toHaveValue('shot_001');
  await expect(acq.id('acq-history-all')).toBeChecked();
  await expect(acq.historyRows()).toHaveCount(2);
});

test('cancel a queued and a running job from the live queue, and retry the cancelled one', async ({ viewer, workDir }) => {
  const page = viewer.page;
  const acq = new AcquisitionPage(page);
  const folder = join(workDir, 'acq2');
  const out = join(workDir, 'acq2-results');
  await mkdir(folder, { recursive: true });
  // a slow tracking pair (seconds on a CPU) and a quick info job behind it, one job at a time
  const rules = {
    version: 1,
    rules: [
      { name: 'dic', type: 'pair', reference: 'ref_(\\d+)\\.tif', sample: 'sample_(\\d+)\\.tif', task: { kind: 'track', method: 'zncc', options: { window: 31, search: 12 }, step: 1 } },
      { name: 'sem', type: 'single', match: 'shot_.*\\.tif', task: { kind: 'info' } },
    ],
  };
  await acq.open();
  await acq.setRules(JSON.stringify(rules, null, 2));
  await acq.setFolders(folder, out);
  await acq.setOption('acq-stable-ms', '200');
  await acq.setOption('acq-concurrency', '1');
  await acq.start();

  const pair = await specklePairBytes(3, 512);
  await writeFile(join(folder, 'ref_001.tif'), pair.ref);
  await writeFile(join(folder, 'sample_001.tif'), pair.def);
  const slow = acq.row('sample_001.tif');
  await expect(slow).toHaveAttribute('data-state', 'running');
  await writeFile(join(folder, 'shot_010.tif'), encodeTiffFloat32(testImage(32)));
  const quick = acq.row('shot_010.tif');
  await expect(quick).toHaveAttribute('data-state', 'queued');
  const quickId = await quick.getAttribute('data-job-id');

  // cancel the queued one, then retry it: a new job with the same input, queued behind the running one
  await quick.getByTestId('acq-job-cancel').click();
  await expect(acq.id('acq-job-row').and(page.locator(`[data-job-id="${quickId}"]`))).toHaveAttribute('data-state', 'cancelled');
  await acq.id('acq-job-row').and(page.locator(`[data-job-id="${quickId}"]`)).getByTestId('acq-job-retry').click();
  const retried = acq.row('shot_010.tif').and(page.locator(`:not([data-job-id="${quickId}"])`));
  await expect(retried).toHaveAttribute('data-state', 'queued');
  await expect(slow).toHaveAttribute('data-state', 'running');
  await expect(slow.getByTestId('acq-job-inputs')).toHaveText('ref_001.tif → sample_001.tif');

  // cancel the running one: it stops, and the retried job runs
  await slow.getByTestId('acq-job-cancel').click();
  await expect(slow).toHaveAttribute('data-state', 'cancelled');
  await expect(slow.getByTestId('acq-job-error')).toHaveText('cancelled by the user');
  await expect(retried).toHaveAttribute('data-state', 'done');
  await expect(acq.id('acq-count-cancelled')).toHaveAttribute('data-value', '2');
  await page.screenshot({ path: join(SCREENSHOTS, 'acquisition-cancel-retry.png') });
  await acq.stop();
});
