/**
 * The CNN trackers (cnn.ts) through `trackField`: the plumbing with a stand-in model (tiling-test
 * registered as a tracker in a temporary models folder), the errors for missing or unsuitable models, the
 * warp-back quality, and, for each shipped tracker, recovery of a synthetic constant shift. A tracker whose
 * file is not shipped yet is skipped with a message naming the missing file, never passed.
 */
import { rm } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { normaliseImage } from '../infer/normalise';
import { disposeAll } from '../infer/session-pool';
import { quietContext } from '../progress';
import { simulatePair } from '../synth';
import { trackCnn } from './cnn';
import { warpBackZncc } from './cnn-quality';
import { formatErrors, shiftErrors, shippedModel, testModelsDir } from './cnn-test-support';
import { trackField } from './track-field';

let dir: string;
beforeAll(async () => {
  dir = await testModelsDir([
    {
      id: 'ghost-s',
      task: 'displacement',
      file: 'ghost-s.onnx',
      sha256: '0'.repeat(64),
      bytes: 1,
      opset: 17,
      inputs: [{ name: 'ref', layout: 'NCHW', dtype: 'float32', shape: ['N', 1, 'H', 'W'] }, { name: 'def', layout: 'NCHW', dtype: 'float32', shape: ['N', 1, 'H', 'W'] }],
      outputs: [{ name: 'flow', layout: 'NCHW', dtype: 'float32', shape: ['N', 2, 'H', 'W'] }],
      normalisation: { kind: 'per-image-meanstd', eps: 1e-6 },
      training: { command: 'python3 -m training.ghost --export', hardware: 'none' },
      metrics: {},
      params: 1,
    },
  ]);
});
afterAll(async () => {
  await disposeAll();
  await rm(dir, { recursive: true, force: true });
});

const pairOf = (w: number, h: number, ux: number, uy: number, seed = 7, noise: { kind: 'none' } | { kind: 'poisson'; photons: number } = { kind: 'none' }) =>
  simulatePair({ width: w, height: h, speckleSize: 4, noise, field: { kind: 'constant', ux, uy }, seed }, quietContext());

