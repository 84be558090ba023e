/**
 * The USRNet loop's glue (hyper-parameters, iterations, tiled prior, normalisation, progress,
 * cancellation) on stand-in models (test-support.ts): with an identity prior the loop must equal K exact
 * data steps with the stand-in's α_k; and, when the training helper's fixture is present, the loop with
 * the trained models against PyTorch (test/fixtures/sr/usrnet-e2e/golden.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, modelsDir } from '../../infer/manifest';
import { makeProgress, quietContext } from '../../progress';
import { gaussianKernel, makeKernel } from '../../synth/kernels';
import { dataStep, degrade, prepareDataStep, upsampleNearest } from './data-step';
import { STUB_ALPHAS, srScene, srStandInModels } from './test-support';
import { openUsrnet, runUsrnetLoop, usrnetSuperResolve, type UsrnetModels } from './usrnet';

let dir: string;
let stub: UsrnetModels;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usrnet-'));
  await srStandInModels(dir);
  stub = await openUsrnet({ modelsDir: dir, providers: ['cpu'] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('USRNet loop on stand-in models', () => {
  it('equals K exact data steps when the prior is the identity; α from the hyper-parameter net', async () => {
    const W = 40, H = 30, s = 2;
    const x = Float64Array.from(srScene(W, H), (v) => v / 255);
    const k = gaussianKernel(1.2, 9);
    const y = degrade(x, W, H, k, s);
    const fractions: number[] = [];
    const r = await runUsrnetLoop(stub, y.data, y.width, y.height, k, s, 0, { signal: new AbortController().signal, progress: makeProgress((f) => fractions.push(f)) });
    expect(r.alphas.map((a) => Math.fround(a))).toEqual(STUB_ALPHAS.map((a) => Math.fround(a)));
    expect([r.width, r.height]).toEqual([W, H]);
    const setup = prepareDataStep(y.data, y.width, y.height, k, s);
    let z: ArrayLike<number> = upsampleNearest(y.data, y.width, y.height, s);
    for (const a of r.alphas) z = Float32Array.from(dataStep(setup, z, a)); // the prior runs in float32
    let worst = 0;
    for (let i = 0; i < W * H; i++) worst = Math.max(worst, Math.abs(r.x[i] - z[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
  });

  it('tiles the prior on large images without changing an identity prior, and maps grey levels back', async () => {
    const W = 150, H = 90, s = 3;
    const lr = srScene(W, H);
    const k = makeKernel(1, 1, [1], 'identity kernel');
    const r = await usrnetSuperResolve(stub, { width: W, height: H, data: lr }, { sampleType: 'uint8', bitsPerSample: 8 }, k, s, 2.55, quietContext(), { tile: 128, overlap: 32 });
    expect(r.tilesPerIteration).toBeGreaterThan(4);
    expect(r.sigma01).toBeCloseTo(0.01, 12);
    // Identity blur + identity prior: the samples y sit unchanged at [0::s, 0::s] of the result.
    let worst = 0;
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) worst = Math.max(worst, Math.abs(r.data[i * s * W * s + j * s] - lr[i * W + j]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('stops on cancel', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(runUsrnetLoop(stub, new Float64Array(64), 8, 8, gaussianKernel(1, 5), 2, 0, { signal: ac.signal, progress: makeProgress(() => {}) })).rejects.toThrowError(/cancelled/);
  });
});

/**
 * Golden from the training helper: the PyTorch USRNet loop on a small image, with its inputs. Layout as
 * its "notes" describe; read tolerantly so that a field renamed there fails loudly here.
 */
const E2E = resolve(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sr', 'usrnet-e2e');
const HAVE_E2E = existsSync(join(E2E, 'golden.json'));
describe.skipIf(!HAVE_E2E)(`USRNet loop vs PyTorch golden ${HAVE_E2E ? '' : `(SKIPPED: ${join(E2E, 'golden.json')} is absent; written by training/export_sr.py)`}`, () => {
  it('reproduces the first data step (1e-5) and the full loop (1e-3 max abs)', async () => {
    const { runUsrnetGolden } = await import('./golden-support');
    const manifest = await loadManifest(modelsDir());
    const r = await runUsrnetGolden(E2E, manifest);
    console.log(`usrnet e2e golden: first data step max |Δ| ${r.firstStep.toExponential(2)}, loop max |Δ| ${r.loop.toExponential(2)} (${r.note})`);
    expect(r.firstStep).toBeLessThan(1e-5);
    expect(r.loop).toBeLessThan(1e-3);
  }, 300_000);
});
