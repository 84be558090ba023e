/**
 * @file Amplitude ratio of a single-period sinusoidal displacement u = A·sin(2πx/P) (x = column, as
 * `lab simulate pair --field sine:AMP,PERIOD` makes it, src/core/synth/fields.ts): the measured transfer of
 * a method at one period, the one-point version of the Star profile (star.ts). Same least-squares fit of
 * the known phase law (harmonic-fit.ts), over every valid pixel of the field.
 */
import { LabError } from '../errors';
import { HarmonicAccumulator } from './harmonic-fit';
import { checkNumber, checkSameLength, type FieldArray } from './sums';

export interface SineRatioOptions {
  /** true amplitude A, px */
  amplitude: number;
  /** true period P, px */
  period: number;
  /** one byte per pixel, non-zero = use */
  mask?: Uint8Array;
}

export interface SineRatio {
  /** in-phase amplitude ratio a/A (negative when the method inverts the sine) */
  ratio: number;
  /** fitted coefficients, px: u ≈ a·sin(2πx/P) − b·cos(2πx/P) + c (b > 0 is a lag of the measured sine) */
  inPhase: number;
  quadrature: number;
  offset: number;
  /** valid pixels used */
  n: number;
  /** residual std after the fit, px: the measurement noise */
  residualStd: number;
}

/**
 * Fits the known sine to a measured u field (width*height, row-major, px).
 *
 * @throws LabError E_SIZE_MISMATCH when u or the mask is not width*height, E_INVALID_INPUT for a
 *   non-positive amplitude or period
 */
export function sineAmplitudeRatio(u: FieldArray, width: number, height: number, opts: SineRatioOptions): SineRatio {
  checkNumber('sineAmplitudeRatio', 'amplitude', opts.amplitude, Number.MIN_VALUE);
  checkNumber('sineAmplitudeRatio', 'period', opts.period, Number.MIN_VALUE);
  checkSameLength('sineAmplitudeRatio', { [`width × height (${width} × ${height})`]: { length: width * height }, u, mask: opts.mask });
  if (!Number.isInteger(width) || !Number.isInteger(height)) {
    throw new LabError('E_INVALID_INPUT', `sineAmplitudeRatio: width and height (${width}, ${height}) must be whole numbers of pixels.`);
  }
  // A·sin(kx) = A·cos(kx − π/2): with φ = kx − π/2 the truth is A·cos φ, the accumulator's in-phase term.
  const k = (2 * Math.PI) / opts.period;
  const acc = new HarmonicAccumulator();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (opts.mask && opts.mask[i] === 0) continue;
      acc.add(k * x - Math.PI / 2, u[i]);
    }
  }
  const f = acc.solve();
  return {
    ratio: f.a / opts.amplitude,
    inPhase: f.a,
    quadrature: f.b,
    offset: f.c,
    n: f.n,
    residualStd: f.n > 3 ? Math.sqrt(f.rss / (f.n - 3)) : NaN,
  };
}
