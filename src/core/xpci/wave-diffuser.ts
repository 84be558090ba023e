/**
 * @file The random diffuser (sandpaper) of the speckle set-up and its calibration.
 *
 * Note: Diffuser model. The diffuser is a thickness map t_d(x, y) = max(0, T0 + σ_t·n(x, y)) of one
 * material (default SiC grit), with n a zero-mean, unit-variance Gaussian random field: white Gaussian
 * noise on the grid filtered by a Gaussian kernel of standard deviation s grid samples (done in Fourier
 * space, so the field is periodic on the grid and the reference image never sees a seam). Its
 * autocovariance is exp(−r²/(4s²)), FWHM 3.33·s samples — a stand-in for overlapping grains of that
 * size (Zdora 2018 reviews sandpaper, filter membranes and other diffusers). T0 = 3σ_t keeps the
 * thickness ≥ 0 except in 0.13% of samples, where it is clipped. The diffuser multiplies the field by
 * exp(−i·k·δ_d·t_d − k·β_d·t_d).
 *
 * Note: Diffuser calibration. Which grain size s and roughness σ_t give the requested speckle size S
 * (autocovariance FWHM of the recorded reference, speckle-size.ts, px) and visibility V (std/mean)
 * depends on the regime: attenuation contrast (V ∝ σ_t·μ), propagation-based phase contrast
 * (V ∝ d·δ·∇²t_d ∝ σ_t/s², which also makes the speckle finer than the grains), caustics when σ_t grows,
 * or beyond the near field when the grains are small next to √(λd). Rather than trusting one formula,
 * `designDiffuser` simulates the reference over a periodic patch (≥ 160 px and ≥ 16 speckles a side) with
 * the same grid pitch, distances and detector, measures S and V, and solves ln S = ln S_target,
 * ln V = ln V_target for (ln s, ln σ_t) by Broyden's method (steps ≤ ×2), until both are within 3% (at
 * most 8 rounds; the best round is kept). The same white noise is used in every round, so rounds differ
 * only by the parameters. Start: s = S·os/3.33, σ_t from the linearised V ≈ σ_t·√(μ² + (z·δ·√8/L²)²),
 * L = √2·s·Δ (the rms Laplacian of n is √8/L²; transport-of-intensity contrast z·δ·∇²t), and the
 * Jacobian of that linear model. A target the physics cannot reach (e.g. V = 0.6 at 1 m) ends unconverged
 * and the description says so.
 */
import type { GreyImage } from '../imageio/types';
import { gaussian, hashSeed, mulberry32 } from '../synth/rng';
import { measureSpeckleSize } from '../synth/speckle-size';
import { Fft2, nextPowerOfTwo, signedIndex } from './fft2';
import type { XpciSetup } from './simulate-setup';
import { binIntensity, gaussianBlurWrap, meanAndVisibility } from './wave-detector';
import { propagate } from './wave-propagate';

/** Stream ids (Note: Random streams in synth/rng.ts). */
export const STREAM_DIFFUSER = 11;
export const STREAM_CALIBRATION = 12;
const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2)) * Math.SQRT2; // 3.33: autocovariance FWHM / kernel σ
const MAX_ROUNDS = 8;
const TOLERANCE = 0.03;

export interface DiffuserDesign {
  /** Gaussian kernel standard deviation, grid samples */
  sigmaSamples: number;
  /** rms thickness σ_t and mean thickness T0, m */
  rmsM: number;
  meanM: number;
  rounds: number;
  converged: boolean;
  /** what the calibration patch measured in its last kept round */
  patchSpecklePx: number;
  patchVisibility: number;
  patchSizePx: number;
}

/** Fills the first `n` complex values of `buf` with white Gaussian noise (real part; imaginary part 0). */
export function fillWhiteNoise(buf: Float64Array, n: number, seed: number): void {
  const rng = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    buf[2 * i] = gaussian(rng);
    buf[2 * i + 1] = 0;
  }
}

/**
 * Filters the spectrum of white noise (in place) with a Gaussian kernel of σ = `sigmaSamples`, transforms
 * back and returns the real part rescaled to zero mean and unit variance (float32, row-major).
 */
