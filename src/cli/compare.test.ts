/**
 * @file `lab compare` on small float32 TIFFs written here: figures against fieldErrors and closed forms,
 * the aligned text output, --json, masks, and errors (size mismatch naming both files and sizes, a missing
 * file, misuse). runCompare is called directly, and once end to end through bin/lab.mjs for exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabError } from '../core/errors';
import { writeTiffFloat32 } from '../core/imageio';
import { fieldErrors } from '../core/metrics';
import { gaussian, mulberry32 } from '../core/synth/rng';
import { runCompare } from './compare';
import { UsageError } from './usage-error';

const W = 40;
const H = 30;
let dir: string;
const f = (name: string) => join(dir, name);
let truthU: Float32Array;
let truthV: Float32Array;
let measU: Float32Array;
let measV: Float32Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-compare-'));
  const rng = mulberry32(21);
  truthU = new Float32Array(W * H);
  truthV = new Float32Array(W * H);
  measU = new Float32Array(W * H);
  measV = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    truthU[i] = 2 * rng() - 1;
    truthV[i] = 2 * rng() - 1;
    measU[i] = truthU[i] + 0.25; // pure offset in u
    measV[i] = truthV[i] + 0.02 * gaussian(rng); // noise in v
  }
  for (let i = 0; i < 12; i++) measU[i * 31] = NaN; // 12 points the "tracker" gave up on
  const mask = new Float32Array(W * H);
  for (let y = 5; y < 25; y++) for (let x = 10; x < 30; x++) mask[y * W + x] = 1;
  const write = (name: string, data: Float32Array, w = W, h = H) => writeTiffFloat32(f(name), { width: w, height: h, data });
  await Promise.all([
    write('tu.tif', truthU),
    write('tv.tif', truthV),
    write('u.tif', measU),
    write('v.tif', measV),
    write('mask.tif', mask),
    write('small.tif', new Float32Array(W * (H - 1)), W, H - 1),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs runCompare with console.log captured. */
async function compare(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await runCompare(args);
    return { code, out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (e) {
    return e as LabError;
  }
  throw new Error('expected a rejection');
}

const base = () => ['--truth-u', f('tu.tif'), '--truth-v', f('tv.tif'), '--u', f('u.tif'), '--v', f('v.tif')];

afterEach(() => vi.restoreAllMocks());

describe('lab compare', () => {
  it('--json gives the figures of fieldErrors on the files', async () => {
    const r = await compare(...base(), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const e = fieldErrors({ u: measU, v: measV }, { u: truthU, v: truthV });
    console.log('compare --json errors:', j.errors);
    expect([j.width, j.height]).toEqual([W, H]);
    expect(j.errors.n).toBe(W * H);
    expect(j.errors.nMissing).toBe(12);
    expect(j.errors.missingMeasured).toBe(12);
    expect(j.errors.bias.u).toBeCloseTo(0.25, 6); // float32 rounding only
    expect(j.errors.std.u).toBeLessThan(1e-6);
    expect(Math.abs(j.errors.bias.v)).toBeLessThan(4 * 0.02 / Math.sqrt(W * H));
    expect(Math.abs(j.errors.std.v - 0.02)).toBeLessThan(0.003); // 4 standard errors of a std over 1188 points
    expect(j.errors.rmse.v).toBeCloseTo(e.rmse.v, 12);
    expect(j.errors.epe.p95).toBeCloseTo(e.epe.p95, 12);
    expect(j.files.u).toBe(f('u.tif'));
  });

  it('prints an aligned table, and honours --mask', async () => {
    const r = await compare(...base(), '--mask', f('mask.tif'));
    console.log(r.out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/points\s+400 compared, \d+ valid, \d+ missing/);
    const lines = r.out.split('\n');
    const header = lines.find((l) => l.startsWith('error (px)'))!;
    const rowU = lines.find((l) => /^u\s/.test(l))!;
    // Right-aligned numeric columns: every row ends where the header ends.
    expect(rowU.length).toBe(header.length);
    expect(rowU).toMatch(/^u\s+0\.25\s+0\.25\s+0\.25\s/);
    expect(r.out).toContain('end-point (px)');
    expect(r.out).toContain(f('mask.tif'));
  });

  it('refuses fields of different sizes, naming both files and sizes', async () => {
    const err = await failure(compare('--truth-u', f('tu.tif'), '--truth-v', f('tv.tif'), '--u', f('small.tif'), '--v', f('v.tif')));
    expect(err).toBeInstanceOf(LabError);
    console.log('size mismatch:', err.message);
    expect(err.code).toBe('E_SIZE_MISMATCH');
    expect(err.message).toContain(`"${f('small.tif')}" (--u) is ${W} × ${H - 1} px`);
    expect(err.message).toContain(`"${f('tu.tif')}" (--truth-u) is ${W} × ${H} px`);
    expect(err.message).not.toContain('\n');
  });

  it('names a missing file; misuse is a UsageError', async () => {
    const err = await failure(compare('--truth-u', f('nope.tif'), '--truth-v', f('tv.tif'), '--u', f('u.tif'), '--v', f('v.tif')));
    expect(err).toBeInstanceOf(LabError);
    expect(err.code).toBe('E_NOT_FOUND');
    expect(err.message).toContain(f('nope.tif'));
    await expect(compare('--truth-u', f('tu.tif'), '--u', f('u.tif'))).rejects.toThrow(UsageError);
    await expect(compare('--truth-u', f('tu.tif'), '--u', f('u.tif'))).rejects.toThrow(/--truth-v FILE, --v FILE/);
    await expect(compare(...base(), 'extra')).rejects.toThrow(UsageError);
    await expect(compare(...base(), '--frobnicate')).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });
});

// End to end through bin/lab.mjs: exit codes as a user sees them.
const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');
const lab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('lab compare via bin/lab.mjs', () => {
  it('exits 0 with a table, 1 with one line naming a bad file, 2 on misuse', () => {
    const ok = lab('compare', ...base());
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/error \(px\)\s+bias/);
    const bad = lab('compare', ...base().slice(0, 5), f('small.tif'), '--v', f('v.tif'));
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toContain(f('small.tif'));
    expect(lab('compare', '--u', f('u.tif')).code).toBe(2);
  });
});
