/**
 * @file Keyboard shortcuts, end to end in Chromium through the browser harness: Ctrl+1…7 switch workspaces
 * in the navigation's order (and say so in its tooltips), "?" opens the list of the current workspace's
 * and the global shortcuts (closed by Esc, by "?", and by a click beside it; nothing behind it fires while
 * it is open), keys typed into a text field stay there (no shortcut fires; Esc leaves the field and the
 * keys work again), Ctrl+Enter runs DIC and Esc cancels a running one. Also the DIC workspace with images
 * and a result, and the error banner, in the light theme. Screenshots: e2e/screenshots/shortcuts-help.png,
 * dic-light.png, dic-light-images.png, error-light.png.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeTiffFloat32 } from '../../src/core/imageio';
import { quietContext } from '../../src/core/progress';
import { simulatePair } from '../../src/core/synth';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { DicPage } from '../pages/dic-page';
import { SettingsPage } from '../pages/settings-page';

/** The navigation's order (src/renderer/src/workspaces.ts), as Ctrl+1…7 reach it. */
const ORDER = ['viewer', 'dic', 'xpci', 'restore', 'acquire', 'jobs', 'settings'];

async function expectWorkspace(page: Page, id: string): Promise<void> {
  await expect(page.getByTestId(`workspace-${id}`)).toBeVisible();
  await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page');
}

async function writePair(dir: string, name: string, size: number, seed: number) {
  const pair = await simulatePair(
    { width: size, height: size, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0.8, uy: -0.4 }, seed },
    quietContext(),
  );
  const ref = join(dir, `${name}-ref.tif`);
  const def = join(dir, `${name}-def.tif`);
  await writeTiffFloat32(ref, pair.reference, { overwrite: true });
  await writeTiffFloat32(def, pair.deformed, { overwrite: true });
  return { ref, def };
}

test('Ctrl+number switches workspaces, "?" lists the shortcuts, keys typed in a field stay there', async ({ viewer }) => {
  const page = viewer.page;
  const key = page.keyboard;
  await expectWorkspace(page, 'viewer');

  for (const [i, id] of ORDER.entries()) {
    await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('title', new RegExp(`\\(Ctrl\\+${i + 1}\\)$`));
  }
  await key.press('Control+2');
  await expectWorkspace(page, 'dic');
  expect(new URL(page.url()).hash).toBe('#/dic');
  await key.press('Control+7');
  await expectWorkspace(page, 'settings');
  await key.press('Control+3');
  await expectWorkspace(page, 'xpci');
  await key.press('Control+2');
  await expectWorkspace(page, 'dic');

  // "?" lists this workspace's shortcuts and the global ones, from the handlers' own registrations
  const help = page.getByTestId('shortcut-help');
  await expect(help).toHaveCount(0);
  await key.press('Shift+Slash');
  await expect(help).toBeVisible();
  await expect(page.getByTestId('shortcut-section-workspace')).toContainText('In Speckle / DIC');
  const group = (name: string) => help.locator(`[data-testid=shortcut-group][data-group="${name}"]`);
  const row = (groupName: string, keys: string) => group(groupName).locator(`[data-testid=shortcut-row][data-keys="${keys}"]`);
  // nothing to run or cancel yet: listed, but marked as not available now
  await expect(row('Run', 'Ctrl+Enter')).toContainText('Measure the displacement field');
  await expect(row('Run', 'Ctrl+Enter')).toHaveAttribute('data-available', 'false');
  await expect(row('Run', 'Esc')).toContainText('Cancel the running task');
  await expect(row('ROI tools', 'P')).toContainText('Polygon to measure in');
  await expect(group('Workspaces').getByTestId('shortcut-row')).toHaveCount(ORDER.length);
  for (const [i, id] of ORDER.entries()) {
    const label = ((await page.getByTestId(`nav-${id}`).locator('.label').textContent()) ?? '').trim();
    await expect(row('Workspaces', `Ctrl+${i + 1}`)).toContainText(label);
  }
  await expect(row('Keyboard', '?')).toHaveAttribute('data-available', 'true');
  await page.screenshot({ path: join(SCREENSHOTS, 'shortcuts-help.png') });

  // while it is open nothing behind it fires; Esc closes it and does nothing else
  await key.press('Control+3');
  await expectWorkspace(page, 'dic');
  await key.press('Escape');
  await expect(help).toHaveCount(0);
  await expectWorkspace(page, 'dic');
  // "?" toggles it; the status bar button and a click beside it too
  await key.press('Shift+Slash');
  await expect(help).toBeVisible();
  await key.press('Shift+Slash');
  await expect(help).toHaveCount(0);
  await page.getByTestId('status-shortcuts').click();
  await expect(help).toBeVisible();
  await help.click({ position: { x: 8, y: 8 } });
  await expect(help).toHaveCount(0);

  // in the Viewer its zoom keys are listed under the view, and the Run group is gone with DIC
  await key.press('Control+1');
  await expectWorkspace(page, 'viewer');
  await key.press('Shift+Slash');
  await expect(page.getByTestId('shortcut-section-workspace')).toContainText('In Viewer');
  await expect(row('Image view', 'F')).toContainText('Fit the image to the window');
  await expect(group('Run')).toHaveCount(0);
  await key.press('Escape');
  await expect(help).toHaveCount(0);

  // typing in a text field: letters, "?" and Ctrl+number stay in the field
  await key.press('Control+2');
  await expectWorkspace(page, 'dic');
  const field = page.getByTestId('dic-ref-path');
  await field.fill('');
  await field.click();
  await key.type('/data/f?x1+.tif');
  await key.press('Control+1');
  await expect(field).toHaveValue('/data/f?x1+.tif');
  await expect(field).toBeFocused();
  await expectWorkspace(page, 'dic');
  await expect(help).toHaveCount(0);
  await expect(page.getByTestId('dic-tool-polygon')).not.toHaveClass(/active/);
  // Esc leaves the field (and only that); then the same keys work
  await key.press('Escape');
  await expect(field).not.toBeFocused();
  await expect(field).toHaveValue('/data/f?x1+.tif');
  await expectWorkspace(page, 'dic');
  await key.press('Control+1');
  await expectWorkspace(page, 'viewer');
});

