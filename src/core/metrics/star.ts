/**
 * @file Spatial-resolution metrics on the DIC Challenge 2.0 "Star" field (P. L. Reu et al., "DIC Challenge
 * 2.0: Developing images and guidelines for evaluating accuracy and resolution of 2D analyses",
 * Experimental Mechanics 62 (2022) 639–654, doi:10.1007/s11340-021-00806-6). The truth is u = 0,
 * v(x, y) = A·cos(2π(y − yc)/p(x)) with p(x) = 10 + 140·(x + 1)/W: every column x holds a cosine in y of one
 * known period, from 10 px at the left to 150 px at the right (A = 0.5 px, W = 2000, H = 501, yc = 250;
 * ../shared/data/README.md). A method's spatial resolution is the period at which the amplitude it
 * measures falls 10 % away from A; its noise is the scatter where the periods are long enough to be
 * measured without bias.
 *
 * How the amplitude is measured: per column (or per bin of columns) a least-squares fit of
 * a·cos φ + b·sin φ + c over all rows with φ = 2π(y − yc)/p(x) (harmonic-fit.ts), so ratio = a/A. Reu et
 * al. read the measured v along lines of the image; the fit uses every row of a column instead, which
 * averages the noise out of the amplitude and leaves it in the residual, where it is the noise estimate.
 */
import { LabError } from '../errors';
import type { VectorField } from './field-errors';
import { HarmonicAccumulator } from './harmonic-fit';
import { checkNumber, checkSameLength, type FieldArray } from './sums';

/** The published geometry (W × H px), amplitude (px) and period law of the Star images. */
export const STAR = { width: 2000, height: 501, amplitude: 0.5, minPeriod: 10, periodSpan: 140 } as const;

/** Period p(x) = 10 + 140·(x + 1)/W of column x (0-based), px. */
export function starPeriod(x: number, width: number = STAR.width): number {
  return STAR.minPeriod + (STAR.periodSpan * (x + 1)) / width;
}

/** The Star truth on a W × H grid: u = 0, v = A·cos(2π(y − yc)/p(x)), yc = (H − 1)/2 (250 for H = 501). */
export function starTruth(width: number = STAR.width, height: number = STAR.height, amplitude: number = STAR.amplitude): VectorField {
  const u = new Float32Array(width * height);
  const v = new Float32Array(width * height);
  const yc = (height - 1) / 2;
  for (let x = 0; x < width; x++) {
    const k = (2 * Math.PI) / starPeriod(x, width);
    for (let y = 0; y < height; y++) v[y * width + x] = amplitude * Math.cos(k * (y - yc));
  }
  return { u, v };
}

export interface StarProfileOptions {
  /** true amplitude A, px; default 0.5 */
  amplitude?: number;
  /** row of the cosine's crest, default (height − 1)/2 */
  yc?: number;
  /** period law p(x), px; default the Star's `starPeriod(x, width)` */
  period?: (x: number) => number;
  /** columns per bin, default 1 (one fit per column) */
  binWidth?: number;
  /** rows [y0, y1) used in the fits; default all */
  rows?: [number, number];
  /** one byte per pixel, non-zero = use */
  mask?: Uint8Array;
}

/** One fitted bin of columns [x0, x1). */
export interface StarBin {
  x0: number;
  x1: number;
  /** centre column and its period p, px */
  x: number;
  period: number;
  /** in-phase amplitude ratio a/A (the measured transfer; negative when the method inverts the cosine) */
  ratio: number;
  /** fitted coefficients, px: a (in phase), b (quadrature), c (offset) */
  inPhase: number;
  quadrature: number;
  offset: number;
  /** √(a² + b²), px */
  amplitude: number;
  /** valid samples in the bin */
  n: number;
  /** residual sum of squares and residual std √(rss/(n − 3)), px */
  rss: number;
  residualStd: number;
}

export interface StarProfile {
  trueAmplitude: number;
  bins: StarBin[];
}

/**
 * Measured amplitude of the Star cosine per column (or bin of columns).
 *
 * @param v measured v field, width*height row-major, px; NaN where the tracker gave up
 * @returns one bin per `binWidth` columns, left to right; bins with too few valid samples have NaN fits
 * @throws LabError E_SIZE_MISMATCH when v (or the mask) is not width*height, E_INVALID_INPUT for bad options
 */
export function starAmplitudeProfile(v: FieldArray, width: number, height: number, opts: StarProfileOptions = {}): StarProfile {
  checkNumber('starAmplitudeProfile', 'width', width, 1);
  checkNumber('starAmplitudeProfile', 'height', height, 1);
  checkSameLength('starAmplitudeProfile', { [`width × height (${width} × ${height})`]: { length: width * height }, v, mask: opts.mask });
  const A = opts.amplitude ?? STAR.amplitude;
  checkNumber('starAmplitudeProfile', 'amplitude', A, Number.MIN_VALUE);
  const yc = opts.yc ?? (height - 1) / 2;
  const periodOf = opts.period ?? ((x: number) => starPeriod(x, width));
  const binWidth = opts.binWidth ?? 1;
  checkNumber('starAmplitudeProfile', 'binWidth', binWidth, 1, width);
  if (!Number.isInteger(binWidth)) throw new LabError('E_INVALID_INPUT', `starAmplitudeProfile: binWidth = ${binWidth} must be a whole number of columns.`);
  const [y0, y1] = opts.rows ?? [0, height];
  if (!(Number.isInteger(y0) && Number.isInteger(y1) && 0 <= y0 && y0 < y1 && y1 <= height)) {
    throw new LabError('E_INVALID_INPUT', `starAmplitudeProfile: rows [${y0}, ${y1}) must be whole rows within [0, ${height}).`);
  }
  const mask = opts.mask;

  const bins: StarBin[] = [];
  for (let x0 = 0; x0 < width; x0 += binWidth) {
    const x1 = Math.min(width, x0 + binWidth);
    const acc = new HarmonicAccumulator();
    for (let x = x0; x < x1; x++) {
      const k = (2 * Math.PI) / periodOf(x);
      for (let y = y0; y < y1; y++) {
        const i = y * width + x;
        if (mask && mask[i] === 0) continue;
        acc.add(k * (y - yc), v[i]);
      }
    }
    const f = acc.solve();
    const xc = 0.5 * (x0 + x1 - 1);
    bins.push({
      x0,
      x1,
      x: xc,
      period: periodOf(xc),
      ratio: f.a / A,
      inPhase: f.a,
      quadrature: f.b,
      offset: f.c,
      amplitude: Math.hypot(f.a, f.b),
      n: f.n,
      rss: f.rss,
      residualStd: f.n > 3 ? Math.sqrt(f.rss / (f.n - 3)) : NaN,
    });
  }
  return { trueAmplitude: A, bins };
}