export async function gaussianField(fft: Fft2, spectrum: Float64Array, sigmaSamples: number, pace: () => Promise<void>): Promise<Float32Array> {
  const { width: nx, height: ny } = fft;
  const a = -2 * Math.PI * Math.PI * sigmaSamples * sigmaSamples; // FT of the kernel: exp(−2π²s²κ²), κ in cycles/sample
  const gx = new Float64Array(nx);
  for (let j = 0; j < nx; j++) gx[j] = Math.exp(a * (signedIndex(j, nx) / nx) ** 2);
  for (let i = 0; i < ny; i++) {
    const gy = Math.exp(a * (signedIndex(i, ny) / ny) ** 2);
    for (let j = 0, o = 2 * i * nx; j < nx; j++, o += 2) {
      spectrum[o] *= gx[j] * gy;
      spectrum[o + 1] *= gx[j] * gy;
    }
  }
  await fft.inversePaced(spectrum, pace);
  const n = nx * ny;
  let s = 0;
  for (let i = 0; i < n; i++) s += spectrum[2 * i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (spectrum[2 * i] - mean) ** 2;
  const inv = 1 / Math.sqrt(v / n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (spectrum[2 * i] - mean) * inv;
  return out;
}

/** t_d = max(0, T0 + σ_t·n) (m) for a unit field n; see the Note: Diffuser model. */
export function diffuserThickness(field: Float32Array, rmsM: number, meanM: number): Float32Array {
  const t = new Float32Array(field.length);
  for (let i = 0; i < field.length; i++) t[i] = Math.max(0, meanM + rmsM * field[i]);
  return t;
}

/** Writes exp(−ikδt − kβt) for a thickness map (m) into `psi` (interleaved complex). */
export function transmitThrough(psi: Float64Array, thickness: Float32Array, k: number, delta: number, beta: number): void {
  for (let i = 0; i < thickness.length; i++) {
    const t = thickness[i];
    const amp = Math.exp(-k * beta * t);
    const ph = -k * delta * t;
    psi[2 * i] = amp * Math.cos(ph);
    psi[2 * i + 1] = amp * Math.sin(ph);
  }
}

/** Simulates the noise-free reference of a periodic patch and returns its speckle size and visibility. */
async function measurePatch(
  s: XpciSetup,
  fft: Fft2,
  white: Float64Array,
  work: Float64Array,
  sigmaSamples: number,
  rmsM: number,
  pace: () => Promise<void>,
): Promise<{ size: number; visibility: number }> {
  work.set(white);
  const field = await gaussianField(fft, work, sigmaSamples, pace);
  transmitThrough(work, diffuserThickness(field, rmsM, 3 * rmsM), s.k, s.diffuser.delta, s.diffuser.beta);
  await propagate(work, fft, s.stepM, s.lambdaM, s.dEffM + s.gapEffM, pace);
  const side = Math.floor(fft.width / s.oversample);
  const img = gaussianBlurWrap(binIntensity(work, fft.width, fft.height, s.oversample, 0, 0, side, side), side, side, s.blurPx);
  const grey: GreyImage = { width: side, height: side, data: Float32Array.from(img) };
  return { size: measureSpeckleSize(grey).size, visibility: meanAndVisibility(img).visibility };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const SIGMA_RANGE = [0.3, 512] as const; // grid samples
const RMS_RANGE = [1e-9, 1e-2] as const; // m
const MAX_LOG_STEP = Math.log(2);

/** Chooses grain size and roughness for the requested speckle size and visibility; see the Notes. */
export async function designDiffuser(s: XpciSetup, pace: () => Promise<void>): Promise<DiffuserDesign> {
  const os = s.oversample;
  // Patch: ≥ 160 px and ≥ 16 speckles a side, ≥ 4 diffraction spreads, ≤ 2048 samples a side.
  const patch = Math.min(2048, nextPowerOfTwo(os * Math.max(160, 16 * s.speckleSizePx, 4 * s.spreadPx)));
  const fft = new Fft2(patch, patch);
  const white = new Float64Array(2 * patch * patch);
  fillWhiteNoise(white, patch * patch, hashSeed(s.seed >>> 0, STREAM_CALIBRATION));
  fft.forward(white);
  const work = new Float64Array(white.length);
  const z = s.dEffM + s.gapEffM;

  // Start: linearised model (Note: Diffuser calibration). w = share of the phase term in V², which sets
  // how V depends on the grain size: V ∝ σ_t/s² when phase contrast dominates, V ∝ σ_t with attenuation.
  const sigma0 = (s.speckleSizePx * os) / FWHM_PER_SIGMA;
  const phaseTerm = (z * s.diffuser.delta * Math.sqrt(8)) / (2 * sigma0 * sigma0 * s.stepM * s.stepM);
  const w = phaseTerm ** 2 / (phaseTerm ** 2 + s.diffuser.muPerM ** 2);
  let x = [Math.log(sigma0), Math.log(clamp(s.visibility / Math.hypot(s.diffuser.muPerM, phaseTerm), ...RMS_RANGE))];
  // Broyden's method on F(x) = (ln S − ln S_target, ln V − ln V_target), x = (ln s, ln σ_t), starting
  // from the Jacobian of the linear model; steps are limited to a factor 2 per parameter.
  const jac = [
    [1, 0],
    [-2 * w, 1],
  ];
  let best: DiffuserDesign | null = null;
  let bestErr = Infinity;
  let rounds = 0;
  let prev: { x: number[]; f: number[] } | null = null;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    rounds = round;
    const sigma = Math.exp(x[0]);
    const rms = Math.exp(x[1]);
    const m = await measurePatch(s, fft, white, work, sigma, rms, pace);
    const f = [Math.log(m.size / s.speckleSizePx), Math.log(m.visibility / s.visibility)];
    const err = Math.max(Math.abs(Math.expm1(f[0])), Math.abs(Math.expm1(f[1])));
    const converged = Number.isFinite(err) && err < TOLERANCE;
    if (!(err >= bestErr)) {
      bestErr = err;
      best = { sigmaSamples: sigma, rmsM: rms, meanM: 3 * rms, rounds: round, converged, patchSpecklePx: m.size, patchVisibility: m.visibility, patchSizePx: patch / os };
    }
    if (converged || !Number.isFinite(err)) break;
    if (prev) {
      // Broyden update: J += ((Δf − J·Δx)·Δxᵀ)/(Δxᵀ·Δx)
      const dx = [x[0] - prev.x[0], x[1] - prev.x[1]];
      const df = [f[0] - prev.f[0], f[1] - prev.f[1]];
      const dd = dx[0] * dx[0] + dx[1] * dx[1];
      if (dd > 1e-12) {
        for (let r = 0; r < 2; r++) {
          const res = df[r] - (jac[r][0] * dx[0] + jac[r][1] * dx[1]);
          jac[r][0] += (res * dx[0]) / dd;
          jac[r][1] += (res * dx[1]) / dd;
        }
      }
    }
    const det = jac[0][0] * jac[1][1] - jac[0][1] * jac[1][0];
    let step = Math.abs(det) > 1e-6
      ? [-(jac[1][1] * f[0] - jac[0][1] * f[1]) / det, -(-jac[1][0] * f[0] + jac[0][0] * f[1]) / det]
      : [-f[0], -f[1]]; // degenerate Jacobian: fall back to the one-parameter-each rule
    const longest = Math.max(Math.abs(step[0]), Math.abs(step[1]));
    if (longest > MAX_LOG_STEP) step = step.map((v) => (v * MAX_LOG_STEP) / longest);
    prev = { x, f };
    x = [
      clamp(x[0] + step[0], Math.log(SIGMA_RANGE[0]), Math.log(SIGMA_RANGE[1])),
      clamp(x[1] + step[1], Math.log(RMS_RANGE[0]), Math.log(RMS_RANGE[1])),
    ];
  }
  return { ...(best as DiffuserDesign), rounds };
}
