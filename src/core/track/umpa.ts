/**
 * @file UMPA, Unified Modulated Pattern Analysis (M.-C. Zdora, P. Thibault, T. Zhou, F. J. Koch,
 * J. Romell, S. Sala, A. Last, C. Rau, I. Zanette, Phys. Rev. Lett. 118, 203903 (2017)): X-ray speckle
 * tracking that fits, window by window, a model of the sample image as the shifted reference speckle
 * pattern attenuated by the transmission T and with its visibility reduced by the dark-field D, summed
 * over K ≥ 1 frames taken at the same diffuser positions with and without the sample.
 *
 * Note: UMPA model and outputs. For a grid point x, integer shift d ∈ [−R, R]² and Hamming window weights
 * w (numpy.hamming(N) ⊗ numpy.hamming(N), Σw = W), with r_k = I_ref,k(x + ω) and s_k = I_sample,k(x + d + ω):
 *  - without dark field: s_k ≈ T·r_k; T = ΣX/ΣB, X_k = Σw·s_k·r_k, B_k = Σw·r_k²;
 *  - with dark field:    s_k ≈ T·(⟨r_k⟩ + D·(r_k − ⟨r_k⟩)) = β·⟨r_k⟩ + K·r_k, ⟨r_k⟩ = Σw·r_k / W the
 *    weighted mean of the reference window; β, K by 2×2 linear least squares, T = β + K, D = K / T
 *    (D = 1: speckle visibility unchanged; D < 1: visibility reduced by small-angle scattering).
 * The residual Σ_k Σ_ω w·(s_k − model)² is minimised over d, and the 3×3 neighbourhood of the best
 * integer d gets a least-squares paraboloid (Note: UMPA sub-pixel fit, below); the point is NaN
 * when the minimum is on the search border, the paraboloid is not a minimum or its vertex is 1 px or
 * more away. Outputs: u, v (px); quality = 1 − cost at the best integer shift, where cost is the
 * residual divided by Σ_k Σw·s_k² (no dark field: cost = 1 − uncentred correlation²) or by the centred
 * energy Σ_k Σw·(s_k − ⟨s_k⟩)² (dark field: cost = 1 − weighted Pearson correlation² for one frame);
 * extra 'transmission' = T and 'darkfield' = D at the best integer shift ('darkfield' is NaN when
 * darkField is false, as it is not modelled).
 *
 * Note: Departures from the UMPA reference code. (1) Sign and anchoring: UMPA fixes the sample window and
 * shifts the reference, so its shift lives on the sample (detector) grid and is often reported with the
 * opposite sign. Here the reference window is fixed at the grid point x and the sample window moves to
 * x + d, so u obeys I_def(x + u) = I_ref(x) at the reference position x, like every tracker of the
 * project (Note: Tracking convention, in types.ts). (2) Because the data window then changes with d, the
 * raw residual would favour dark windows; dividing by the sample-window energy makes the cost
 * scale-free, and its minimiser is the maximum of the same (weighted) correlation UMPA maximises.
 * (3) T and D are reported at the integer minimum, not interpolated. Where u is not an integer the
 * integer-shifted reference matches the sample only partly, which the model reads as a little visibility
 * loss: on 4 px synthetic speckle (window 11) D is 0.95 instead of 1 at shift (0.6, 1.2) and 0.465
 * instead of 0.5 at (0.5, 0.5); T is unaffected (within 0.01). Re-fitting T and D at the sub-pixel
 * shift with an interpolated sample window would remove this.
 *
 * Note: UMPA sub-pixel fit. The least-squares paraboloid on the 3×3 neighbourhood is fitted to
 * −ln(1 − cost) rather than to the cost: 1 − cost is a squared correlation coefficient, whose peak is
 * close to a Gaussian for speckle, and the logarithm turns a Gaussian into an exact paraboloid (the 2-D
 * analogue of the Gaussian 3-point fit; Pan et al. 2009, §3.2). Measured on 128² synthetic speckle
 * (4 px, window 21): the plain-cost paraboloid has a shift-dependent error up to 0.08 px median at
 * half-pixel shifts (pixel locking), the log form 0.01–0.013 px at every fraction; with window 11 and
 * noise both are about 0.07 px. Where a neighbour has 1 − cost ≤ 0 the plain cost is fitted instead.
 *
 * Cost: every Σw·(…) is a Hamming-weighted window sum for all grid points at once (window-sums.ts,
 * 'Separable running window sums'): sample sums Σw·s, Σw·s² once per tile for every reachable position,
 * reference sums once per point, and per shift and frame only the product image r·s(· + d).
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { quadraticPeak, ShiftPeakTracker } from './subpixel';
import type { GridSpec, Tile, TileOutput, TrackKernel, UmpaOptions } from './types';
import { productRows, regularStarts, WindowSums, windowWeights } from './window-sums';
import { checkWindowSearch, cropRegion, tileGeometry } from './zncc';

/** What `prepare` hands to `runTile`: the frames, shared, not copied. */
export interface UmpaPrepared {
  width: number;
  height: number;
  refs: Float32Array[];
  defs: Float32Array[];
}

