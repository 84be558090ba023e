/**
 * @file finishReport when the file system gets in the way (node:fs/promises wrapped with hooks): a cleanup
 * error (EBUSY on removing the staged files) is a warning, never the export's failure; a file or folder
 * that appears at a target between the checks and the renames leaves neither a data folder without its
 * HTML nor an HTML without its data folder.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeRestoreFixtures } from './report-fixtures';
import { dataDirFor, finishReport, stageReport } from './write-report';

const hooks = vi.hoisted(() => ({
  /** called with the path of every rm; may throw */
  rm: null as null | ((path: string) => void),
  /** run once, before the first link or rename (then cleared) */
  beforePlace: null as null | (() => Promise<void>),
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const placing = async () => {
    const h = hooks.beforePlace;
    hooks.beforePlace = null;
    await h?.();
  };
  const wrapped = {
    rm: async (p: Parameters<typeof fs.rm>[0], o?: Parameters<typeof fs.rm>[1]) => {
      hooks.rm?.(String(p));
      return fs.rm(p, o);
    },
    link: async (a: string, b: string) => (await placing(), fs.link(a, b)),
    rename: async (a: string, b: string) => (await placing(), fs.rename(a, b)),
  };
  return { ...fs, ...wrapped, default: { ...fs, ...wrapped } };
});

// the real functions, for the test's own files
const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

let dir: string;
let fx: Awaited<ReturnType<typeof makeRestoreFixtures>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-write-report-cleanup-'));
  fx = await makeRestoreFixtures(dir);
}, 120_000);
afterEach(() => {
  hooks.rm = null;
  hooks.beforePlace = null;
});
afterAll(async () => {
  await real.rm(dir, { recursive: true, force: true });
});

const leftovers = async (name: string) => (await readdir(dir)).filter((f) => f.includes(name) && f.includes('.partial-'));
const ebusy = (p: string) => Object.assign(new Error(`EBUSY: resource busy or locked, rm '${p}'`), { code: 'EBUSY', path: p });

describe('finishReport cleanup and commit', () => {
  it('a cleanup error (EBUSY) after a successful export is a warning, not a failure', async () => {
    const out = join(dir, 'busy.html');
    const { staged } = await stageReport({ jobDirs: [fx.sr], outHtml: out });
    hooks.rm = (p) => {
      if (p.includes('.partial-')) throw ebusy(p);
    };
    const done = await finishReport(staged, null);
    expect(done.warnings.some((w) => /temporary files could not all be removed.*EBUSY/.test(w)), done.warnings.join('\n')).toBe(true);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dataDirFor(out), 'manifest.json'))).toBe(true);
  }, 60_000);

  it('an HTML created at the target while committing: EEXIST, and no data folder is left without its HTML', async () => {
    const out = join(dir, 'raced.html');
    const { staged } = await stageReport({ jobDirs: [fx.sr], outHtml: out });
    hooks.beforePlace = () => real.writeFile(out, 'the user\'s file', { flag: 'wx' });
    await expect(finishReport(staged, null)).rejects.toThrow(/already exists; nothing was overwritten/);
    expect(await readFile(out, 'utf8')).toBe('the user\'s file');
    expect(existsSync(dataDirFor(out))).toBe(false);
    expect(await leftovers('raced')).toEqual([]);
  }, 60_000);

  it('a data folder created at the target while committing: the HTML just placed is taken back', async () => {
    const out = join(dir, 'raced-data.html');
    const { staged } = await stageReport({ jobDirs: [fx.sr], outHtml: out });
    const data = dataDirFor(out);
    hooks.beforePlace = async () => {
      await real.mkdir(data);
      await real.writeFile(join(data, 'mine.txt'), 'x');
    };
    await expect(finishReport(staged, null)).rejects.toThrow(/data folder .* already exists/);
    expect(existsSync(out)).toBe(false);
    expect(await readdir(data)).toEqual(['mine.txt']);
    expect(await leftovers('raced-data')).toEqual([]);
  }, 60_000);
});