export interface SpatialResolutionOptions {
  /** largest tolerated |ratio − 1|; default 0.1 (the DIC Challenge 2.0 criterion) */
  biasThreshold?: number;
  /** bins with period ≥ this form the noise region; default the longest quarter of the measured range */
  noiseMinPeriod?: number;
  /**
   * Centred moving average of the ratio over this many bins (odd) before looking for the crossing;
   * default 1 (none). Noise makes the FIRST crossing come early (at a longer period): with one bin per
   * column and σ = 0.01 px that is about 1 px; bins of 10 columns, or smoothing over ~11, remove most of it.
   */
  smoothBins?: number;
}

export interface SpatialResolution {
  /**
   * Period at which |ratio − 1| first exceeds the threshold, scanning from long periods down, linearly
   * interpolated between the two bins around the crossing, px. For 'not-reached' it is the shortest
   * period measured (the resolution is at most that); NaN for 'fails-at-longest' or no valid bin.
   */
  period: number;
  status: 'crossing' | 'not-reached' | 'fails-at-longest' | 'no-data';
  threshold: number;
  /** pooled residual std √(Σ rss / Σ (n − 3)) over the noise region, px */
  noise: number;
  /** [shortest, longest] period of the bins pooled for the noise, px */
  noiseRegion: [number, number];
}

/**
 * Spatial resolution and noise level from a Star profile (Reu et al. 2022): the shortest period still
 * measured within `biasThreshold` of the true amplitude, found as the FIRST crossing when scanning from
 * long periods down, so that a ratio returning near 1 at shorter periods (noise, aliasing, a lucky phase)
 * does not get credit for them. Bins with NaN ratio are skipped.
 */
export function spatialResolution(profile: StarProfile, opts: SpatialResolutionOptions = {}): SpatialResolution {
  const thr = opts.biasThreshold ?? 0.1;
  checkNumber('spatialResolution', 'biasThreshold', thr, Number.MIN_VALUE, 1);
  const w = opts.smoothBins ?? 1;
  if (!(Number.isInteger(w) && w >= 1 && w % 2 === 1)) {
    throw new LabError('E_INVALID_INPUT', `spatialResolution: smoothBins = ${w} must be an odd whole number (1 = no smoothing).`);
  }
  const valid = profile.bins.filter((b) => Number.isFinite(b.ratio) && Number.isFinite(b.period));
  valid.sort((a, b) => b.period - a.period);
  if (valid.length === 0) return { period: NaN, status: 'no-data', threshold: thr, noise: NaN, noiseRegion: [NaN, NaN] };

  const pMax = valid[0].period;
  const pMin = valid[valid.length - 1].period;
  const noiseMin = opts.noiseMinPeriod ?? pMax - 0.25 * (pMax - pMin);
  let rss = 0;
  let dof = 0;
  let lo = Infinity;
  for (const b of valid) {
    if (b.period < noiseMin || !(b.n > 3) || !Number.isFinite(b.rss)) continue;
    rss += b.rss;
    dof += b.n - 3;
    lo = Math.min(lo, b.period);
  }
  const noise = dof > 0 ? Math.sqrt(rss / dof) : NaN;
  const base = { threshold: thr, noise, noiseRegion: [dof > 0 ? lo : NaN, dof > 0 ? pMax : NaN] as [number, number] };

  const ratio = smooth(valid.map((b) => b.ratio), w);
  const err = (j: number) => Math.abs(ratio[j] - 1);
  if (err(0) > thr) return { ...base, period: NaN, status: 'fails-at-longest' };
  for (let j = 1; j < valid.length; j++) {
    const e2 = err(j);
    if (e2 <= thr) continue;
    const e1 = err(j - 1);
    const t = (thr - e1) / (e2 - e1);
    const p = valid[j - 1].period + t * (valid[j].period - valid[j - 1].period);
    return { ...base, period: p, status: 'crossing' };
  }
  return { ...base, period: pMin, status: 'not-reached' };
}

/** Centred moving average over `w` values (odd), shrinking the window at the ends. */
function smooth(x: number[], w: number): number[] {
  if (w === 1) return x;
  const h = (w - 1) / 2;
  return x.map((_, i) => {
    let s = 0;
    let n = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(x.length - 1, i + h); j++) {
      s += x[j];
      n++;
    }
    return s / n;
  });
}
