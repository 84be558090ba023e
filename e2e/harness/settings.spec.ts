/**
 * @file The Settings workspace, end to end through the browser harness: every shipped model of
 * models/manifest.json is listed with its manifest sha256, Verify re-hashes selftest → ok, the execution
 * provider in use is the one app.info reports, the theme switches (data-theme on <html>) and is still there
 * after a reload (settings.json in the harness's data folder), the provider preference is saved and applied
 * to the running compute host at once (settings.get: providersInEffect ['cpu'], restartNeeded false; the
 * note says model sessions now use it, no restart), and a bad thread count is refused in a sentence. Screenshots:
 * e2e/screenshots/settings-*.png.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { SettingsPage } from '../pages/settings-page';

const MANIFEST = resolve(import.meta.dirname, '../../models/manifest.json');

test('models with their sha256, Verify, provider, threads, theme', async ({ viewer, harness }) => {
  const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as { models: { id: string; sha256: string; task: string }[] };
  const sp = new SettingsPage(viewer.page);
  await sp.open();

  // Every shipped model, with the manifest's sha256 (selftest included).
  for (const m of manifest.models) {
    const row = sp.model(m.id);
    await expect(row).toHaveAttribute('data-source', 'shipped');
    await expect(row.getByTestId('model-sha')).toHaveAttribute('data-sha256', m.sha256);
    await expect(row.getByTestId('model-task')).toHaveText(m.task);
  }
  const self = sp.model('selftest');
  await expect(self.getByTestId('model-sha')).toHaveText(`${manifest.models.find((m) => m.id === 'selftest')!.sha256.slice(0, 12)}…`);
  await expect(sp.id('models-shipped-dir')).toContainText('models');

  // Verify re-hashes the file.
  await self.getByTestId('model-verify').click();
  await expect(self.getByTestId('model-verify-state')).toHaveAttribute('data-state', 'ok');

  // Each model's main figure reads as words and units, not raw metric keys cut off; every metric is in the tooltip.
  for (const m of manifest.models) {
    const fig = sp.model(m.id).getByTestId('model-key-metrics');
    await expect(fig).not.toContainText('…');
    if (m.task === 'deblur' || m.task === 'super-resolution') await expect(fig).toContainText(/^PSNR \d+\.\d+ dB/);
    if (m.task === 'displacement') await expect(fig).toContainText(/^(RMSE|EPE) [\d.]+ px/);
  }
  await expect(sp.model('midnet-s').getByTestId('model-key-metrics')).toContainText(/PSNR [\d.]+ dB\s*vs input [\d.]+ dB/);
  expect(await sp.model('midnet-s').getByTestId('model-key-metrics').getAttribute('title')).toMatch(/^test-psnr-db\.3-1: /m);
  await sp.model('midnet-s').getByTestId('model-metrics-more').click();
  await expect(sp.model('midnet-s').locator('xpath=following-sibling::tr[1]')).toHaveAttribute('data-testid', 'model-detail');
  await expect(sp.id('model-metrics').first()).toContainText('test-psnr-db.mean');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'settings-models.png') });
  await sp.model('midnet-s').getByTestId('model-metrics-more').click();

  // Details: metrics and the training command.
  await self.getByTestId('model-details').click();
  await expect(sp.id('model-command').first()).toBeVisible();

  // The provider in use is app.info's.
  await expect.poll(async () => (await harness.backend.handlers['app.info']({})).executionProvider !== null, { timeout: 60_000 }).toBe(true);
  const ep = (await harness.backend.handlers['app.info']({})).executionProvider!;
  await expect(sp.id('settings-provider-active')).toHaveText(ep.active);
  await expect(sp.id('settings-provider-try')).toHaveCount(ep.tried.length);

  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'settings-dark.png') });

  // Threads: a bad value is refused; a good one is saved.
  await sp.id('settings-threads').fill('0');
  await sp.id('settings-threads').press('Enter');
  await expect(sp.id('settings-threads-error')).toContainText('whole number from 1 to 256');
  await sp.id('settings-threads').fill('2');
  await sp.id('settings-threads').press('Enter');
  await expect(sp.id('settings-threads-error')).toHaveCount(0);

  // Provider preference: saved and applied to the running compute host at once (said so, no restart).
  await sp.id('settings-provider-pref-cpu').click();
  await expect(sp.id('settings-provider-pref-cpu')).toHaveAttribute('aria-checked', 'true');
  const st = await harness.backend.handlers['settings.get']({});
  expect(st.settings.providerPreference).toBe('cpu');
  expect(st.settings.trackerThreads).toBe(2);
  expect(st.providersInEffect).toEqual(['cpu']);
  expect(st.restartNeeded).toBe(false);
  await expect(sp.id('settings-provider-note')).toHaveAttribute('data-restart', 'false');
  await expect(sp.id('settings-provider-note')).toHaveText('Model sessions now use cpu. A change here applies to the next model session, without a restart.');
  await sp.id('settings-provider-pref-auto').click();
  await expect(sp.id('settings-provider-pref-auto')).toHaveAttribute('aria-checked', 'true');
  const auto = await harness.backend.handlers['settings.get']({});
  expect(auto.providersInEffect).toEqual(auto.providersPreferred);
  expect(auto.restartNeeded).toBe(false);
  await expect(sp.id('settings-provider-note')).toContainText(`Model sessions now use ${auto.providersInEffect.join(' → ')}`);
  await expect(sp.id('settings-provider-note')).not.toContainText('restart the app');

  // Theme: light, kept across a reload.
  expect(await sp.theme()).toBe('dark');
  await sp.id('settings-theme-light').click();
  expect(await sp.theme()).toBe('light');
  await expect(sp.id('settings-theme-light')).toHaveAttribute('aria-checked', 'true');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'settings-light.png') });
  await viewer.page.reload();
  await sp.open();
  await expect.poll(() => sp.theme()).toBe('light');
  expect((await harness.backend.handlers['settings.get']({})).settings.theme).toBe('light');
  await sp.id('nav-viewer').click();
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'settings-light-viewer.png') });
  await sp.open();
  await sp.id('settings-theme-dark').click();
  expect(await sp.theme()).toBe('dark');
});
