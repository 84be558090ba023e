/**
 * @file `lab track` as a user runs it: simulate a pair, track it with each method, check the files, the
 * NaN outside the ROI, result.json, and `lab compare` against the ground truth; bad input gives one line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeTiffFloat32 } from '../core/imageio';

const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');
const lab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let dir: string;
let pair: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-track-'));
  pair = join(dir, 'pair');
  const r = lab('simulate', 'pair', '--out', pair, '--size', '160,128', '--field', 'constant:1.3,-0.6', '--noise', 'poisson:5000', '--seed', '5');
  expect(r.code, r.err).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab track', () => {
  it.each([
    ['icgn', ['--window', '21'], ['u', 'v', 'quality', 'iterations']],
    ['zncc', ['--window', '21', '--search', '4'], ['u', 'v', 'quality']],
    ['umpa', ['--window', '15', '--search', '4'], ['u', 'v', 'quality', 'transmission', 'darkfield']],
  ])('%s writes the fields, NaN outside the ROI, and a result.json', async (method, extra, maps) => {
    const out = join(dir, `out-${method}`);
    const r = lab('track', '--ref', join(pair, 'reference.tif'), '--def', join(pair, 'deformed.tif'), '--method', method, ...extra,
      '--step', '4', '--roi', '20,16,120,96', '--strain-window', '9', '--out', out);
    expect(r.code, r.err).toBe(0);
    for (const m of [...maps, 'exx', 'eyy', 'exy']) expect(existsSync(join(out, `${m}.tif`)), `${m}.tif`).toBe(true);
    expect(existsSync(join(out, 'preview.png'))).toBe(true);
    const u = await readImage(join(out, 'u.tif'));
    expect([u.width, u.height]).toEqual([160, 128]);
    expect(Number.isNaN(u.data[5 * 160 + 5])).toBe(true); // outside the ROI
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.method).toBe(method);
    expect(result.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.summary.u.mean).toBeCloseTo(1.3, 1);
    expect(result.summary.v.mean).toBeCloseTo(-0.6, 1);
    // The same figures through `lab compare` against the simulator's ground truth, inside the ROI only.
    const cmp = lab('compare', '--truth-u', join(pair, 'u.tif'), '--truth-v', join(pair, 'v.tif'), '--u', join(out, 'u.tif'), '--v', join(out, 'v.tif'), '--json');
    expect(cmp.code, cmp.err).toBe(0);
    const e = JSON.parse(cmp.out);
    console.log(`lab track ${method}: RMSE u ${e.errors.rmse.u.toFixed(4)} px, v ${e.errors.rmse.v.toFixed(4)} px over ${e.errors.nValid} points`);
    expect(e.errors.nValid).toBeGreaterThan(5000);
    expect(e.errors.rmse.u).toBeLessThan(method === 'icgn' ? 0.03 : 0.1);
  }, 300_000);

  it('refuses images of different sizes, naming both', async () => {
    const small = join(dir, 'small.tif');
    await writeTiffFloat32(small, { width: 100, height: 100, data: new Float32Array(100 * 100).fill(1) });
    const r = lab('track', '--ref', join(pair, 'reference.tif'), '--def', small, '--method', 'zncc', '--out', join(dir, 'never'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/small\.tif.*100×100.*160×128/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('refuses an even window and an unknown method', () => {
    const base = ['track', '--ref', join(pair, 'reference.tif'), '--def', join(pair, 'deformed.tif'), '--out', join(dir, 'x')];
    const even = lab(...base, '--method', 'zncc', '--window', '20');
    expect(even.code).toBe(1);
    expect(even.err).toMatch(/--window 20 must be odd/);
    const unknown = lab(...base, '--method', 'magic');
    expect(unknown.code).toBe(2);
    const passes = lab(...base, '--method', 'cnn-xst', '--passes', '9');
    expect(passes.code).toBe(1);
    expect(passes.err).toMatch(/--passes/);
    const notCnn = lab(...base, '--method', 'zncc', '--passes', '2');
    expect(notCnn.code).toBe(2);
    expect(notCnn.err).toMatch(/--passes applies to the CNN methods only/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
