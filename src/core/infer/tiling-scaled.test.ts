/**
 * The tiled runner's scaled-output mode (Note: Scaled output, tiling.ts) against the same model run on the
 * whole image. The model is test/fixtures/models/tiling-sr-test.onnx
 * (training/fixtures/make_tiling_sr_test_model.py): a 3×3 convolution to 9 channels and a pixel shuffle
 * by 3, so each output pixel depends on the 3×3 low-resolution neighbourhood only, and a correct tiler
 * reproduces the whole-image output wherever no image border is within 1 input px.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../progress';
import { createSession, type CreatedSession } from './session';
import { runTiled } from './tiling';

const MODEL = path.resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiling-sr-test.onnx');
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
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
}

describe('runTiled with outputScale', () => {
  for (const [w, h, stride] of [[150, 97, 1], [130, 70, 8]] as const) {
    it(`${w}×${h} (stride ${stride}) in several tiles equals the whole-image run ×3 away from the border`, async () => {
      const img = randomImage(w * h, w + h);
      const whole = (await created.session.run({ lr: new ort.Tensor('float32', img, [1, 1, h, w]) })).sr.data as Float32Array;
      const reports: number[] = [];
      const ctx = quietContext();
      ctx.progress = { report: (f) => reports.push(f), sub: () => ctx.progress };
      const tiled = await runTiled(created.session, [img], w, h, { inputNames: ['lr'], outputName: 'sr', tile: 48, overlap: 16, stride, outputScale: 3 }, ctx);
      expect(tiled.tiles).toBeGreaterThan(4);
      expect(reports.at(-1)).toBe(1);
      const W = 3 * w;
      const H = 3 * h;
      expect(tiled.channels[0].length).toBe(W * H);
      let worst = 0;
      for (let r = 3; r < H - 3; r++) {
        for (let c = 3; c < W - 3; c++) worst = Math.max(worst, Math.abs(tiled.channels[0][r * W + c] - whole[r * W + c]));
      }
      expect(worst).toBeLessThan(1e-5);
      for (const v of tiled.channels[0]) expect(Number.isFinite(v)).toBe(true);
    });
  }

  it('refuses a model whose output does not have the declared scale', async () => {
    const img = randomImage(40 * 40, 1);
    await expect(
      runTiled(created.session, [img], 40, 40, { inputNames: ['lr'], outputName: 'sr', tile: 512, overlap: 16, stride: 1, outputScale: 2 }, quietContext()),
    ).rejects.toThrowError(/expected \[1, C, 80, 80\]/);
  });
});
