/**
 * @file Playwright: the real renderer against the real core. `harness` drives dist-web/ in Debian's
 * Chromium through the browser harness; `electron` drives the packaged-layout app through Electron where
 * its binary exists (and skips, saying why, where it does not).
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM_PATH = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  projects: [
    {
      name: 'harness',
      testMatch: /harness\/.*\.spec\.ts/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1400, height: 900 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          // Without these, Chromium keeps trying to reach Google services on a machine with no network.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /electron\/.*\.spec\.ts/ },
  ],
});
