/**
 * @file Helpers shared by the watch fault tests (not used by the app): real speckle images from the
 * simulator, a recorder of session events, polling waits, checksums of a folder's raw files, and a check
 * that every result folder in an output folder is whole (result.json lists files whose sha256 match), and
 * the per-test fixture of temporary folders with in-process sessions stopped after each test.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { encodeTiffFloat32 } from '../imageio';
import { quietContext } from '../progress';
import { parseFieldSpec, parseNoiseSpec, simulatePair } from '../synth';
import { WatchEvents, type WatchEvent } from './events';
import { validateRules, type RulesFile } from './rules';
import { startWatch, type WatchSession, type WatchSessionOptions } from './session';

/** Reference and deformed float32 TIFF bytes (speckle 4 px, shift 1.5, −0.5 px unless `field` says otherwise), size×size. */
export async function specklePairBytes(seed: number, size = 64, field = 'constant:1.5,-0.5'): Promise<{ ref: Uint8Array; def: Uint8Array }> {
  const p = await simulatePair(
    { width: size, height: size, speckleSize: 4, noise: parseNoiseSpec('none'), field: parseFieldSpec(field), seed },
    quietContext(),
  );
  return { ref: encodeTiffFloat32(p.reference), def: encodeTiffFloat32(p.deformed) };
}

/** A tiny distinct float32 TIFF (for bursts of single-image jobs). */
export function tinyTiff(seed: number, size = 8): Uint8Array {
  return encodeTiffFloat32({ width: size, height: size, data: new Float32Array(size * size).map((_, i) => (i * 31 + seed * 7) % 251) });
}

export const TRACK_RULE = {
  name: 'dic',
  type: 'pair',
  reference: 'ref_(\\d+)\\.tif',
  sample: 'sample_(\\d+)\\.tif',
  task: { kind: 'track', method: 'zncc', options: { window: 15, search: 4 }, step: 8 },
};

export class Recorder {
  readonly events: WatchEvent[] = [];
  constructor(source: WatchEvents) {
    source.on((ev) => this.events.push(ev));
  }
  of<T extends WatchEvent['type']>(type: T): Extract<WatchEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<WatchEvent, { type: T }>[];
  }
  async until(pred: () => boolean, ms = 20_000): Promise<void> {
    const end = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > end) throw new Error(`timed out waiting; events so far: ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** name → sha256 of every file directly in `dir`. */
export async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const p = join(dir, name);
    if ((await stat(p)).isFile()) out[name] = createHash('sha256').update(await readFile(p)).digest('hex');
  }
  return out;
}

/**
 * The result folders in `outDir` (everything but the job database and its lock), each checked: it has a
 * result.json whose listed files exist with matching sha256. Also returns leftovers (hidden entries).
 */
export async function resultFolders(outDir: string): Promise<{ folders: string[]; hidden: string[]; inputsOf: Record<string, string[]> }> {
  const folders: string[] = [];
  const hidden: string[] = [];
  const inputsOf: Record<string, string[]> = {};
  for (const name of (await readdir(outDir)).sort()) {
    if (name.startsWith('.')) hidden.push(name);
    if (name.startsWith('.') || name.startsWith('jobs.sqlite')) continue;
    const dir = join(outDir, name);
    const rj = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as { files: { name: string; sha256: string }[]; inputs: { name: string }[] };
    for (const f of rj.files) {
      const sha = createHash('sha256').update(await readFile(join(dir, f.name))).digest('hex');
      if (sha !== f.sha256) throw new Error(`${dir}/${f.name} does not match its result.json`);
    }
    folders.push(name);
    inputsOf[name] = rj.inputs.map((i) => i.name);
  }
  return { folders, hidden, inputsOf };
}

/** A rules file of the given rules (validated; throws on a mistake). */
export function rulesOf(...list: unknown[]): RulesFile {
  const v = validateRules({ version: 1, rules: list });
  if (!v.ok) throw new Error(v.mistakes.join('\n'));
  return v.rules;
}

/** The short waits the in-process session tests run under (overridable per session). */
export const TEST_TIMINGS = { stableMs: 100, completeTimeoutMs: 1500, rootCheckMs: 100, backoffMs: 20 } as const;

export interface WatchTestDirs {
  /** This test's temporary folder (removed after it). */
  readonly dir: string;
  /** The watched folder, `dir`/acq (created empty). */
  readonly root: string;
  /** The output folder, `dir`/results (not created). */
  readonly out: string;
  /** Starts a session watching `root` into `out` with TEST_TIMINGS (`opts` override); stopped after the test. */
  session(rules: RulesFile, opts?: Partial<WatchSessionOptions>): Promise<{ s: WatchSession; rec: Recorder }>;
  /** Runs `fn` after the test, once its sessions have stopped and before `dir` is removed. */
  afterSessions(fn: () => unknown): void;
}

/**
 * Registers beforeEach/afterEach for the calling test file: a fresh temporary folder (name starting with
 * `prefix`) per test, and after it every session started by `session` stopped and the folder removed.
 * The returned object's folders are those of the test running.
 */
export function watchTestDirs(prefix: string): WatchTestDirs {
  let dir = '';
  let root = '';
  let out = '';
  const sessions: WatchSession[] = [];
  const cleanups: (() => unknown)[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    root = join(dir, 'acq');
    out = join(dir, 'results');
    await mkdir(root);
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.stop();
    for (const fn of cleanups.splice(0)) await fn();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get root() {
      return root;
    },
    get out() {
      return out;
    },
    async session(rules, opts = {}) {
      const events = new WatchEvents();
      const rec = new Recorder(events);
      const s = await startWatch({ root, outDir: out, rules, events, ...TEST_TIMINGS, ...opts });
      sessions.push(s);
      return { s, rec };
    },
    afterSessions(fn) {
      cleanups.push(fn);
    },
  };
}