describe('trackCnn plumbing (stand-in model)', () => {
  it('returns the model output inside the ROI, NaN outside, with model, sha256 and provider recorded', async () => {
    const pair = await pairOf(200, 150, 1.5, -0.5);
    const roi = { kind: 'rect' as const, x: 30, y: 20, width: 120, height: 90 };
    const field = await trackCnn(pair.reference, pair.deformed, { modelId: 'tiling-test', roi, modelsDir: dir, providers: ['cpu'], method: 'cnn-dic', step: 4 }, quietContext());
    expect(field).toMatchObject({ method: 'cnn-dic', modelId: 'tiling-test', provider: 'cpu', width: 200, height: 150 });
    expect(field.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(field.grid).toEqual({ x0: 30, y0: 20, step: 1, nx: 120, ny: 90 });
    expect(field.messages.join(' ')).toMatch(/grid step 4 was not used/);
    expect(Number.isNaN(field.u[5 * 200 + 5])).toBe(true);
    expect(Number.isNaN(field.u[20 * 200 + 29])).toBe(true);
    // The stand-in computes u = conv(ref'), v = conv(def') of the normalised images: compare with a
    // whole-image run (context around the ROI reaches the image border here, so no tile edge is involved).
    const session = await ort.InferenceSession.create(`${dir}/tiling-test.onnx`);
    const norm = { kind: 'per-image-meanstd' as const, eps: 1e-6 };
    const t = (d: Float32Array) => new ort.Tensor('float32', normaliseImage(d, norm).data, [1, 1, 150, 200]);
    const flow = (await session.run({ ref: t(pair.reference.data), def: t(pair.deformed.data) })).flow.data as Float32Array;
    await session.release();
    let worst = 0;
    let compared = 0;
    let withQuality = 0;
    for (let y = 20; y < 110; y++) {
      for (let x = 30; x < 150; x++) {
        const k = y * 200 + x;
        if (!Number.isFinite(field.u[k])) continue;
        compared++;
        worst = Math.max(worst, Math.abs(field.u[k] - flow[k]), Math.abs(field.v[k] - flow[150 * 200 + k]));
        if (Math.abs(field.quality[k]) <= 1) withQuality++;
      }
    }
    expect(compared).toBeGreaterThan(0.95 * 120 * 90);
    expect(field.valid).toBe(compared);
    expect(withQuality).toBe(compared); // the quality window at the ROI's edge sees the context beyond it
    expect(worst).toBeLessThan(1e-5);
  });

  it('names the model id, the expected file and the manifest when the model is not listed', async () => {
    const pair = await pairOf(64, 64, 0, 0);
    const err = await trackField([pair.reference], [pair.deformed], { method: 'cnn-dic', options: { model: 'nonesuch-s' }, step: 1 }, quietContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('E_NOT_FOUND');
    expect((err as LabError).message).toMatch(/model "nonesuch-s".*nonesuch-s\.onnx.*manifest\.json has no entry/);
  });

  it('names the missing file and the command that produces it', async () => {
    const pair = await pairOf(64, 64, 0, 0);
    const err = await trackCnn(pair.reference, pair.deformed, { modelId: 'ghost-s', modelsDir: dir, providers: ['cpu'] }, quietContext()).catch((e: unknown) => e);
    expect((err as LabError).code).toBe('E_NOT_FOUND');
    expect((err as LabError).message).toMatch(/"ghost-s" should be at .*ghost-s\.onnx.*missing.*python3 -m training\.ghost --export/);
  });

  it('refuses a model that is not a tracker, and options a CNN method does not have', async () => {
    const pair = await pairOf(64, 64, 0, 0);
    const err = await trackCnn(pair.reference, pair.deformed, { modelId: 'selftest', modelsDir: dir }, quietContext()).catch((e: unknown) => e);
    expect((err as LabError).message).toMatch(/cannot be used as a displacement tracker/);
    await expect(trackField([pair.reference], [pair.deformed], { method: 'cnn-xst', options: { search: 3 } as never, step: 1 }, quietContext())).rejects.toThrow(/no option "search"/);
  });
});

describe('warp-back quality', () => {
  it('is near 1 for the true field and drops for a field one speckle off', async () => {
    const pair = await pairOf(128, 128, 2.3, -1.2, 3, { kind: 'poisson', photons: 2000 });
    const n = 128 * 128;
    const at = (u0: number, v0: number) => {
      const q = warpBackZncc(pair.reference.data, pair.deformed.data, 128, 128, new Float32Array(n).fill(u0), new Float32Array(n).fill(v0), 15);
      const inner: number[] = [];
      for (let y = 20; y < 108; y++) for (let x = 20; x < 108; x++) inner.push(q[y * 128 + x]);
      return inner.reduce((a, b) => a + b, 0) / inner.length;
    };
    const right = at(2.3, -1.2);
    const half = at(2.8, -1.2);
    const wrong = at(6.3, -1.2);
    console.log(`warp-back ZNCC (window 15): true field ${right.toFixed(4)}, 0.5 px off ${half.toFixed(4)}, 4 px off ${wrong.toFixed(4)}`);
    expect(right).toBeGreaterThan(0.95);
    expect(half).toBeLessThan(right);
    expect(wrong).toBeLessThan(0.3);
  });

  it('over a box equals the whole-image map cut to that box, where the box holds the whole window', async () => {
    const pair = await pairOf(96, 80, 1.4, -0.6, 3, { kind: 'poisson', photons: 2000 });
    const [W, H] = [96, 80];
    const field = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
    const u = field(W * H, (i) => 1.4 + 0.3 * Math.sin(i / 97));
    const v = field(W * H, (i) => -0.6 + 0.2 * Math.cos(i / 53));
    const whole = warpBackZncc(pair.reference.data, pair.deformed.data, W, H, u, v, 9);
    const box = { x0: 20, y0: 16, x1: 70, y1: 60 };
    const bw = box.x1 - box.x0;
    const cut = (a: Float32Array) => field(bw * (box.y1 - box.y0), (c) => a[(box.y0 + Math.floor(c / bw)) * W + box.x0 + (c % bw)]);
    const part = warpBackZncc(pair.reference.data, pair.deformed.data, W, H, cut(u), cut(v), 9, box);
    let compared = 0;
    for (let y = box.y0 + 4; y < box.y1 - 4; y++) {
      for (let x = box.x0 + 4; x < box.x1 - 4; x++, compared++) {
        expect(part[(y - box.y0) * bw + x - box.x0]).toBeCloseTo(whole[y * W + x], 4);
      }
    }
    expect(compared).toBeGreaterThan(1000);
    const ac = new AbortController();
    ac.abort();
    expect(() => warpBackZncc(pair.reference.data, pair.deformed.data, W, H, cut(u), cut(v), 9, box, ac.signal)).toThrow(/cancelled/);
  });
});

/**
 * Constant shifts on 256² clean speckle (4 px), errors over points 24 px inside the border. Tolerances are
 * set from what the shipped models achieve here (printed), with margin, and still fail on any plumbing
 * error (u and v swapped, a sign flipped, a zero or unscaled output all miss by more than the shift):
 * - cade-xst-s (sha256 0c15881b…) with its defaults, 3 passes and 8 orientations (Notes: CNN refinement
 *   passes, cnn-warp.ts; Symmetry averaging, cnn-symmetry.ts): see the printed figures; one pass without
 *   averaging had bias +0.16 px; bounds 0.02 / 0.03 px.
 * - dicnet-s (light form, sha256 3757973a…, trained on from the full form's weights) with its
 *   defaults, 3 passes and 8 orientations: bias u −0.008, v +0.000 px, RMSE 0.049, 0.046 px; bounds 0.05 px
 *   bias, 0.12 px RMSE. (The full-form stage-2 model: bias −0.001 / +0.006, RMSE 0.072 / 0.069 px; the
 *   stage-1 model in one pass: bias up to 0.21 px, RMSE 0.24 px.)
 */
const SHIFT_CASES = [
  { id: 'dicnet-s', method: 'cnn-dic' as const, shift: [6.2, -3.7] as const, maxBias: 0.05, maxRmse: 0.12 },
  { id: 'cade-xst-s', method: 'cnn-xst' as const, shift: [0.4, -0.3] as const, maxBias: 0.02, maxRmse: 0.03 },
];

describe.each(SHIFT_CASES)('shipped tracker $id', ({ id, method, shift, maxBias, maxRmse }) => {
  it(`recovers a constant shift of (${shift[0]}, ${shift[1]}) px on 256²`, async (t) => {
    const m = await shippedModel(id);
    if (m.missing) {
      console.log(`SKIPPED ${id}: ${m.missing}`);
      t.skip(`${id} not shipped: ${m.missing}`);
      return;
    }
    const pair = await pairOf(256, 256, shift[0], shift[1], 11);
    const field = await trackField([pair.reference], [pair.deformed], { method, step: 1 }, quietContext());
    const e = shiftErrors(field, shift[0], shift[1], 24);
    let q = 0, nq = 0;
    for (const x of field.quality) if (Number.isFinite(x)) (q += x), nq++;
    console.log(`${method} (${id}, ${field.provider}) shift (${shift[0]}, ${shift[1]}): ${formatErrors(e)}; mean quality ${(q / nq).toFixed(3)}; ${field.timingsMs.total} ms`);
    expect(field.modelId).toBe(id);
    expect(e.valid).toBeGreaterThan(0.99);
    expect(Math.abs(e.biasU)).toBeLessThan(maxBias);
    expect(Math.abs(e.biasV)).toBeLessThan(maxBias);
    expect(e.rmseU).toBeLessThan(maxRmse);
    expect(e.rmseV).toBeLessThan(maxRmse);
  }, 120_000);
});

/**
 * Refinement passes (Note: CNN refinement passes, cnn-warp.ts) on the shift where cade-xst-s is most biased
 * (about +0.2 px at 0.7 px, bench cnn / CADE protocol), with Poisson noise as in that protocol. Three passes
 * must remove most of the bias without adding noise beyond the single-pass level at small shifts.
 */
describe('shipped tracker cade-xst-s with refinement passes', () => {
  it('removes the bias at a 0.7 px shift', async (t) => {
    const m = await shippedModel('cade-xst-s');
    if (m.missing) {
      console.log(`SKIPPED cade-xst-s passes: ${m.missing}`);
      t.skip(`cade-xst-s not shipped: ${m.missing}`);
      return;
    }
    const pair = await pairOf(256, 256, 0.7, -0.2, 5, { kind: 'poisson', photons: 10_000 });
    const run = (passes: number) => trackField([pair.reference], [pair.deformed], { method: 'cnn-xst', options: { passes, symmetry: 1 }, step: 1 }, quietContext());
    const one = shiftErrors(await run(1), 0.7, -0.2, 16);
    const three = shiftErrors(await run(3), 0.7, -0.2, 16);
    console.log(`cnn-xst 0.7 px: 1 pass ${formatErrors(one)}; 3 passes ${formatErrors(three)}`);
    expect(Math.abs(one.biasU)).toBeGreaterThan(0.08); // the bias the passes are for (fails if a retrained model lost it: then revisit the default)
    expect(Math.abs(three.biasU)).toBeLessThan(0.04);
    expect(Math.abs(three.biasV)).toBeLessThan(0.04);
    expect(three.rmseU).toBeLessThan(0.06);
    expect(three.valid).toBeGreaterThan(0.99);
  }, 120_000);

  it('averages 8 orientations on the last pass: lower noise, no new bias (Note: Symmetry averaging)', async (t) => {
    const m = await shippedModel('cade-xst-s');
    if (m.missing) {
      console.log(`SKIPPED cade-xst-s symmetry: ${m.missing}`);
      t.skip(`cade-xst-s not shipped: ${m.missing}`);
      return;
    }
    const pair = await pairOf(256, 256, 0.35, 0.55, 9, { kind: 'poisson', photons: 10_000 });
    const run = (symmetry: number) => trackField([pair.reference], [pair.deformed], { method: 'cnn-xst', options: { passes: 3, symmetry }, step: 1 }, quietContext());
    const one = shiftErrors(await run(1), 0.35, 0.55, 16);
    const eight = shiftErrors(await run(8), 0.35, 0.55, 16);
    console.log(`cnn-xst 3 passes: symmetry 1 ${formatErrors(one)}; symmetry 8 ${formatErrors(eight)}`);
    // A sign or axis mix-up in mapping an orientation back would show as a bias of the order of the shift.
    expect(Math.abs(eight.biasU)).toBeLessThan(0.02);
    expect(Math.abs(eight.biasV)).toBeLessThan(0.02);
    expect(eight.rmseU).toBeLessThan(0.7 * one.rmseU);
    expect(eight.rmseV).toBeLessThan(0.7 * one.rmseV);
  }, 120_000);
});

/**
 * Seams: the default 512 px tiles against one tile over the whole 1100×1000 image. A purely convolutional
 * model (cade-xst-s) differs only where a tile's context was cut, inside the blended overlaps (measured:
 * max 0.004 px, mean 5e-5 px); dicnet-s also pools its channel attention over whatever input it is given,
 * so its tiles differ everywhere a little (early build: max 0.27 px, mean 0.024 px).
 */
const SEAM_CASES = [
  { id: 'dicnet-s', method: 'cnn-dic' as const, amplitude: 3, maxMean: 0.06, maxMax: 0.6 },
  { id: 'cade-xst-s', method: 'cnn-xst' as const, amplitude: 0.5, maxMean: 0.001, maxMax: 0.02 },
];

describe.each(SEAM_CASES)('shipped tracker $id by tiles', ({ id, method, amplitude, maxMean, maxMax }) => {
  it('gives nearly the same field in 512 px tiles as in one tile (seams)', async (t) => {
    const m = await shippedModel(id);
    if (m.missing) {
      console.log(`SKIPPED ${id} tiling: ${m.missing}`);
      t.skip(`${id} not shipped: ${m.missing}`);
      return;
    }
    const [w, h] = [1100, 1000];
    const pair = await simulatePair(
      { width: w, height: h, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'sine', amplitude, period: 250 }, seed: 13 },
      quietContext(),
    );
    const run = (tile: number) => trackField([pair.reference], [pair.deformed], { method, options: { tile }, step: 1 }, quietContext());
    const tiled = await run(512);
    const whole = await run(2048);
    let worst = 0;
    let sum = 0;
    let n = 0;
    for (let y = 32; y < h - 32; y++) {
      for (let x = 32; x < w - 32; x++) {
        const k = y * w + x;
        const d = Math.max(Math.abs(tiled.u[k] - whole.u[k]), Math.abs(tiled.v[k] - whole.v[k]));
        if (!Number.isFinite(d)) continue;
        worst = Math.max(worst, d);
        sum += d;
        n++;
      }
    }
    console.log(`${id}: ${w}×${h} in 512 px tiles vs one tile: max |Δ| ${worst.toFixed(4)} px, mean |Δ| ${(sum / n).toFixed(5)} px (${tiled.timingsMs.infer} ms tiled, ${whole.timingsMs.infer} ms whole)`);
    expect(sum / n).toBeLessThan(maxMean);
    expect(worst).toBeLessThan(maxMax);
  }, 300_000);
});
