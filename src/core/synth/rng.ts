/**
 * @file Seeded random numbers for the synthetic data: a 32-bit generator (mulberry32), a seed hash that
 * derives independent streams from one user seed, and exact samplers for the normal and Poisson laws.
 *
 * Note: Random streams. Everything random in `synth/` comes from `mulberry32(hashSeed(seed, STREAM, ...))`,
 * one stream per purpose (each speckle cell, the field, the noise of each image). Hashing the stream id with
 * the seed, rather than drawing everything from one sequence, keeps each piece reproducible on its own:
 * the speckle pattern does not change when the noise or the field changes, and a band of rows can be
 * rendered without replaying the draws of the rows above it. mulberry32 (Tommy Ettinger's public-domain
 * generator) passes the usual empirical batteries for this kind of use; its 2^32 period is ample for
 * per-cell streams of a few draws and per-image noise streams of a few million.
 */

/** A uniform generator on [0, 1) with 32-bit resolution. */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for simulation (not for cryptography). `seed` is taken mod 2^32. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The MurmurHash3 finaliser: every input bit affects every output bit (avalanche). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combines integers (a user seed, a stream id, cell indices, possibly negative) into one 32-bit seed.
 * Neighbouring inputs give unrelated outputs, so adjacent speckle cells get independent streams.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32((h ^ Math.imul(p | 0, 0xcc9e2d51)) + 0x6b43a9b5);
  return h;
}

/** Three-part `hashSeed` without the rest-parameter array, for the per-cell hot path. */
export function hashSeed3(a: number, b: number, c: number): number {
  let h = fmix32((0x9e3779b9 ^ Math.imul(a | 0, 0xcc9e2d51)) + 0x6b43a9b5);
  h = fmix32((h ^ Math.imul(b | 0, 0xcc9e2d51)) + 0x6b43a9b5);
  return fmix32((h ^ Math.imul(c | 0, 0xcc9e2d51)) + 0x6b43a9b5);
}

/** One standard normal deviate (Marsaglia's polar method; the second deviate is discarded for simplicity). */
export function gaussian(rng: Rng): number {
  for (;;) {
    const a = 2 * rng() - 1;
    const b = 2 * rng() - 1;
    const s = a * a + b * b;
    if (s > 0 && s < 1) return a * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** log Γ(x) for x ≥ 1 (Stirling series with upward recurrence below 7; as in NumPy's `loggam`). */
function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const a = [
    8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
    8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
    1.796443723688307e-1, -1.3924322169059,
  ];
  let x0 = x;
  let n = 0;
  if (x <= 7) {
    n = Math.floor(7 - x);
    x0 = x + n;
  }
  const x2 = 1 / (x0 * x0);
  let gl0 = a[9];
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + a[k];
  let gl = gl0 / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

/**
 * One Poisson deviate of mean `lambda` ≥ 0, exact for every mean: inversion by sequential search below 10
 * (a handful of steps), and Hörmann's transformed rejection with squeeze (PTRS) from 10 up, whose cost does
 * not grow with the mean. W. Hörmann, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12 (1993) 39–45; constants as in NumPy's legacy sampler.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 10) {
    let p = Math.exp(-lambda);
    let cdf = p;
    const u = rng();
    let k = 0;
    // The cap only guards against a u within rounding of 1; the tail beyond 200 is below 1e-200 here.
    while (u > cdf && k < 200) {
      k += 1;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}
