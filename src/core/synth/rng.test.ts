import { describe, expect, it } from 'vitest';
import { expNeg } from './exp-neg';
import { gaussian, hashSeed, hashSeed3, mulberry32, poisson } from './rng';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe('mulberry32 and hashSeed', () => {
  it('repeats a sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
  it('gives uniform moments', () => {
    const { mean, variance } = moments(mulberry32(7), 200_000);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });
  it('derives unrelated seeds from neighbouring inputs, negative cell indices included', () => {
    const seen = new Set<number>();
    for (let i = -20; i < 20; i++) for (let j = -20; j < 20; j++) seen.add(hashSeed3(1, i, j));
    expect(seen.size).toBe(1600);
    expect(hashSeed3(5, -3, 9)).toBe(hashSeed(5, -3, 9));
    // First draws of adjacent streams are uncorrelated.
    const xs = Array.from({ length: 5000 }, (_, i) => mulberry32(hashSeed(1, i))());
    let c = 0;
    for (let i = 1; i < xs.length; i++) c += (xs[i] - 0.5) * (xs[i - 1] - 0.5);
    expect(Math.abs(c / (xs.length - 1) / (1 / 12))).toBeLessThan(0.05);
  });
});

describe('gaussian', () => {
  it('has mean 0 and variance 1', () => {
    const rng = mulberry32(3);
    const { mean, variance } = moments(() => gaussian(rng), 200_000);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1, 1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
  });
});

describe('poisson', () => {
  it.each([0.3, 3, 9.9, 10, 37, 1000, 1e5])('has mean and variance λ for λ = %s', (lambda) => {
    const rng = mulberry32(11);
    const { mean, variance } = moments(() => poisson(rng, lambda), 100_000);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / 100_000));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.025);
  });
  it.each([4, 12, 40])('follows the probability mass function for λ = %s', (lambda) => {
    // Histogram against the exact pmf: every bin within 4.5 standard deviations.
    const n = 200_000;
    const rng = mulberry32(5);
    const counts = new Map<number, number>();
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const k = poisson(rng, lambda);
      if (!Number.isInteger(k) || k < 0) bad += 1;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(bad).toBe(0);
    let logp = -lambda; // log pmf(0)
    for (let k = 0; k < 3 * lambda + 10; k++) {
      if (k > 0) logp += Math.log(lambda / k);
      const expected = n * Math.exp(logp);
      const got = counts.get(k) ?? 0;
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(4.5 * Math.sqrt(expected) + 1);
    }
  });
  it('returns 0 for a zero mean', () => {
    expect(poisson(mulberry32(1), 0)).toBe(0);
  });
});

describe('expNeg', () => {
  it('matches Math.exp to 3e-14 relative on [0, 40] and is 0 beyond', () => {
    let worst = 0;
    for (let i = 0; i <= 400_000; i++) {
      const x = (i / 400_000) * 40;
      worst = Math.max(worst, Math.abs(expNeg(x) / Math.exp(-x) - 1));
    }
    expect(worst).toBeLessThan(3e-14);
    expect(expNeg(40.5)).toBe(0);
    expect(expNeg(0)).toBe(1);
  });
});
