/**
 * The tiled runner (tiling.ts) against the same model run on the whole image at once. The model is
 * test/fixtures/models/tiling-test.onnx (training/fixtures/make_tiling_test_model.py): a 5×5 convolution
 * of `ref` and another of `def`, stacked as `flow`, so every output pixel depends on its 5×5 neighbourhood
 * only and a correct tiler reproduces the whole-image output wherever no image border is within 2 px.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProgress, quietContext } from '../progress';
import { createSession, type CreatedSession } from './session';
import { axisWeights, planAxis, runTiled } from './tiling';

const MODEL = path.resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiling-test.onnx');
let created: CreatedSession;

beforeAll(async () => {
  created = await createSession(MODEL, { providers: ['cpu'] });
});
afterAll(async () => {
  await created?.session.release();
});

function randomImage(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 4 - 2;
  }
  return x;
}

async function whole(ref: Float32Array, def: Float32Array, w: number, h: number): Promise<Float32Array> {
  const out = await created.session.run({
    ref: new ort.Tensor('float32', ref, [1, 1, h, w]),
    def: new ort.Tensor('float32', def, [1, 1, h, w]),
  });
  return out.flow.data as Float32Array;
}

describe('planAxis and axisWeights', () => {
  it('covers the axis with stride-aligned tiles overlapping by at least the overlap', () => {
    for (const n of [65, 100, 500, 513, 520, 1000, 2049, 4096]) {
      const { starts, length } = planAxis(n, 512, 64, 16);
      const padded = Math.ceil(n / 16) * 16;
      if (padded <= 512) {
        expect(starts).toEqual([0]);
        expect(length).toBe(n);
        continue;
      }
      expect(length % 16).toBe(0);
      expect(length).toBeLessThanOrEqual(512);
      for (const s of starts) expect(s % 16).toBe(0);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + length).toBe(padded); // the last tile ends in the mirror padding, if any
      for (let i = 1; i < starts.length; i++) expect(starts[i - 1] + length - starts[i]).toBeGreaterThanOrEqual(64);
    }
  });

  it('gives weights that are 0 in the guard band, 1 inside, and sum to 1 over an exact overlap', () => {
    const a = axisWeights(64, 16, false, true);
    const b = axisWeights(64, 16, true, false);
    expect(a[0]).toBe(1);
    expect(a.at(-1)).toBe(0);
    expect(b[0]).toBe(0);
    // Tiles at 0 and 48 overlap by exactly 16 px: a[48 + i] + b[i] = 1.
    for (let i = 0; i < 16; i++) expect(a[48 + i] + b[i]).toBeCloseTo(1, 6);
  });
});

describe('runTiled', () => {
  it.each([
    [203, 150, 64, 16],
    [130, 301, 64, 16],
    [64, 37, 64, 16], // one tile, padded to the stride
    [257, 255, 96, 32],
  ])('matches the whole-image output on %i×%i (tile %i, overlap %i) away from the border', async (w, h, tile, overlap) => {
    const ref = randomImage(w * h, 1);
    const def = randomImage(w * h, 2);
    const want = await whole(ref, def, w, h);
    const reports: number[] = [];
    const ctx = { signal: new AbortController().signal, progress: makeProgress((f) => reports.push(f)) };
    // Stride 8 makes every size here need padding somewhere, which the model (stride 1) does not mind.
    const got = await runTiled(created.session, [ref, def], w, h, { inputNames: ['ref', 'def'], outputName: 'flow', tile, overlap, stride: 8 }, ctx);
    expect(got.channels).toHaveLength(2);
    let worst = 0;
    let worstBorder = 0;
    for (let c = 0; c < 2; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const e = Math.abs(got.channels[c][y * w + x] - want[(c * h + y) * w + x]);
          // The whole-image run zero-pads at the image border; a padded tile mirrors there instead.
          if (x >= 2 && y >= 2 && x < w - 2 && y < h - 2) worst = Math.max(worst, e);
          else worstBorder = Math.max(worstBorder, e);
        }
      }
    }
    console.log(`tiled ${w}×${h}, tile ${tile}, overlap ${overlap}: ${got.tiles} tiles, max |tiled − whole| ${worst.toExponential(2)} inside, ${worstBorder.toExponential(2)} within 2 px of the border`);
    expect(worst).toBeLessThan(1e-5);
    expect(reports.at(-1)).toBe(1);
    expect(reports).toHaveLength(got.tiles);
  });

  it('runs an image that is one tile with stride-multiple sides as it is: the whole-image output, border included', async () => {
    const [w, h] = [64, 48];
    const ref = randomImage(w * h, 5);
    const def = randomImage(w * h, 6);
    const want = await whole(ref, def, w, h);
    const reports: number[] = [];
    const ctx = { signal: new AbortController().signal, progress: makeProgress((f) => reports.push(f)) };
    const got = await runTiled(created.session, [ref, def], w, h, { inputNames: ['ref', 'def'], outputName: 'flow', tile: 64, overlap: 16, stride: 8 }, ctx);
    expect(got.tiles).toBe(1);
    expect(got.channels).toHaveLength(2);
    for (let c = 0; c < 2; c++) expect(got.channels[c]).toEqual(want.subarray(c * w * h, (c + 1) * w * h));
    expect(reports).toEqual([1]);
    // The inputs are the caller's arrays, handed to the model unchanged.
    expect(ref).toEqual(randomImage(w * h, 5));
  });

  it('stops between tiles when the signal fires', async () => {
    const [w, h] = [300, 300];
    const ref = randomImage(w * h, 3);
    const controller = new AbortController();
    let tilesRun = 0;
    const progress = makeProgress(() => {
      tilesRun++;
      controller.abort();
    });
    const err = await runTiled(created.session, [ref, ref], w, h, { inputNames: ['ref', 'def'], outputName: 'flow', tile: 64, overlap: 16, stride: 8 }, { signal: controller.signal, progress }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(tilesRun).toBe(1);
  });

  it('refuses a tile smaller than twice the overlap, and an unknown output name', async () => {
    const x = randomImage(100 * 100, 4);
    const req = { inputNames: ['ref', 'def'], outputName: 'flow', tile: 60, overlap: 32, stride: 8 };
    await expect(runTiled(created.session, [x, x], 100, 100, req, quietContext())).rejects.toThrow(/at least twice the overlap 32 px plus two strides/);
    await expect(runTiled(created.session, [x, x], 100, 100, { ...req, tile: 64, overlap: 8, outputName: 'nope' }, quietContext())).rejects.toThrow(/no output "nope"/);
  });
});
