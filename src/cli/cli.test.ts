/**
 * @file The `lab` command as a user runs it (bin/lab.mjs in a child process): help, simulate, info, and
 * one-line errors with the right exit codes for bad files and bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED, SHARED_NOTE, sharedPath } from '../../test/shared-data';

const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');

function lab(...args: string[]) {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab CLI', () => {
  it('prints help and exits 0', () => {
    const r = lab('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('lab simulate pair');
    expect(r.out).toContain('lab info IMAGE');
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = lab('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command "frobnicate"/);
  });

  it('simulates a pair, then reads it back with lab info', () => {
    const out = join(dir, 'pair');
    const r = lab('simulate', 'pair', '--out', out, '--size', '96,64', '--speckle-px', '4', '--field', 'constant:1.25,-0.5', '--seed', '7');
    expect(r.code, r.err).toBe(0);
    const names = readdirSync(out).sort();
    for (const n of ['deformed.tif', 'reference.tif', 'result.json', 'u.tif', 'v.tif']) expect(names).toContain(n);
    const info = lab('info', join(out, 'u.tif'), '--json');
    expect(info.code, info.err).toBe(0);
    const j = JSON.parse(info.out);
    expect([j.width, j.height, j.meta.sampleType]).toEqual([96, 64, 'float32']);
    expect(j.stats.min).toBeCloseTo(1.25, 6);
    expect(j.stats.max).toBeCloseTo(1.25, 6);
    const human = lab('info', join(out, 'reference.tif'));
    expect(human.out).toMatch(/size\s+96 × 64 px/);
  });

  it('never overwrites a non-empty output folder', async () => {
    const out = join(dir, 'occupied');
    await mkdir(out);
    await writeFile(join(out, 'precious.txt'), 'keep me');
    const r = lab('simulate', 'pair', '--out', out, '--size', '32,32');
    expect(r.code).toBe(1);
    expect(r.err).toContain(out);
    expect(readdirSync(out)).toEqual(['precious.txt']);
    expect(await readFile(join(out, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it.each([
    ['--size', 'abc', /--size "abc"/],
    ['--speckle-px', '40', /--speckle-px "40"/],
    ['--noise', 'poisson:-3', /poisson:-3/],
    ['--field', 'twist:3', /twist:3/],
  ])('bad %s %s is a one-line error with exit code 1', (flag, value, pattern) => {
    const r = lab('simulate', 'pair', '--out', join(dir, `bad${flag}`), flag, value);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  describe('bad image files', () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['an empty file', async () => { const p = join(dir, 'empty.tif'); await writeFile(p, ''); return p; }, /empty/i],
      ['a text file renamed .tif', async () => { const p = join(dir, 'text.tif'); await writeFile(p, 'hello, I am text\n'.repeat(20)); return p; }, /not|unsupported|recogni/i],
      ['a missing file', async () => join(dir, 'nope.tif'), /no such|not found|does not exist/i],
      ['a truncated TIFF', async () => {
        const src = join(dir, 'pair', 'reference.tif');
        const bytes = await readFile(src);
        const p = join(dir, 'truncated.tif');
        await writeFile(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
        return p;
      }, /truncat|ends|incomplete/i],
    ];
    it.each(cases)('%s: one line naming the file, exit code 1', async (_label, make, pattern) => {
      const p = await make();
      const r = lab('info', p);
      expect(r.code).toBe(1);
      expect(r.err).toContain(p);
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  });
});

describe.skipIf(!SHARED)(`lab info on every shared image ${SHARED_NOTE}`, () => {
  const files: string[] = [];
  if (SHARED) {
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(tif|tiff|png|jpe?g|bmp)$/i.test(n)) files.push(p);
      }
    };
    walk(sharedPath());
  }
  // The in-process reader test (src/core/imageio) covers every file; here the first image of each folder
  // goes through the real command, which is what a user runs.
  it('lab info opens the first image of every folder under ../shared/data', () => {
    const firstPerDir = new Map<string, string>();
    for (const f of files) {
      const d = f.slice(0, f.lastIndexOf('/'));
      if (!firstPerDir.has(d)) firstPerDir.set(d, f);
    }
    expect(firstPerDir.size).toBeGreaterThan(8);
    for (const f of firstPerDir.values()) {
      const r = lab('info', f, '--json');
      expect(r.code, `${f}: ${r.err}`).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.width).toBeGreaterThan(0);
      expect(Number.isFinite(j.stats.mean)).toBe(true);
    }
  }, 600_000);
});
