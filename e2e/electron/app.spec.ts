/**
 * @file The same first-use flow in the real Electron app. Runs where Electron's binary exists; elsewhere
 * every test here is reported as SKIPPED with the reason (never as passed). The launcher (./launch.ts) is
 * shared with workspaces.spec.ts.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeTiffFloat32 } from '../../src/core/imageio';
import { CALL_NAMES } from '../../src/shared/contract';
import { ViewerPage } from '../pages/viewer-page';
import { BIN, buildApp, SCREENSHOTS, SKIP_REASON, withLab } from './launch';

test.describe('Electron app', () => {
  test.skip(!BIN, SKIP_REASON);

  test.beforeAll(() => {
    test.setTimeout(300_000);
    buildApp();
  });

  test('opens an image and reads a pixel value; the window is hardened', async () => {
    await withLab(async (lab) => {
      const page = lab.page;
      // Hardening as the page sees it: no Node in the renderer, and window.lab is exactly the contract.
      const seen = await page.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        lab: Object.keys((globalThis as unknown as { lab: object }).lab).sort(),
      }));
      expect(seen.require).toBe('undefined');
      expect(seen.process).toBe('undefined');
      expect(seen.lab).toEqual([...CALL_NAMES, 'on', 'pathForFile'].sort());
      expect((await lab.lab('app.info', {})).transport).toBe('electron');

      const path = join(lab.workDir, 'ramp.tif');
      const data = new Float32Array(64 * 48).map((_, i) => 1000 * (i % 64) + Math.floor(i / 64) + 0.25);
      await writeTiffFloat32(path, { width: 64, height: 48, data });
      const viewer = new ViewerPage(page);
      await viewer.openPath(path);
      await viewer.expectSize(64, 48);
      const r = await viewer.readPixel(17, 5);
      expect(r.value).toBeCloseTo(17005.25, 3);
      await page.screenshot({ path: join(SCREENSHOTS, 'electron-viewer.png') });
    });
  });
});
