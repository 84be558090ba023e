/**
 * @file `lab deblur` as a user runs it, on images the test generates (no shared data): 8-bit and 16-bit
 * TIFFs with a pixel size, blurred with a known Gaussian. Checks the files, bit depth and pixel size kept,
 * the input left byte-for-byte unchanged, the metrics in result.json, the CNN path on a stand-in model, and
 * one-line errors for bad input (exit 1) and bad usage (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../core/imageio';
import { encodeTiff16, encodeTiff8 } from '../core/imageio/write-tiff';
import { gaussianBlur } from '../core/restore/deblur/richardson-lucy';
import { scene, standInModels } from '../core/restore/deblur/test-support';

const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');
const lab = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

const W = 128, H = 96, PX = 0.0123; // µm
let dir: string;
let models: string;
const files = { blurry8: '', sharp8: '', blurry16: '', sharp16: '', small: '', text: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-deblur-'));
  models = await mkdir(join(dir, 'models'), { recursive: true }).then(() => standInModels(join(dir, 'models')));
  const sharp = scene(W, H, 3);
  const blurry = Float32Array.from(await gaussianBlur(sharp, W, H, 1.8), Math.round);
  const img = (data: Float32Array) => ({ width: W, height: H, data });
  const by257 = (a: Float32Array) => a.map((v) => v * 257);
  for (const [k, bytes] of [
    ['blurry8', encodeTiff8(img(blurry), { pixelSize: { x: PX, y: PX } })],
    ['sharp8', encodeTiff8(img(sharp))],
    ['blurry16', encodeTiff16(img(by257(blurry)), { pixelSize: { x: PX, y: PX } })],
    ['sharp16', encodeTiff16(img(by257(sharp)))],
    ['small', encodeTiff8({ width: 40, height: 30, data: new Float32Array(1200) })],
    ['text', new TextEncoder().encode('not an image\n')],
  ] as const) {
    files[k] = join(dir, `${k}.tif`);
    await writeFile(files[k], bytes);
  }
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab deblur', () => {
  it.each([
    ['8-bit', 'blurry8', 'sharp8', 'uint8', 8, 255],
    ['16-bit', 'blurry16', 'sharp16', 'uint16', 16, 65535],
  ] as const)('richardson-lucy on %s keeps bit depth and pixel size, leaves the input alone, scores against --ref', async (_, inK, refK, type, bits, range) => {
    const out = join(dir, `out-rl-${bits}`);
    const before = sha(files[inK]);
    const r = lab({}, 'deblur', '--in', files[inK], '--method', 'richardson-lucy', '--ref', files[refK], '--border', '4', '--out', out, '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(sha(files[inK])).toBe(before);
    for (const f of ['deblurred.tif', 'preview.png', 'result.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const d = await readImage(join(out, 'deblurred.tif'));
    expect([d.width, d.height, d.meta.sampleType, d.meta.bitsPerSample]).toEqual([W, H, type, bits]);
    expect(d.meta.pixelSize?.x).toBeCloseTo(PX, 9);
    const p = await readImage(join(out, 'preview.png'));
    expect(p.width).toBe(2 * W + 4);
    const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(res).toMatchObject({ kind: 'deblur', method: 'richardson-lucy', model: null, executionProvider: null });
    expect(res.inputs[0]).toMatchObject({ role: 'blurry', sha256: before, bitsPerSample: bits });
    expect(res.inputs[1]).toMatchObject({ role: 'reference', sha256: sha(files[refK]) });
    expect(res.parameters.sigmaPx).toBeGreaterThan(1.4);
    expect(res.parameters.sigmaPx).toBeLessThan(2.2);
    const m = res.metrics;
    expect(m.dataRange).toBe(range);
    console.log(
      `lab deblur RL ${bits}-bit: σ ${res.parameters.sigmaPx.toFixed(2)} px, PSNR ${m.reference.psnrDb.input.toFixed(2)} → ${m.reference.psnrDb.output.toFixed(2)} dB, ` +
        `SSIM ${m.reference.ssim.input.toFixed(4)} → ${m.reference.ssim.output.toFixed(4)}, Tenengrad ${m.sharpness.input.tenengrad.toFixed(4)} → ${m.sharpness.output.tenengrad.toFixed(4)}`,
    );
    expect(m.reference.psnrDb.output).toBeGreaterThan(m.reference.psnrDb.input + 1);
    expect(m.reference.ssim.output).toBeGreaterThan(m.reference.ssim.input);
    expect(m.sharpness.output.tenengrad).toBeGreaterThan(m.sharpness.input.tenengrad);
    expect(res.versions.node).toBe(process.versions.node);
    expect(res.files.map((f: { name: string }) => f.name)).toEqual(['deblurred.tif', 'preview.png']);
    expect(r.out).toMatch(/PSNR .* dB, SSIM/);
  }, 300_000);

  it('midnet runs the manifest model (stand-in here) and records it; sharpness without --ref', async () => {
    const out = join(dir, 'out-cnn');
    const r = lab({ LAB_MODELS_DIR: models }, 'deblur', '--in', files.blurry8, '--out', out, '--quiet');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(res.method).toBe('midnet');
    expect(res.model.id).toBe('midnet-s');
    expect(res.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof res.executionProvider).toBe('string');
    expect(res.parameters.normalisation.kind).toBe('unit-range');
    expect(res.metrics.reference).toBeNull();
    expect(res.metrics.sharpness.input.tenengrad).toBeGreaterThan(0);
    const d = await readImage(join(out, 'deblurred.tif'));
    expect(d.meta.bitsPerSample).toBe(8);
  }, 300_000);

  it('bad input: one line naming the file, exit 1; never writes into a non-empty folder', async () => {
    const missing = join(dir, 'nope.tif');
    const cases: [string[], RegExp][] = [
      [['--in', missing], /nope\.tif/],
      [['--in', files.text], /text\.tif/],
      [['--in', files.blurry8, '--ref', files.small], /small\.tif is 40×30.*128×96/],
      [['--in', files.blurry8, '--method', 'nafnet'], /nafnet-s/],
      [['--in', files.small], /small\.tif \(40×30\) is too small/],
    ];
    for (const [args, msg] of cases) {
      const r = lab({ LAB_MODELS_DIR: models }, 'deblur', ...args, '--out', join(dir, 'never'), '--quiet', ...(args.includes('--method') ? [] : ['--method', 'richardson-lucy']));
      expect(r.code, r.err).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    const r = lab({}, 'deblur', '--in', files.blurry8, '--method', 'richardson-lucy', '--out', join(dir, 'out-rl-8'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not empty/);
  }, 300_000);

  it('usage errors exit 2', () => {
    for (const args of [['--in', files.blurry8], ['--in', files.blurry8, '--method', 'wiener', '--out', 'x'], ['--in', files.blurry8, '--sigma', '2', '--out', 'x']]) {
      const r = lab({}, 'deblur', ...args);
      expect(r.code, r.err).toBe(2);
    }
  }, 120_000);
});
