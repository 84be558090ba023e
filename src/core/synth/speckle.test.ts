import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { quietContext } from '../progress';
import { invertPoint, makeField } from './fields';
import { MappedScratch, renderBandMapped, renderBandShifted } from './render';
import { simulatePair } from './simulate-pair';
import { makeSpeckleModel, spotSumAt } from './speckle';
import { measureSpeckleSize } from './speckle-size';

describe('makeSpeckleModel', () => {
  it.each([1.9, 10.5, 0, Number.NaN, -4])('rejects the speckle size %s with a sentence naming the range', (s) => {
    expect(() => makeSpeckleModel(s, 1)).toThrow(LabError);
    expect(() => makeSpeckleModel(s, 1)).toThrow(/2–10 px/);
  });
  it('accepts the ends of the range', () => {
    expect(makeSpeckleModel(2, 1).sigmaBlob).toBeGreaterThan(0.4);
    expect(makeSpeckleModel(10, 1).sigmaEff).toBeGreaterThan(2.5);
  });
});

describe('renderers agree with the point evaluator', () => {
  const model = makeSpeckleModel(3, 77);
  const W = 48;
  it('shifted path: pixel (x, y) = spot sum at (x − ux, y − uy)', () => {
    const ux = 0.3;
    const uy = -1.7;
    const acc = new Float64Array(16 * W);
    renderBandShifted(model, W, 5, 21, ux, uy, acc);
    let worst = 0;
    for (let y = 5; y < 21; y++) {
      for (let x = 0; x < W; x++) worst = Math.max(worst, Math.abs(acc[(y - 5) * W + x] - spotSumAt(model, x - ux, y - uy)));
    }
    expect(worst).toBeLessThan(1e-12);
  });
  it('mapped path: pixel y = spot sum at X(y) with the pulled-back pixel response', () => {
    const field = makeField({ kind: 'sine', amplitude: 1.2, period: 17 }, W, 40, 1);
    const acc = new Float64Array(8 * W);
    renderBandMapped(model, field, W, 30, 38, acc, new MappedScratch());
    const e = new Float64Array(8);
    let worst = 0;
    for (let y = 30; y < 38; y++) {
      for (let x = 0; x < W; x++) {
        invertPoint(field, x, y, x, y, e);
        const expected = spotSumAt(model, e[6], e[7], [e[2], e[3], e[4], e[5]]);
        worst = Math.max(worst, Math.abs(acc[(y - 30) * W + x] - expected));
      }
    }
    // Newton from a different guess lands within its 1e-9 px tolerance of the renderer's X, not bit-equal.
    expect(worst).toBeLessThan(1e-8);
  });
  it('mapped path with a zero Jacobian equals the shifted path', () => {
    // A constant field not flagged as constant forces the general path.
    const c = { ...makeField({ kind: 'constant', ux: 0.25, uy: 0.5 }, W, 40, 1), constant: null };
    const a = new Float64Array(8 * W);
    const b = new Float64Array(8 * W);
    renderBandMapped(model, c, W, 0, 8, a, new MappedScratch());
    renderBandShifted(model, W, 0, 8, 0.25, 0.5, b);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('speckle size', () => {
  // Requested vs measured (FWHM of the autocorrelation peak of the noise-free reference, speckle-size.ts).
  it.each([
    [2, 256],
    [4, 384],
    [8, 512],
  ])('measures close to the requested %s px', async (size, side) => {
    const sizes: number[] = [];
    for (const seed of [1, 2]) {
      const pair = await simulatePair(
        { width: side, height: side, speckleSize: size, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0, uy: 0 }, seed },
        quietContext(),
      );
      sizes.push(measureSpeckleSize(pair.reference).size);
    }
    const mean = sizes.reduce((a, b) => a + b) / sizes.length;
    console.log(`speckle size requested ${size} px, measured ${sizes.map((s) => s.toFixed(3)).join(', ')} px`);
    expect(Math.abs(mean / size - 1)).toBeLessThan(0.05);
  });
  it('measures the FWHM of a known Gaussian autocorrelation', () => {
    // A separable cosine pattern has autocovariance cos(2πk/P) per axis; its half point is at P/6.
    const W = 240;
    const P = 24;
    const data = new Float32Array(W * W);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) data[y * W + x] = Math.cos((2 * Math.PI * x) / P) + Math.cos((2 * Math.PI * y) / P);
    const m = measureSpeckleSize({ width: W, height: W, data });
    // The autocovariance along x is (cos(2πk/P) + 1)/2 here; it crosses 1/2 at k = P/4.
    expect(m.sizeX).toBeCloseTo(P / 2, 0);
    expect(m.sizeY).toBeCloseTo(P / 2, 0);
  });
});

describe('grey levels', () => {
  it('look like a DIC speckle image: mean ≈ 0.47·255, broad histogram, inside 0–255 without clipping', async () => {
    const pair = await simulatePair(
      { width: 256, height: 256, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0, uy: 0 }, seed: 5 },
      quietContext(),
    );
    const d = pair.reference.data;
    let s = 0;
    let s2 = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of d) {
      s += v;
      s2 += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const mean = s / d.length;
    const std = Math.sqrt(s2 / d.length - mean * mean);
    expect(mean).toBeGreaterThan(105);
    expect(mean).toBeLessThan(135);
    expect(std).toBeGreaterThan(35);
    expect(min).toBeGreaterThanOrEqual(25.5);
    expect(max).toBeLessThan(229.5);
  });
});
