import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { makeProgress, quietContext } from '../progress';
import { invertPoint, makeField } from './fields';
import { type FieldSpec, type NoiseSpec, type SimulatePairOptions, simulatePair } from './index';
import { greyAt, makeSpeckleModel } from './speckle';

const base: SimulatePairOptions = {
  width: 128,
  height: 96,
  speckleSize: 4,
  noise: { kind: 'none' },
  field: { kind: 'constant', ux: 0, uy: 0 },
  seed: 1,
};
const sim = (o: Partial<SimulatePairOptions>) => simulatePair({ ...base, ...o }, quietContext());

/** Cubic B-spline basis β³. */
function bspline3(t: number): number {
  const a = Math.abs(t);
  if (a < 1) return 2 / 3 - a * a + (a * a * a) / 2;
  if (a < 2) return (2 - a) ** 3 / 6;
  return 0;
}

/** In-place cubic B-spline prefilter of a 1D run (M. Unser, IEEE Signal Processing Magazine 16 (1999) 22–38). */
function prefilter(c: Float64Array, start: number, stride: number, n: number): void {
  const z = Math.sqrt(3) - 2;
  const at = (i: number) => start + i * stride;
  for (let i = 0; i < n; i++) c[at(i)] *= 6;
  let sum = 0;
  let zk = 1;
  for (let k = 0; k < Math.min(n, 30); k++, zk *= z) sum += zk * c[at(k)];
  c[at(0)] = sum;
  for (let i = 1; i < n; i++) c[at(i)] += z * c[at(i - 1)];
  c[at(n - 1)] = (z / (z * z - 1)) * (c[at(n - 1)] + z * c[at(n - 2)]);
  for (let i = n - 2; i >= 0; i--) c[at(i)] = z * (c[at(i + 1)] - c[at(i)]);
}

/** B-spline coefficients of an image: the test's own interpolator, far less biased than cubic convolution. */
function splineCoefficients(img: GreyImage): Float64Array {
  const c = Float64Array.from(img.data);
  for (let y = 0; y < img.height; y++) prefilter(c, y * img.width, 1, img.width);
  for (let x = 0; x < img.width; x++) prefilter(c, x, img.width, img.height);
  return c;
}

function splineAt(c: Float64Array, width: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  let s = 0;
  for (let j = -1; j <= 2; j++) {
    const wy = bspline3(y - (y0 + j));
    let row = 0;
    for (let i = -1; i <= 2; i++) row += bspline3(x - (x0 + i)) * c[(y0 + j) * width + x0 + i];
    s += wy * row;
  }
  return s;
}

/**
 * An estimator independent of the generator: whole-image Lucas–Kanade (Gauss–Newton) for one translation,
 * warping the deformed image back with cubic B-spline interpolation and using 4th-order central-difference
 * gradients of the reference. Since I_def(x) = I_ref(x − u), the residual I_def(x + p) − I_ref(x) vanishes
 * at p = u.
 */
function lucasKanadeShift(ref: GreyImage, def: GreyImage, margin: number): { ux: number; uy: number } {
  const { width: W, height: H, data: r } = ref;
  const pts: number[] = [];
  let hxx = 0;
  let hxy = 0;
  let hyy = 0;
  const gx = new Float64Array(W * H);
  const gy = new Float64Array(W * H);
  for (let y = margin; y < H - margin; y++) {
    for (let x = margin; x < W - margin; x++) {
      const i = y * W + x;
      gx[i] = (8 * (r[i + 1] - r[i - 1]) - (r[i + 2] - r[i - 2])) / 12;
      gy[i] = (8 * (r[i + W] - r[i - W]) - (r[i + 2 * W] - r[i - 2 * W])) / 12;
      hxx += gx[i] * gx[i];
      hxy += gx[i] * gy[i];
      hyy += gy[i] * gy[i];
      pts.push(i);
    }
  }
  const det = hxx * hyy - hxy * hxy;
  const coef = splineCoefficients(def);
  let ux = 0;
  let uy = 0;
  for (let it = 0; it < 100; it++) {
    let bx = 0;
    let by = 0;
    for (const i of pts) {
      const e = splineAt(coef, W, (i % W) + ux, Math.floor(i / W) + uy) - r[i];
      bx += gx[i] * e;
      by += gy[i] * e;
    }
    const dx = (hyy * bx - hxy * by) / det;
    const dy = (hxx * by - hxy * bx) / det;
    ux -= dx;
    uy -= dy;
    if (Math.hypot(dx, dy) < 1e-6) break;
  }
  return { ux, uy };
}