test('Ctrl+Enter runs DIC, Esc cancels the run; the DIC workspace in the light theme', async ({ viewer, workDir, harness }) => {
  const page = viewer.page;
  const key = page.keyboard;
  const dic = new DicPage(page);
  const jobs = async () => (await harness.backend.handlers['jobs.list']({ limit: 1 })).total;

  // a long run, started and cancelled from the keyboard
  const big = await writePair(workDir, 'keys-big', 1024, 3);
  await dic.open();
  await dic.loadPair(big.ref, big.def);
  await dic.setMethod('icgn', { step: 1 });
  await expect(dic.id('dic-run')).toHaveAttribute('title', 'Measure the displacement field (Ctrl+Enter)');
  // Ctrl+Enter typed in a parameter field does not run
  const before = await jobs();
  await dic.id('dic-step').click();
  await key.press('Control+Enter');
  await page.waitForTimeout(500);
  await expect(dic.id('dic-progress')).toHaveCount(0);
  expect(await jobs()).toBe(before);
  await key.press('Escape');
  await expect(dic.id('dic-step')).not.toBeFocused();
  await expect(dic.id('dic-tool-pan')).toHaveClass(/active/);

  // However fast the machine, the run must still be running when Esc is pressed: the back end's answer to
  // track.run is held until a task.cancel arrives (or the test ends). The computation itself is not held:
  // if it finished first, the run ends as done, once Esc has reached Cancel.
  const handlers = harness.backend.handlers as unknown as Record<string, (input: { taskId: string }) => Promise<unknown>>;
  const [trackRun, taskCancel] = [handlers['track.run'], handlers['task.cancel']];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const runIds: string[] = [];
  const cancelIds: string[] = [];
  handlers['track.run'] = async (input) => {
    runIds.push(input.taskId);
    try {
      return await trackRun(input);
    } finally {
      await held;
    }
  };
  handlers['task.cancel'] = async (input) => {
    cancelIds.push(input.taskId);
    const answer = taskCancel(input); // aborts the computation if it is still going
    release();
    return answer;
  };
  try {
    await key.press('Control+Enter');
    await expect(dic.id('dic-progress')).toHaveAttribute('data-state', 'running');
    await expect(dic.id('dic-cancel')).toHaveAttribute('title', 'Stop this run; no result is written (Esc)');
    await expect.poll(async () => Number(await dic.id('dic-progress').getAttribute('data-fraction')), { timeout: 60_000 }).toBeGreaterThan(0);
    // with an ROI tool picked, Esc during a run still goes to Cancel (the tool stays as it is)
    await key.press('r');
    await expect(dic.id('dic-tool-roi')).toHaveClass(/active/);
    await key.press('Escape');
    await expect.poll(() => cancelIds, { timeout: 30_000 }).toEqual(runIds);
    await expect(dic.id('dic-tool-roi')).toHaveClass(/active/);
    expect(runIds).toHaveLength(1);
    // cancelled, or done where the computation had finished just before Cancel reached it
    await expect(dic.id('dic-run-state')).toHaveAttribute('data-state', /^(cancelled|done)$/, { timeout: 30_000 });
  } finally {
    release();
    handlers['track.run'] = trackRun;
    handlers['task.cancel'] = taskCancel;
  }
  expect(await jobs()).toBe(before + 1);

  // a short one to the end, with Ctrl+Enter
  const small = await writePair(workDir, 'keys-small', 192, 7);
  await dic.loadPair(small.ref, small.def);
  await dic.setMethod('icgn', { step: 4 });
  await dic.id('dic-tab-images').click();
  await key.press('Control+Enter');
  await expect(dic.id('dic-run-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(dic.id('dic-map-canvas')).toBeVisible();

  // light theme: the same workspace with images and the result
  const sp = new SettingsPage(page);
  await key.press('Control+7');
  await sp.open();
  await sp.id('settings-theme-light').click();
  expect(await sp.theme()).toBe('light');
  await key.press('Control+2');
  await expect(dic.id('dic-map-canvas')).toHaveAttribute('data-drawn', /^(?!none$).+/);
  await dic.id('dic-compare').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'dic-light.png') });
  await dic.id('dic-tab-images').click();
  await dic.id('dic-vectors').check();
  await expect(dic.id('dic-ref-canvas')).toBeVisible();
  await page.screenshot({ path: join(SCREENSHOTS, 'dic-light-images.png') });

  // an error from the back end, in the banner
  await key.press('Control+1');
  await viewer.openPath(join(workDir, 'no-such-image.tif'));
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await expect(page.getByTestId('error-message')).toContainText('no-such-image.tif');
  await page.screenshot({ path: join(SCREENSHOTS, 'error-light.png') });
  await page.getByTestId('error-dismiss').click();

  // the harness's settings outlive this test (other files expect the dark default)
  await key.press('Control+7');
  await sp.id('settings-theme-dark').click();
  expect(await sp.theme()).toBe('dark');
});
