/**
 * `deblurImage` (deblur/index.ts): the CNN path end to end on a stand-in model (the shipped self-test net
 * registered as a "deblur" model with unit-range normalisation, so its output is known analytically), the
 * Richardson–Lucy path keeping the input's type, and clear errors for a missing model.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../progress';
import { deblurImage, type DeblurInput } from './index';
import { gaussianBlur } from './richardson-lucy';
import { scene, standInModels } from './test-support';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deblur-'));
  await standInModels(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const u8 = (width: number, height: number, data: Float32Array): DeblurInput => ({ width, height, data, meta: { sampleType: 'uint8', bitsPerSample: 8 } });

describe('deblurImage, CNN methods', () => {
  it('normalises to unit range, runs the model in tiles, maps back and rounds to 8-bit', async () => {
    const img = u8(70, 50, new Float32Array(70 * 50).fill(77));
    const fractions: number[] = [];
    const ctx = quietContext();
    ctx.progress.report = (f) => void fractions.push(f);
    const res = await deblurImage(img, { method: 'midnet', modelsDir: dir, providers: ['cpu'], tile: 32, overlap: 8 }, ctx);
    expect(res.model?.id).toBe('midnet-s');
    expect(res.model?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.executionProvider).toBe('cpu');
    expect(res.parameters.tiles).toBeGreaterThan(1);
    expect(res.data[25 * 70 + 35]).toBe(128);
    expect(res.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(img.data[0]).toBe(77); // input untouched
  });

  it('says in the result which provider ran when the first one could not be used', async () => {
    const res = await deblurImage(u8(32, 32, new Float32Array(1024).fill(90)), { method: 'midnet', modelsDir: dir, providers: ['nonesuch', 'cpu'] }, quietContext());
    expect(res.executionProvider).toBe('cpu');
    expect(res.messages.find((m) => m.startsWith('Model "midnet-s" ran on the CPU: nonesuch'))).toMatch(/\(details: nonesuch: .+\)\.$/);
  });

  it('keeps float images float (min–max unit range, no rounding)', async () => {
    const img: DeblurInput = { width: 40, height: 40, data: Float32Array.from({ length: 1600 }, (_, i) => (i % 40) * 0.01 - 0.1), meta: { sampleType: 'float32', bitsPerSample: 32 } };
    const res = await deblurImage(img, { method: 'midnet', modelsDir: dir, providers: ['cpu'] }, quietContext());
    // Unit range of a float image is its min–max; the mapped-back output is fractional and unclipped.
    expect(res.data.some((v) => !Number.isInteger(v))).toBe(true);
    expect(res.clippedPixels).toBe(0);
  });

  it("uses a model from the user's models folder when no folder is given (Note: Two model folders)", async () => {
    const user = await mkdtemp(join(tmpdir(), 'deblur-user-'));
    await standInModels(user);
    const man = JSON.parse(await readFile(join(user, 'manifest.json'), 'utf8'));
    man.models[0].id = 'midnet-s-ft-test';
    await writeFile(join(user, 'manifest.json'), JSON.stringify(man));
    const before = process.env.LAB_USER_MODELS_DIR;
    process.env.LAB_USER_MODELS_DIR = user;
    try {
      const res = await deblurImage(u8(32, 32, new Float32Array(1024).fill(60)), { method: 'midnet', modelId: 'midnet-s-ft-test', providers: ['cpu'] }, quietContext());
      expect(res.data[16 * 32 + 16]).toBe(128); // the stand-in's flat-image answer (test-support.ts)
      await expect(deblurImage(u8(32, 32, new Float32Array(1024)), { method: 'midnet', modelId: 'nonesuch-ft', providers: ['cpu'] }, quietContext())).rejects.toThrowError(
        new RegExp(`your models folder ${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    } finally {
      if (before === undefined) delete process.env.LAB_USER_MODELS_DIR;
      else process.env.LAB_USER_MODELS_DIR = before;
      await rm(user, { recursive: true, force: true });
    }
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(deblurImage(u8(64, 64, new Float32Array(4096)), { method: 'midnet', modelsDir: dir, providers: ['cpu'] }, quietContext(ac.signal))).rejects.toThrowError(/cancelled/);
  });

  it('names the missing model and the manifest', async () => {
    await expect(deblurImage(u8(16, 16, new Float32Array(256)), { method: 'nafnet', modelsDir: dir }, quietContext())).rejects.toThrowError(
      /needs model "nafnet-s".*manifest\.json has no entry/,
    );
  });
});

describe('deblurImage, Richardson–Lucy', () => {
  it('estimates σ, sharpens, and returns rounded 8-bit values with clipping counted', async () => {
    const W = 128, H = 96;
    const sharp = scene(W, H, 7);
    const blurry = Float32Array.from(await gaussianBlur(sharp, W, H, 1.8), Math.round);
    const res = await deblurImage(u8(W, H, blurry), { method: 'richardson-lucy' }, quietContext());
    expect(res.psfEstimate?.sigma).toBeGreaterThan(1.4);
    expect(res.psfEstimate?.sigma).toBeLessThan(2.2);
    expect(res.parameters.iterations).toBe(30);
    expect(res.model).toBeNull();
    expect(res.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    const err = (a: Float32Array) => a.reduce((s, v, i) => s + (v - sharp[i]) ** 2, 0);
    expect(err(res.data)).toBeLessThan(0.8 * err(blurry));
  });
});