describe('simulatePair: reproducibility', () => {
  it('gives bit-identical images for the same seed, noise included', async () => {
    const o = { field: { kind: 'random-patches' } as FieldSpec, noise: { kind: 'poisson', photons: 300 } as NoiseSpec, seed: 12 };
    const a = await sim(o);
    const b = await sim(o);
    for (const k of ['reference', 'deformed', 'u', 'v'] as const) expect(a[k].data).toEqual(b[k].data);
    expect(JSON.stringify(a.description)).toBe(JSON.stringify(b.description));
    const c = await sim({ ...o, seed: 13 });
    expect(c.reference.data).not.toEqual(a.reference.data);
  });
  it('keeps the pattern when only the field or the noise changes', async () => {
    const a = await sim({ field: { kind: 'star' } });
    const b = await sim({ field: { kind: 'sine', amplitude: 1, period: 30 } });
    expect(a.reference.data).toEqual(b.reference.data);
  });
  it.each([
    { kind: 'constant', ux: 0, uy: 0 },
    { kind: 'sine', amplitude: 0, period: 20 },
  ] as FieldSpec[])('renders u = 0 (%j) as a deformed image bit-identical to the reference', async (field) => {
    const p = await sim({ field });
    expect(p.deformed.data).toEqual(p.reference.data);
  });
  it('renders an integer shift as the exactly shifted reference', async () => {
    const p = await sim({ field: { kind: 'constant', ux: 3, uy: -2 } });
    const W = base.width;
    let worst = 0;
    for (let y = 0; y < base.height - 2; y++) {
      for (let x = 3; x < W; x++) worst = Math.max(worst, Math.abs(p.deformed.data[y * W + x] - p.reference.data[(y + 2) * W + x - 3]));
    }
    expect(worst).toBe(0);
  });
});

