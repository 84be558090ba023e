/**
 * @file Star metrics (Reu et al. 2022) on a synthetic "measurement" with a known transfer: the exact Star
 * field of the README on the 2000 × 501 grid, its amplitude multiplied by sinc(N/p(x)) for a 21-px box
 * subset, plus seeded Gaussian noise σ = 0.01 px. The profile must recover sinc(21/p), the resolution the
 * period where sinc(21/p) = 0.9 (solved here by Newton's method, independently of periodAtTransfer), and
 * the noise σ. Also the single-sine ratio and the transfer helpers.
 */
import { describe, expect, it } from 'vitest';
import { makeField } from '../synth/fields';
import { gaussian, mulberry32 } from '../synth/rng';
import { sineAmplitudeRatio } from './sine';
import { STAR, spatialResolution, starAmplitudeProfile, starPeriod, starTruth, type StarProfile } from './star';
import { formatTable } from './table';
import { periodAtTransfer, sinc, subsetTransferFunction } from './transfer';

const W = STAR.width;
const H = STAR.height;
const N = 21;
const SIGMA = 0.01;

/** v = 0.5·sinc(N/p(x))·cos(2π(y − 250)/p(x)) + N(0, σ²), written out from the README's formula. */
function filteredStar(seed: number): Float32Array {
  const rng = mulberry32(seed);
  const v = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = 10 + (140 * (x + 1)) / 2000;
      const t = N / p;
      const g = Math.sin(Math.PI * t) / (Math.PI * t);
      v[y * W + x] = 0.5 * g * Math.cos((2 * Math.PI * (y - 250)) / p) + SIGMA * gaussian(rng);
    }
  }
  return v;
}

/** Newton on f(p) = sinc(N/p) − 0.9 from p = 4N (on the main lobe), with the derivative written out. */
function expectedResolution(n: number, level: number): number {
  let p = 4 * n;
  for (let i = 0; i < 50; i++) {
    const x = (Math.PI * n) / p; // sinc(N/p) = sin x / x
    const f = Math.sin(x) / x - level;
    const dfdx = (x * Math.cos(x) - Math.sin(x)) / (x * x);
    const dxdp = -(Math.PI * n) / (p * p);
    p -= f / (dfdx * dxdp);
  }
  return p;
}

