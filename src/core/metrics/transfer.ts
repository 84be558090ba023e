/**
 * @file Theoretical transfer of a subset: the amplitude ratio with which averaging over a window of N px
 * passes a sinusoidal displacement of period p. A uniform window of width N is a box filter, whose
 * frequency response at f = 1/p is sinc(N·f) = sin(πN/p)/(πN/p). A subset DIC with a zero-order (rigid)
 * shape function behaves like this box filter to first order (Schreier & Sutton, Exp. Mech. 42 (2002)
 * 303, doi:10.1007/BF02410987; Reu et al., DIC Challenge 2.0, Exp. Mech. 62 (2022) 639,
 * doi:10.1007/s11340-021-00806-6, compare the Star results with it). A first-order shape function follows
 * a sinusoid better than the box predicts, and Gaussian-weighted subsets roll off more smoothly, so treat
 * sinc(N/p) as the reference curve to compare a measured transfer with, not as an exact prediction.
 */
import { LabError } from '../errors';
import { checkNumber } from './sums';

/** Normalised sinc: sin(πt)/(πt), 1 at t = 0 (series there, to stay accurate near 0). */
export function sinc(t: number): number {
  const x = Math.PI * t;
  if (Math.abs(x) < 1e-4) return 1 - (x * x) / 6;
  return Math.sin(x) / x;
}

/**
 * Amplitude ratio sinc(N/p) of a uniform N-px subset averaging a sine of period p px.
 *
 * @param subset window width N, px (> 0)
 * @param period period p of the sine, px (> 0)
 */
export function subsetTransferFunction(subset: number, period: number): number {
  checkNumber('subsetTransferFunction', 'subset', subset, Number.MIN_VALUE);
  checkNumber('subsetTransferFunction', 'period', period, Number.MIN_VALUE);
  return sinc(subset / period);
}

/**
 * The period at which a uniform N-px subset passes a sine with amplitude ratio `ratio` (0 < ratio < 1),
 * i.e. the solution p > N of sinc(N/p) = ratio on the main lobe. For ratio = 0.9 this is the spatial
 * resolution the box model predicts under the DIC Challenge 2.0 10 % criterion: p ≈ 3.99·N (84 px for N = 21).
 */
export function periodAtTransfer(subset: number, ratio = 0.9): number {
  checkNumber('periodAtTransfer', 'subset', subset, Number.MIN_VALUE);
  if (!(ratio > 0 && ratio < 1)) {
    throw new LabError('E_INVALID_INPUT', `periodAtTransfer: ratio = ${ratio} must lie strictly between 0 and 1.`);
  }
  // sinc is monotonic from 1 down to 0 on t ∈ [0, 1]: bisect there, then p = N/t.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (sinc(mid) > ratio) lo = mid;
    else hi = mid;
  }
  return subset / (0.5 * (lo + hi));
}