/** Relative size below which an energy counts as zero (flat window): far under float32 data resolution. */
const FLAT = 1e-10;

function validate(opts: UmpaOptions, width: number, height: number): void {
  checkWindowSearch('UMPA', opts.window, opts.search, width, height);
  if (typeof opts.darkField !== 'boolean') {
    throw new LabError('E_INVALID_INPUT', `The UMPA dark-field option ${String(opts.darkField)} is not true or false; set darkField to true to fit the dark-field model.`);
  }
}

function prepare(refs: GreyImage[], defs: GreyImage[], opts: UmpaOptions): UmpaPrepared {
  if (refs.length === 0 || refs.length !== defs.length) {
    throw new LabError(
      'E_INVALID_INPUT',
      `UMPA needs one sample frame per reference frame, taken at the same diffuser positions (got ${refs.length} reference and ${defs.length} sample frames).`,
    );
  }
  const { width, height } = refs[0];
  for (const [k, img] of [...refs, ...defs].entries()) {
    if (img.width !== width || img.height !== height) {
      const which = k < refs.length ? `Reference frame ${k + 1}` : `Sample frame ${k - refs.length + 1}`;
      throw new LabError('E_SIZE_MISMATCH', `${which} is ${img.width}×${img.height} but reference frame 1 is ${width}×${height}; all frames must have the same size.`);
    }
  }
  validate(opts, width, height);
  return { width, height, refs: refs.map((r) => r.data), defs: defs.map((d) => d.data) };
}

