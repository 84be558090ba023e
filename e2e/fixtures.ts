/**
 * @file Playwright fixtures: a real browser harness (real core, real compute host, temporary job store)
 * per test file, and a page already on it. The renderer must have been built (npm run build:web).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { startHarness, type Harness } from '../src/harness/server';
import { ViewerPage } from './pages/viewer-page';

const ROOT = resolve(import.meta.dirname, '..');
export const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');

export const test = base.extend<{ viewer: ViewerPage }, { harness: Harness; workDir: string }>({
  workDir: [
    async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), 'lab-e2e-'));
      await use(dir);
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  harness: [
    async ({ workDir }, use) => {
      // LAB_WEB_ROOT lets parallel work build and test its own copy of the renderer (vite build --outDir …).
      const webRoot = resolve(ROOT, process.env.LAB_WEB_ROOT ?? 'dist-web');
      if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`${webRoot} is missing: run "npm run build:web" first.`);
      const harness = await startHarness({ port: 0, webRoot, dataDir: join(workDir, 'data') });
      await use(harness);
      await harness.close();
    },
    { scope: 'worker' },
  ],
  viewer: async ({ page, harness }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(harness.url);
    await use(new ViewerPage(page));
    expect(errors, 'uncaught errors in the renderer').toEqual([]);
  },
});
export { expect };
