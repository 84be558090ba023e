/**
 * @file Checks of angular-spectrum propagation: a plane wave stays a plane wave, a random field keeps its
 * total intensity, the separable paraxial form agrees with the exact square root, and a Gaussian beam
 * spreads as Fresnel diffraction predicts, a_z² = a²·(1 + (z/(k·a²))²).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synth/rng';
import { Fft2 } from './fft2';
import { wavelengthM } from './optics';
import { omittedPhase, propagate, propagateSync } from './wave-propagate';

const lambda = wavelengthM(30);

function randomPhaseScreen(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const psi = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = 0.5 + rng();
    const ph = 6 * rng();
    psi[2 * i] = a * Math.cos(ph);
    psi[2 * i + 1] = a * Math.sin(ph);
  }
  return psi;
}

const energy = (psi: Float64Array) => psi.reduce((s, v) => s + v * v, 0);

describe('angular-spectrum propagation', () => {
  it('leaves a plane wave a plane wave of unit intensity', async () => {
    const f = new Fft2(64, 32);
    const psi = new Float64Array(2 * 64 * 32);
    for (let i = 0; i < 64 * 32; i++) psi[2 * i] = 1;
    const info = await propagate(psi, f, 3e-6, lambda, 5);
    let maxDev = 0;
    for (let i = 0; i < 64 * 32; i++) maxDev = Math.max(maxDev, Math.abs(psi[2 * i] - 1), Math.abs(psi[2 * i + 1]));
    console.log(`plane wave after 5 m: max |ψ − 1| = ${maxDev.toExponential(2)} (${info.transfer})`);
    expect(maxDev).toBeLessThan(1e-12);
  });

  it('conserves the total intensity of a random field (|H| = 1)', () => {
    const f = new Fft2(128, 128);
    const psi = randomPhaseScreen(128 * 128, 5);
    const e0 = energy(psi);
    propagateSync(psi, f, 2e-6, lambda, 3);
    const e1 = energy(psi);
    console.log(`random field, 3 m: relative change of Σ|ψ|² = ${(e1 / e0 - 1).toExponential(2)}`);
    expect(Math.abs(e1 / e0 - 1)).toBeLessThan(1e-12);
  });

  it('the separable paraxial form equals the exact transfer function when the omitted phase is tiny', () => {
    const f = new Fft2(128, 64);
    const a = randomPhaseScreen(128 * 64, 9);
    const b = a.slice();
    const z = 50;
    const omitted = omittedPhase(3e-6, lambda, z);
    expect(omitted).toBeLessThan(1e-6);
    propagateSync(a, f, 3e-6, lambda, z);
    propagateSync(b, f, 3e-6, lambda, z, true);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    console.log(`separable vs exact square root, 50 m: max difference ${maxDiff.toExponential(2)} (omitted phase at the spectrum corner ${omitted.toExponential(2)} rad)`);
    // each spectral component differs by at most |exp(i·ε) − 1| ≤ ε, so the field by at most ε·Σ|F|/N
    expect(maxDiff).toBeLessThan(4 * omitted);
  });

  it('spreads a Gaussian beam as Fresnel diffraction predicts', () => {
    // ψ0 = exp(−x²/(2a²)) along x (constant in y): |ψ_z|² = exp(−x²/a_z²)·a/a_z, a_z² = a²(1 + (z/(k a²))²)
    const [nx, ny, step, a, z] = [1024, 2, 1e-6, 4e-6, 2];
    const k = (2 * Math.PI) / lambda;
    const f = new Fft2(nx, ny);
    const psi = new Float64Array(2 * nx * ny);
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) psi[2 * (y * nx + x)] = Math.exp(-(((x - nx / 2) * step) ** 2) / (2 * a * a));
    propagateSync(psi, f, step, lambda, z);
    let m0 = 0;
    let m2 = 0;
    for (let x = 0; x < nx; x++) {
      const i = psi[2 * x] ** 2 + psi[2 * x + 1] ** 2;
      m0 += i;
      m2 += i * ((x - nx / 2) * step) ** 2;
    }
    const expected = (a * a * (1 + (z / (k * a * a)) ** 2)) / 2; // variance of exp(−x²/a_z²)
    console.log(`Gaussian beam a = 4 µm after 2 m: intensity variance ${(m2 / m0).toExponential(5)} m², expected ${expected.toExponential(5)} m²`);
    expect(m2 / m0 / expected - 1).toBeLessThan(1e-6);
    expect(m2 / m0 / expected - 1).toBeGreaterThan(-1e-6);
  });
});
