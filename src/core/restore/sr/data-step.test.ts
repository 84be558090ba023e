/**
 * The any-length FFT against a direct DFT, and USRNet's closed-form data step against the optimality
 * condition of the problem it solves, evaluated with spatial circular convolution (no FFT): with the prior
 * replaced by the identity, x = dataStep(z, α) must make the gradient Hᵀ(Hx − y) + α(x − z) vanish, where
 * H = decimation by s after circular convolution with k.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../synth/rng';
import { anisotropicGaussianKernel, gaussianKernel, type Kernel, makeKernel, motionKernel } from '../../synth/kernels';
import { convolveWrap, dataStep, degrade, p2o, prepareDataStep, upsampleNearest } from './data-step';
import { Fft1, Fft2Any } from './fft-any';

function random(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => rng());
}

function dft(x: Float64Array, inverse: boolean): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  const sg = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let re = 0, im = 0;
    for (let j = 0; j < n; j++) {
      const t = (sg * 2 * Math.PI * ((j * k) % n)) / n;
      re += x[2 * j] * Math.cos(t) - x[2 * j + 1] * Math.sin(t);
      im += x[2 * j] * Math.sin(t) + x[2 * j + 1] * Math.cos(t);
    }
    out[2 * k] = inverse ? re / n : re;
    out[2 * k + 1] = inverse ? im / n : im;
  }
  return out;
}

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from({ length: a.length }, (_, i) => a[i] - b[i]);

/** Correlation with k, the adjoint of convolveWrap: out(p) = Σ_q k(c + q)·r(p + q). */
function correlateWrap(x: Float64Array, width: number, height: number, k: Kernel): Float64Array {
  const flipped = makeKernel(k.width, k.height, Float64Array.from(k.data).reverse(), 'flipped', 'flipped', true);
  return convolveWrap(x, width, height, flipped);
}

describe('Fft1 / Fft2Any (any length)', () => {
  it('matches a direct DFT for powers of two and other lengths, forward and inverse', () => {
    for (const n of [1, 2, 3, 5, 6, 7, 12, 16, 25, 50, 97]) {
      const x = random(2 * n, n);
      const f = new Fft1(n);
      const X = new Float64Array(2 * n);
      f.forward(X, x);
      expect(maxAbs(diff(X, dft(x, false)))).toBeLessThan(1e-11 * n);
      const back = new Float64Array(2 * n);
      f.inverse(back, X);
      expect(maxAbs(diff(back, x))).toBeLessThan(1e-13 * n);
    }
  });

  it('2-D: separable rows then columns, round trip exact', () => {
    const w = 6, h = 5;
    const x = random(2 * w * h, 3);
    const buf = Float64Array.from(x);
    const f = new Fft2Any(w, h);
    f.forward(buf);
    // DC term = sum
    let s = 0;
    for (let i = 0; i < w * h; i++) s += x[2 * i];
    expect(buf[0]).toBeCloseTo(s, 12);
    f.inverse(buf);
    expect(maxAbs(diff(buf, x))).toBeLessThan(1e-13);
  });
});

describe('USRNet data step', () => {
  it('p2o puts the kernel centre at (0, 0): FB·fft(x) is the circular convolution', () => {
    const w = 12, h = 9;
    const k = motionKernel(5, 30, 7);
    const x = random(w * h, 5);
    const fft = new Fft2Any(w, h);
    const FB = p2o(k, w, h, fft);
    const X = Float64Array.from({ length: 2 * w * h }, (_, i) => (i % 2 ? 0 : x[i / 2]));
    fft.forward(X);
    for (let i = 0; i < w * h; i++) {
      const [ar, ai, br, bi] = [FB[2 * i], FB[2 * i + 1], X[2 * i], X[2 * i + 1]];
      X[2 * i] = ar * br - ai * bi;
      X[2 * i + 1] = ar * bi + ai * br;
    }
    fft.inverse(X);
    const ref = convolveWrap(x, w, h, k);
    for (let i = 0; i < w * h; i++) expect(X[2 * i]).toBeCloseTo(ref[i], 12);
  });

  const cases: { name: string; lw: number; lh: number; s: number; k: Kernel; alpha: number }[] = [
    { name: '×2, isotropic Gaussian, power-of-two grid', lw: 8, lh: 8, s: 2, k: gaussianKernel(1.2, 9), alpha: 0.05 },
    { name: '×3, anisotropic Gaussian, odd sizes', lw: 7, lh: 5, s: 3, k: anisotropicGaussianKernel(2, 0.8, 30, 11), alpha: 0.01 },
    { name: '×4, motion, kernel larger than half the grid', lw: 5, lh: 6, s: 4, k: motionKernel(9, 60, 13), alpha: 0.2 },
    { name: '×2, 25×25 kernel wrapping on a 20×18 grid', lw: 10, lh: 9, s: 2, k: gaussianKernel(2), alpha: 0.003 },
  ];
  for (const t of cases) {
    it(`solves (HᵀH + αI)x = Hᵀy + αz exactly (${t.name})`, () => {
      const { lw, lh, s, k, alpha } = t;
      const W = lw * s, H = lh * s;
      const y = random(lw * lh, 11);
      const z = random(W * H, 12);
      const setup = prepareDataStep(y, lw, lh, k, s);
      const x = dataStep(setup, z, alpha);
      // Gradient with spatial operators only.
      const Hx = degrade(x, W, H, k, s).data;
      const up = new Float64Array(W * H); // Hᵀ r = correlate(zero-insert(r))
      for (let r = 0; r < lh; r++) for (let c = 0; c < lw; c++) up[r * s * W + c * s] = Hx[r * lw + c] - y[r * lw + c];
      const HtR = correlateWrap(up, W, H, k);
      const grad = Float64Array.from({ length: W * H }, (_, i) => HtR[i] + alpha * (x[i] - z[i]));
      // Relative to the size of the right-hand side Hᵀy + αz.
      const upY = new Float64Array(W * H);
      for (let r = 0; r < lh; r++) for (let c = 0; c < lw; c++) upY[r * s * W + c * s] = y[r * lw + c];
      const Hty = correlateWrap(upY, W, H, k);
      const rhs = Float64Array.from({ length: W * H }, (_, i) => Hty[i] + alpha * z[i]);
      expect(maxAbs(grad) / maxAbs(rhs)).toBeLessThan(1e-10);
      // And the solution is not trivial: x differs from z.
      expect(maxAbs(diff(x, z))).toBeGreaterThan(1e-3);
    });
  }

  it('nearest up-sampling and input checks', () => {
    expect(Array.from(upsampleNearest([1, 2, 3, 4], 2, 2, 2))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const setup = prepareDataStep([1, 2, 3, 4], 2, 2, gaussianKernel(1, 3), 2);
    expect(() => dataStep(setup, new Float64Array(3), 0.1)).toThrowError(/3 pixels but 4×4/);
    expect(() => dataStep(setup, new Float64Array(16), 0)).toThrowError(/α = 0/);
  });
});