describe('simulatePair: sub-pixel accuracy', () => {
  it('samples the analytic pattern exactly at y − u for a constant sub-pixel shift', async () => {
    const ux = 0.37;
    const uy = -0.61;
    const p = await sim({ field: { kind: 'constant', ux, uy }, seed: 4 });
    const model = makeSpeckleModel(base.speckleSize, 4);
    let worst = 0;
    for (let y = 0; y < base.height; y += 7) {
      for (let x = 0; x < base.width; x += 5) worst = Math.max(worst, Math.abs(p.deformed.data[y * base.width + x] - greyAt(model, x - ux, y - uy)));
    }
    // float32 rounding of values up to 230 is 7.6e-6; 1e-5 grey levels is 4e-8 of the full scale.
    expect(worst).toBeLessThan(1e-5);
  });
  it('samples the analytic pattern at the exact inverse map for a sine field', async () => {
    const spec: FieldSpec = { kind: 'sine', amplitude: 1.3, period: 24 };
    const p = await sim({ field: spec, seed: 6 });
    const model = makeSpeckleModel(base.speckleSize, 6);
    const field = makeField(spec, base.width, base.height, 6);
    const e = new Float64Array(8);
    let worst = 0;
    for (let y = 0; y < base.height; y += 7) {
      for (let x = 0; x < base.width; x += 3) {
        invertPoint(field, x, y, x, y, e);
        worst = Math.max(worst, Math.abs(p.deformed.data[y * base.width + x] - greyAt(model, e[6], e[7], [e[2], e[3], e[4], e[5]])));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });
  it.each([
    [4, 0.37, -0.61],
    [4, 2.3, 1.45],
    [6, -0.83, 0.12],
  ])('lets an independent Lucas–Kanade recover a shift within 0.01 px (S = %s px, u = (%s, %s))', async (speckleSize, ux, uy) => {
    const p = await simulatePair(
      { width: 192, height: 192, speckleSize, noise: { kind: 'none' }, field: { kind: 'constant', ux, uy }, seed: 21 },
      quietContext(),
    );
    const est = lucasKanadeShift(p.reference, p.deformed, 8);
    const err = Math.hypot(est.ux - ux, est.uy - uy);
    console.log(`LK shift recovery S=${speckleSize}: true (${ux}, ${uy}) est (${est.ux.toFixed(5)}, ${est.uy.toFixed(5)}) error ${err.toExponential(2)} px`);
    expect(err).toBeLessThan(0.01);
  });
});

describe('simulatePair: ground truth', () => {
  it('gives the star field on the reference grid, as in the DIC Challenge 2.0', async () => {
    const p = await sim({ width: 200, height: 51, field: { kind: 'star' } });
    for (const [x, y] of [
      [0, 0],
      [57, 25],
      [199, 50],
      [120, 3],
    ]) {
      const period = 10 + (140 * (x + 1)) / 200;
      expect(p.u.data[y * 200 + x]).toBe(0);
      expect(p.v.data[y * 200 + x]).toBeCloseTo(0.5 * Math.cos((2 * Math.PI * (y - 25)) / period), 6);
    }
    expect(p.description.groundTruthGrid).toMatch(/REFERENCE/);
  });
  it('gives the sine field on the reference grid', async () => {
    const p = await sim({ field: { kind: 'sine', amplitude: 0.8, period: 32 } });
    for (const x of [0, 5, 8, 77, 127]) {
      expect(p.u.data[40 * base.width + x]).toBeCloseTo(0.8 * Math.sin((2 * Math.PI * x) / 32), 6);
      expect(p.v.data[40 * base.width + x]).toBe(0);
    }
  });
});

describe('simulatePair: noise', () => {
  it('gives Poisson noise of variance g/k, k = PHOTONS / mean reference grey, independent per image', async () => {
    const o = { width: 256, height: 256, field: { kind: 'constant', ux: 0, uy: 0 } as FieldSpec, seed: 8 };
    const clean = await sim(o);
    const noisy = await sim({ ...o, noise: { kind: 'poisson', photons: 400 } });
    const k = (noisy.description.noise as { photonsPerGreyLevel: number }).photonsPerGreyLevel;
    const n = clean.reference.data.length;
    let meanClean = 0;
    for (const g of clean.reference.data) meanClean += g / n;
    expect(k).toBeCloseTo(400 / meanClean, 9);
    // Split by brightness: the variance follows the mean in both halves (the mean·scale relation).
    const stats = [0, 1].map(() => ({ n: 0, g: 0, d: 0, d2: 0 }));
    let cross = 0;
    for (let i = 0; i < n; i++) {
      const g = clean.reference.data[i];
      const d = noisy.reference.data[i] - g;
      const s = stats[g < meanClean ? 0 : 1];
      s.n += 1;
      s.g += g;
      s.d += d;
      s.d2 += d * d;
      cross += d * (noisy.deformed.data[i] - clean.deformed.data[i]);
    }
    for (const s of stats) {
      const ratio = s.d2 / s.n / (s.g / s.n / k);
      console.log(`Poisson noise: mean grey ${(s.g / s.n).toFixed(1)}, variance / (mean/k) = ${ratio.toFixed(4)}`);
      expect(Math.abs(ratio - 1)).toBeLessThan(0.03);
      expect(Math.abs(s.d / s.n)).toBeLessThan(4 * Math.sqrt(s.g / s.n / k / s.n)); // 4 standard errors
    }
    // Independent realisations: the two images' noise is uncorrelated.
    expect(Math.abs(cross / n / (meanClean / k))).toBeLessThan(0.02);
  });
  it('gives Gaussian noise of the requested sigma in grey levels', async () => {
    const o = { width: 256, height: 256, seed: 9 };
    const clean = await sim(o);
    const noisy = await sim({ ...o, noise: { kind: 'gauss', sigma: 2.1 } });
    let s2 = 0;
    for (let i = 0; i < clean.deformed.data.length; i++) s2 += (noisy.deformed.data[i] - clean.deformed.data[i]) ** 2;
    expect(Math.sqrt(s2 / clean.deformed.data.length)).toBeCloseTo(2.1, 1);
    expect(noisy.deformed.data).not.toEqual(noisy.reference.data);
  });
});

describe('simulatePair: options, progress, cancellation', () => {
  it.each([
    [{ width: 0 }, /width/],
    [{ height: 7.5 }, /height/],
    [{ seed: 1.5 }, /seed/],
    [{ speckleSize: 12 }, /2–10 px/],
    [{ noise: { kind: 'gauss', sigma: -1 } as NoiseSpec }, /"gauss:-1"/],
    [{ field: { kind: 'sine', amplitude: 4, period: 8 } as FieldSpec }, /"sine:4,8"/],
  ])('rejects %j with E_INVALID_INPUT', async (o, message) => {
    await expect(sim(o)).rejects.toThrow(LabError);
    await expect(sim(o)).rejects.toThrow(message);
    await expect(sim(o)).rejects.toMatchObject({ code: 'E_INVALID_INPUT' });
  });
  it('reports rising progress up to 1', async () => {
    const seen: number[] = [];
    await simulatePair({ ...base, field: { kind: 'star' } }, { signal: new AbortController().signal, progress: makeProgress((f) => seen.push(f)) });
    expect(seen.length).toBeGreaterThan(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen.at(-1)).toBe(1);
  });
  it('rejects when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(simulatePair(base, quietContext(ac.signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
  it('rejects when aborted part-way, from another task', async () => {
    const ac = new AbortController();
    let reports = 0;
    const progress = makeProgress(() => {
      reports += 1;
    });
    setTimeout(() => ac.abort(), 30);
    const run = simulatePair({ ...base, width: 1024, height: 1024, field: { kind: 'random-patches' } }, { signal: ac.signal, progress });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(reports).toBeGreaterThan(0);
  });
  it('describes how to reproduce the pair, as JSON', async () => {
    const p = await sim({ field: { kind: 'random-patches' }, noise: { kind: 'poisson', photons: 100 } });
    const d = JSON.parse(JSON.stringify(p.description));
    expect(d.options).toEqual({ ...base, field: { kind: 'random-patches' }, noise: { kind: 'poisson', photons: 100 } });
    expect(d.convention).toMatch(/I_def\(x \+ u\(x\)\) = I_ref\(x\)/);
    expect(d.field.patches).toHaveLength(6);
    expect(d.speckle.greyScale.fullScale).toBe(255);
  });
});