function runTile(prep: UmpaPrepared, grid: GridSpec, tile: Tile, active: Uint8Array, out: TileOutput, opts: UmpaOptions): void {
  const T = out.extra.transmission, D = out.extra.darkfield;
  for (const a of [out.u, out.v, out.quality, T, D]) a?.fill(Number.NaN);
  const N = opts.window, M = (N - 1) / 2, R = opts.search, step = grid.step, nk = prep.refs.length;
  const { width } = prep;
  const g = tileGeometry(grid, tile, active, width, prep.height, M, R);
  if (!g) return;
  const { ni, nj, rx0, ry0, rw, rh } = g;
  const np = ni * nj;
  const w1 = windowWeights('hamming', N);
  const W = w1.reduce((s, x) => s + x, 0) ** 2;

  const sx0 = rx0 - R, sy0 = ry0 - R, swr = rw + 2 * R, shr = rh + 2 * R;
  const sw = swr - N + 1, sh = shr - N + 1; // sample-window positions (see zncc.ts for the indexing)
  const sums = new WindowSums('hamming', N, regularStarts(ni, step), regularStarts(nj, step), rw, rh);
  const ssums = new WindowSums('hamming', N, regularStarts(sw, 1), regularStarts(sh, 1), swr, shr);
  const rr: Float64Array[] = [], ss: Float64Array[] = [], s1: Float64Array[] = [], s2: Float64Array[] = [], xk: Float64Array[] = [];
  const sumB = new Float64Array(np), sumA2 = new Float64Array(np);
  const mk: Float64Array[] = []; // ⟨r_k⟩ per point
  const tmp = new Float64Array(Math.max(rw * rh, swr * shr)), a = new Float64Array(np), b = new Float64Array(np);
  for (let k = 0; k < nk; k++) {
    rr.push(cropRegion(prep.refs[k], width, rx0, ry0, rw, rh));
    ss.push(cropRegion(prep.defs[k], width, sx0, sy0, swr, shr));
    sums.sum(rr[k], a);
    for (let q = 0; q < rw * rh; q++) tmp[q] = rr[k][q] * rr[k][q];
    sums.sum(tmp, b);
    mk.push(new Float64Array(np));
    for (let p = 0; p < np; p++) {
      sumB[p] += b[p];
      sumA2[p] += a[p] * a[p];
      mk[k][p] = a[p] / W;
    }
    s1.push(new Float64Array(sw * sh));
    s2.push(new Float64Array(sw * sh));
    ssums.sum(ss[k], s1[k]);
    for (let q = 0; q < swr * shr; q++) tmp[q] = ss[k][q] * ss[k][q];
    ssums.sum(tmp, s2[k]);
    xk.push(new Float64Array(np));
  }
  // Dark-field normal equations [[aa, aa], [aa, sumB]]·(β, K) = (Σ⟨r_k⟩·S1_k, ΣX_k), aa = Σ_k A_k²/W;
  // cc = sumB − aa is the weighted centred reference energy (0 for flat windows: no fit possible).
  const aa = new Float64Array(np), cc = new Float64Array(np);
  for (let p = 0; p < np; p++) {
    aa[p] = sumA2[p] / W;
    cc[p] = sumB[p] - aa[p];
    const flat = opts.darkField ? !(cc[p] > FLAT * sumB[p]) : !(sumB[p] > 0);
    if (flat) cc[p] = sumB[p] = Number.NaN; // poisons every cost of the point, so it stays NaN
  }

  const tracker = new ShiftPeakTracker(np, R);
  const logPatch = new Float64Array(9);
  const bestT = new Float64Array(np).fill(Number.NaN), bestD = new Float64Array(np).fill(Number.NaN);
  const score = new Float64Array(np), tNow = new Float64Array(np), dNow = new Float64Array(np);
  const carry = [tNow, dNow], kept = [bestT, bestD];
  const { rows, cols } = sums;
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      for (let k = 0; k < nk; k++) {
        productRows(rr[k], rw, ss[k], swr, (R + dy) * swr + R + dx, rows, cols, tmp);
        sums.sum(tmp, xk[k]);
      }
      for (let jj = 0; jj < nj; jj++) {
        const sRow = (jj * step + R + dy) * sw + R + dx;
        for (let ii = 0, p = jj * ni; ii < ni; ii++, p++) {
          const q = sRow + ii * step;
          let X = 0, S2 = 0, P = 0, E = 0;
          for (let k = 0; k < nk; k++) {
            X += xk[k][p];
            S2 += s2[k][q];
            if (opts.darkField) {
              P += mk[k][p] * s1[k][q];
              E += s2[k][q] - (s1[k][q] * s1[k][q]) / W;
            }
          }
          let cost: number, t: number, d: number;
          if (opts.darkField) {
            const kk = (X - P) / cc[p]; // K = (q − p)/(c − a) from the 2×2 system
            const beta = P / aa[p] - kk; // first row: a·β + a·K = p
            cost = E > FLAT * S2 ? (S2 - beta * P - kk * X) / E : Number.NaN;
            t = beta + kk;
            d = kk / t;
          } else {
            t = X / sumB[p];
            cost = 1 - (X * t) / S2;
            d = Number.NaN;
          }
          score[p] = -cost;
          tNow[p] = t;
          dNow[p] = d;
        }
      }
      tracker.beginShift(dx, dy);
      tracker.offerAll(score, carry, kept);
    }
  }

  for (let jj = 0; jj < nj; jj++) {
    for (let ii = 0; ii < ni; ii++) {
      const o = (g.ja + jj - tile.j0) * tile.ni + (g.ia + ii - tile.i0);
      const p = jj * ni + ii;
      if (!active[o] || !tracker.interior(p)) continue;
      const fit = subpixelMinimum(tracker.patch, 9 * p, logPatch);
      if (!fit.ok || Math.abs(fit.dx) >= 1 || Math.abs(fit.dy) >= 1) continue;
      out.u[o] = tracker.bestDx[p] + fit.dx;
      out.v[o] = tracker.bestDy[p] + fit.dy;
      out.quality[o] = 1 + tracker.best[p];
      if (T) T[o] = bestT[p];
      if (D) D[o] = bestD[p];
    }
  }
}

/**
 * Sub-pixel minimum of the cost from the tracker's patch of −cost (see Note: UMPA sub-pixel fit): the
 * paraboloid through ln(1 − cost), or through the cost itself where some 1 − cost ≤ 0.
 */
function subpixelMinimum(patch: Float64Array, offset: number, scratch: Float64Array) {
  for (let z = 0; z < 9; z++) {
    const q = 1 + patch[offset + z];
    if (!(q > 0)) return quadraticPeak(patch, offset, 'max');
    scratch[z] = Math.log(q);
  }
  return quadraticPeak(scratch, 0, 'max');
}

/** The UMPA kernel (see the file notes); registered in kernels.ts. */
export const umpaKernel: TrackKernel<'umpa', UmpaPrepared> = {
  method: 'umpa',
  extraOutputs: ['transmission', 'darkfield'],
  margin: (opts) => (opts.window - 1) / 2 + opts.search,
  validate,
  prepare,
  runTile,
};
