/**
 * @file The same first-use flow in the real Electron app. Runs where Electron's binary exists; elsewhere
 * every test here is reported as SKIPPED with the reason (never as passed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { writeTiffFloat32 } from '../../src/core/imageio';
import { CALL_NAMES } from '../../src/shared/contract';
import { ViewerPage } from '../pages/viewer-page';

const ROOT = resolve(import.meta.dirname, '..', '..');

function electronBinary(): string | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8');
    const bin = join(dir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const BIN = electronBinary();
const SKIP_REASON =
  "SKIPPED: Electron's binary is not installed on this machine (node_modules/electron/dist); run `npx install-electron` where downloads are possible.";
// The list reporter shows a skip without its reason; say it where a person reading the log will see it.
if (!BIN) console.log(`[electron e2e] ${SKIP_REASON}`);

test.describe('Electron app', () => {
  test.skip(!BIN, SKIP_REASON);

  test.beforeAll(() => {
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    expect(r.status, 'electron-vite build').toBe(0);
  });

  test('opens an image and reads a pixel value; the window is hardened', async () => {
    const userData = await mkdtemp(join(tmpdir(), 'lab-electron-'));
    const app = await electron.launch({ executablePath: BIN!, args: [ROOT, `--user-data-dir=${userData}`], cwd: ROOT });
    try {
      const page = await app.firstWindow();
      // Hardening as the page sees it: no Node in the renderer, and window.lab is exactly the contract.
      const seen = await page.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        lab: Object.keys((globalThis as unknown as { lab: object }).lab).sort(),
      }));
      expect(seen.require).toBe('undefined');
      expect(seen.process).toBe('undefined');
      expect(seen.lab).toEqual([...CALL_NAMES, 'on', 'pathForFile'].sort());

      const path = join(userData, 'ramp.tif');
      const data = new Float32Array(64 * 48).map((_, i) => 1000 * (i % 64) + Math.floor(i / 64) + 0.25);
      await writeTiffFloat32(path, { width: 64, height: 48, data });
      const viewer = new ViewerPage(page);
      await viewer.openPath(path);
      await viewer.expectSize(64, 48);
      const r = await viewer.readPixel(17, 5);
      expect(r.value).toBeCloseTo(17005.25, 3);
      await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'electron-viewer.png') });
    } finally {
      await app.close();
    }
  });
});