describe('Star metrics (DIC Challenge 2.0)', () => {
  it('starTruth follows the README and agrees with the synthetic Star field of synth/', () => {
    const t = starTruth();
    expect(starPeriod(0)).toBeCloseTo(10.07, 10);
    expect(starPeriod(W - 1)).toBeCloseTo(150, 10);
    const f = makeField({ kind: 'star' }, W, H, 1);
    const out = new Float64Array(6);
    let worst = 0;
    for (const [x, y] of [[0, 0], [0, 250], [777, 123], [1999, 500], [1234, 400]]) {
      f.evaluate(x, y, out);
      worst = Math.max(worst, Math.abs(out[1] - t.v[y * W + x]));
      expect(t.v[y * W + x]).toBeCloseTo(0.5 * Math.cos((2 * Math.PI * (y - 250)) / (10 + (140 * (x + 1)) / 2000)), 6);
      expect(t.u[y * W + x]).toBe(0);
    }
    expect(worst).toBeLessThan(1e-7);
  });

  it('recovers the sinc(21/p) transfer, the 10 % resolution and the noise', () => {
    const v = filteredStar(42);
    const profile = starAmplitudeProfile(v, W, H);
    expect(profile.bins).toHaveLength(W);
    let worst = 0;
    let worstQ = 0;
    for (const b of profile.bins) {
      worst = Math.max(worst, Math.abs(b.ratio - sinc(N / b.period)));
      worstQ = Math.max(worstQ, Math.abs(b.quadrature));
    }
    const res = spatialResolution(profile, { biasThreshold: 0.1 });
    const expected = expectedResolution(N, 0.9);
    const every = profile.bins.filter((_, i) => i % 250 === 0 || i === W - 1);
    console.log(`\n${formatTable(every.map((b) => ({ x: b.x, period: b.period, ratio: b.ratio, 'sinc(21/p)': sinc(N / b.period), quadrature: b.quadrature, residualStd: b.residualStd })))}`);
    console.log(`star N=${N}: worst |ratio − sinc| ${worst.toFixed(5)}, worst |b| ${worstQ.toFixed(5)} px; resolution ${res.period.toFixed(2)} px (${res.status}; expected ${expected.toFixed(2)}), noise ${res.noise.toFixed(5)} px over periods ${res.noiseRegion.map((p) => p.toFixed(1)).join('–')}`);
    // Per column a has standard error σ·√(2/501)/A = 1.3e-3 in ratio; the worst of 2000 is ~4 of those.
    expect(worst).toBeLessThan(0.007);
    expect(worstQ).toBeLessThan(0.0035);
    expect(res.status).toBe('crossing');
    expect(Math.abs(res.period - expected)).toBeLessThan(2);
    expect(Math.abs(res.noise - SIGMA)).toBeLessThan(0.0003);
    expect(Math.abs(periodAtTransfer(N, 0.9) - expected)).toBeLessThan(1e-6);
    // Smoothing over 11 columns (0.8 px of period) takes out most of the early-crossing bias of noise.
    const smoothed = spatialResolution(profile, { smoothBins: 11 });
    console.log(`smoothed over 11 columns: resolution ${smoothed.period.toFixed(2)} px`);
    expect(Math.abs(smoothed.period - expected)).toBeLessThan(0.7);
    expect(() => spatialResolution(profile, { smoothBins: 4 })).toThrow(/smoothBins = 4/);
  });

  it('handles NaN margins, masks and column bins', () => {
    const v = filteredStar(7);
    // A tracker with a 21-px subset leaves 10 rows at top and bottom and the first columns unmeasured.
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (y < 10 || y >= H - 10 || x < 5) v[y * W + x] = NaN;
    const mask = new Uint8Array(W * H).fill(1);
    for (let x = 0; x < W; x++) mask[250 * W + x] = 0; // arbitrary masked row
    const profile = starAmplitudeProfile(v, W, H, { binWidth: 10, mask });
    expect(profile.bins).toHaveLength(W / 10);
    expect(profile.bins[0].n).toBe(5 * (H - 21));
    expect(profile.bins[1].n).toBe(10 * (H - 21));
    const res = spatialResolution(profile);
    console.log(`binned (10 columns): resolution ${res.period.toFixed(2)} px, noise ${res.noise.toFixed(5)} px`);
    expect(Math.abs(res.period - expectedResolution(N, 0.9))).toBeLessThan(2);
    expect(Math.abs(res.noise - SIGMA)).toBeLessThan(0.0003);
    // All-NaN columns give NaN fits, not zeros.
    const empty = starAmplitudeProfile(new Float32Array(W * H).fill(NaN), W, H);
    expect(empty.bins[0].ratio).toBeNaN();
    expect(spatialResolution(empty).status).toBe('no-data');
  });

  it('reports "not-reached" for a perfect method and "fails-at-longest" for a flat one', () => {
    const perfect = starAmplitudeProfile(starTruth().v, W, H, { binWidth: 20 });
    const r = spatialResolution(perfect);
    expect(r.status).toBe('not-reached');
    expect(r.period).toBeCloseTo(starPeriod(9.5), 6);
    expect(r.noise).toBeLessThan(1e-6);
    const flat: StarProfile = { trueAmplitude: 0.5, bins: perfect.bins.map((b) => ({ ...b, ratio: 0.5 })) };
    expect(spatialResolution(flat).status).toBe('fails-at-longest');
    expect(spatialResolution(flat).period).toBeNaN();
  });
});

describe('single-sine ratio and subset transfer', () => {
  it('sineAmplitudeRatio recovers gain, phase lag, offset and noise', () => {
    const w = 256;
    const h = 64;
    const P = 32;
    const A = 0.5;
    const lag = 1.5; // px
    const rng = mulberry32(9);
    const u = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) u[y * w + x] = 0.8 * A * Math.sin((2 * Math.PI * (x - lag)) / P) + 0.05 + 0.01 * gaussian(rng);
    }
    const r = sineAmplitudeRatio(u, w, h, { amplitude: A, period: P });
    console.log('sine ratio:', r);
    // Standard error of a: σ·√(2/n) = 1.1e-4 px.
    expect(r.ratio).toBeCloseTo(0.8 * Math.cos((2 * Math.PI * lag) / P), 3);
    expect(r.quadrature).toBeCloseTo(0.8 * A * Math.sin((2 * Math.PI * lag) / P), 3);
    expect(r.offset).toBeCloseTo(0.05, 3);
    expect(r.residualStd).toBeCloseTo(0.01, 3);
    expect(r.n).toBe(w * h);
  });

  it('sinc and the box-subset transfer', () => {
    expect(sinc(0)).toBe(1);
    expect(sinc(1)).toBeCloseTo(0, 15);
    expect(sinc(0.5)).toBeCloseTo(2 / Math.PI, 15);
    expect(sinc(1e-6)).toBeCloseTo(1 - (Math.PI * 1e-6) ** 2 / 6, 15);
    expect(subsetTransferFunction(21, 42)).toBeCloseTo(2 / Math.PI, 15);
    expect(subsetTransferFunction(21, 14)).toBeLessThan(0); // contrast inversion for p < N
    const p = periodAtTransfer(21, 0.9);
    expect(subsetTransferFunction(21, p)).toBeCloseTo(0.9, 12);
    console.log(`box subset: sinc(N/p) = 0.9 at p = ${(p / 21).toFixed(4)}·N`);
    expect(() => subsetTransferFunction(0, 10)).toThrow(/subset = 0/);
    expect(() => periodAtTransfer(21, 1.2)).toThrow(/ratio = 1.2/);
  });
});
