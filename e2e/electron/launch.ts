/**
 * @file The Electron launcher shared by e2e/electron/*.spec.ts: where Electron's binary is, why the specs
 * skip where it is not, one build of the app (electron-vite → out/), and a launch of that build with its
 * own temporary data folder (Chromium's `--user-data-dir`, which is Electron's `userData`: the job store,
 * settings.json, localStorage and results/ all live there, see src/main/index.ts).
 *
 * The specs use the same page objects as the browser-harness specs (e2e/pages). Where a harness spec asks
 * the harness's back end directly, these ask what Electron shows: the UI, the files in the data folder,
 * or the contract itself through `window.lab` (the preload's bridge), via `LabApp.lab`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { _electron as electron, expect, type ElectronApplication, type Page } from '@playwright/test';
import type { CallInput, CallName, CallOutput } from '../../src/shared/contract';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');

/** The Electron executable installed by the `electron` package, or null where it was never downloaded. */
export function electronBinary(): string | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const bin = join(dir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export const BIN = electronBinary();
export const SKIP_REASON =
  "SKIPPED: Electron's binary is not installed on this machine (node_modules/electron/dist); run `npx install-electron` where downloads are possible.";

// The list reporter shows a skip without its reason; say it where a person reading the log will see it
// (once per process that loads the specs).
const SAID = Symbol.for('speckle-lab.electron-e2e.skip-said');
if (!BIN && !(globalThis as Record<symbol, unknown>)[SAID]) {
  (globalThis as Record<symbol, unknown>)[SAID] = true;
  console.log(`[electron e2e] ${SKIP_REASON}`);
}

let built = false;
/** Builds main, preload and renderer into out/ (once per worker process). Call from a beforeAll. */
export function buildApp(): void {
  if (built) return;
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  expect(r.status, 'electron-vite build').toBe(0);
  built = true;
}

export interface LabApp {
  app: ElectronApplication;
  page: Page;
  /** the data folder the app runs with (its userData) */
  userData: string;
  /** where the app writes its own results: <userData>/results */
  resultsDir: string;
  /** a temporary folder for the test's own inputs (images, watched folders), removed on close */
  workDir: string;
  /** uncaught errors in the renderer so far */
  errors: string[];
  /** Calls the contract through the preload's `window.lab`, exactly as the renderer does. */
  lab<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  /** Closes the app; removes the work folder, and the data folder unless it is kept. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** run in this data folder (a relaunch over an earlier run's data); kept on close */
  userData?: string;
  /** keep the data folder on close (default: only when `userData` was given) */
  keepData?: boolean;
}

/** The real path where it exists, else the path made absolute (so a comparison fails readably, not with ENOENT). */
const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** True when `path` is `dir` or lies inside it. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(real(dir), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Launches the built app with a fresh data folder and waits for its first window to be ready. */
export async function launchLab(opts: LaunchOptions = {}): Promise<LabApp> {
  if (!BIN) throw new Error(SKIP_REASON);
  const userData = opts.userData ?? (await mkdtemp(join(tmpdir(), 'lab-electron-')));
  const keepData = opts.keepData ?? opts.userData !== undefined;
  const workDir = await mkdtemp(join(tmpdir(), 'lab-electron-work-'));
  let app: ElectronApplication | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await app?.close();
    } finally {
      await rm(workDir, { recursive: true, force: true });
      if (!keepData) await rm(userData, { recursive: true, force: true });
    }
  };
  try {
    app = await electron.launch({ executablePath: BIN, args: [ROOT, `--user-data-dir=${userData}`], cwd: ROOT });
    // The app must really run in the temporary folder, or the tests would write into a person's own data.
    const seen = await app.evaluate(({ app: a }) => a.getPath('userData'));
    expect(real(seen), "Electron's userData (from --user-data-dir)").toBe(real(userData));
    const page = await app.firstWindow();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.waitForLoadState('domcontentloaded');
    await expect(page.getByTestId('nav-viewer')).toBeVisible();
    const lab = async <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> =>
      (await page.evaluate(
        ([n, i]) => (globalThis as unknown as { lab: Record<string, (x: unknown) => Promise<unknown>> }).lab[n as string](i),
        [name, input] as const,
      )) as CallOutput<N>;
    return { app, page, userData, resultsDir: join(userData, 'results'), workDir, errors, lab, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

/**
 * Runs `fn` against a freshly launched app and closes it whatever happens; then checks that the renderer
 * threw nothing uncaught (like the harness fixture does).
 */
export async function withLab(fn: (lab: LabApp) => Promise<void>, opts: LaunchOptions = {}): Promise<void> {
  const lab = await launchLab(opts);
  try {
    await fn(lab);
  } finally {
    await lab.close();
  }
  expect(lab.errors, 'uncaught errors in the renderer').toEqual([]);
}
