/**
 * @file ZNCC block matching: for every grid point, the zero-normalised cross-correlation between the
 * reference window centred at x and the deformed window centred at x + d, for every integer shift d in
 * [−R, R]², the best d, and a sub-pixel peak fit (see Note: Sub-pixel peak fitting, in subpixel.ts).
 * Convention (Note: Tracking convention, in types.ts): I_def(x + u) = I_ref(x), so the deformed window
 * that matches best sits at x + u and u = d + sub-pixel offset. Reference: B. Pan, K. Qian, H. Xie,
 * A. Asundi, Meas. Sci. Technol. 20 (2009) 062001 (ZNCC criterion §2.3, sub-pixel peak fitting §3.2).
 *
 * Note: ZNCC cost. With n = N² pixels per window,
 *   C(x, d) = (Σfg − Σf·Σg/n) / √((Σf² − (Σf)²/n)·(Σg² − (Σg)²/n)),  f = I_ref(x + w), g = I_def(x + d + w).
 * The window sums of g and g² are computed once per tile for every pixel position the search can reach,
 * those of f and f² once per grid point; only Σfg depends on d. For each shift the kernel forms the
 * product image I_ref(y)·I_def(y + d) on the pixels the windows cover and sums it over every grid
 * point's window at once with separable running sums (window-sums.ts). The plan is chosen per tile
 * from the grid geometry: for overlapping windows (step < N, the dense case) each pass costs O(1) per
 * pixel, so a shift costs O(pixels) instead of O(points·N²); for windows that do not overlap
 * (step ≥ N, sparse grids) the passes sum directly, about 2·N² per point and shift, the cost of direct
 * per-point sums. Before summing, each image has its tile mean subtracted (ZNCC ignores offsets), so
 * sums of squares on data with large offsets (16-bit detectors) keep their precision.
 * Windows whose variance is below 1e-10 of the tile's mean square (flat, saturated or empty regions)
 * give NaN: for the reference window the point is NaN, for a deformed window that shift is undefined.
 * quality = the peak coefficient at the best integer shift (not the fitted value, which may exceed 1).
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { gaussianPeak, quadraticPeak, ShiftPeakTracker } from './subpixel';
import type { GridSpec, Tile, TileOutput, TrackKernel, ZnccOptions } from './types';
import { checkWindowSearch, cropRegion, productRows, regularStarts, tileGeometry, WindowSums } from './window-sums';

/** What `prepare` hands to `runTile`: the two images, shared, not copied. */
export interface ZnccPrepared {
  width: number;
  height: number;
  ref: Float32Array;
  def: Float32Array;
}

/** Mean of the rectangle and mean square about it, for centring and for the flat-window threshold. */
function regionStats(data: Float32Array, width: number, x0: number, y0: number, w: number, h: number): { mean: number; meanSq: number } {
  let s = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) s += data[(y0 + y) * width + x0 + x];
  const mean = s / (w * h);
  let q = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) q += (data[(y0 + y) * width + x0 + x] - mean) ** 2;
  return { mean, meanSq: q / (w * h) };
}

function validate(opts: ZnccOptions, width: number, height: number): void {
  checkWindowSearch('ZNCC', opts.window, opts.search, width, height);
  if (opts.subpixel !== 'gaussian' && opts.subpixel !== 'newton') {
    throw new LabError('E_INVALID_INPUT', `The ZNCC sub-pixel estimator "${String(opts.subpixel)}" is unknown; use "gaussian" or "newton".`);
  }
  if (!Number.isFinite(opts.minQuality) || opts.minQuality < -1 || opts.minQuality > 1) {
    throw new LabError('E_INVALID_INPUT', `The ZNCC minimum quality ${opts.minQuality} is not a correlation coefficient; use a number between -1 and 1, such as 0.5.`);
  }
}

function prepare(refs: GreyImage[], defs: GreyImage[], opts: ZnccOptions): ZnccPrepared {
  if (refs.length !== 1 || defs.length !== 1) {
    throw new LabError('E_INVALID_INPUT', `ZNCC tracks one image pair (got ${refs.length} reference and ${defs.length} deformed frames); use UMPA for several frames.`);
  }
  const [r, d] = [refs[0], defs[0]];
  if (r.width !== d.width || r.height !== d.height) {
    throw new LabError('E_SIZE_MISMATCH', `The deformed image is ${d.width}×${d.height} but the reference is ${r.width}×${r.height}; both must have the same size.`);
  }
  validate(opts, r.width, r.height);
  return { width: r.width, height: r.height, ref: r.data, def: d.data };
}

function runTile(prep: ZnccPrepared, grid: GridSpec, tile: Tile, active: Uint8Array, out: TileOutput, opts: ZnccOptions): void {
  for (const a of [out.u, out.v, out.quality]) a.fill(Number.NaN);
  const N = opts.window, M = (N - 1) / 2, R = opts.search, n = N * N, step = grid.step;
  const { width } = prep;
  const g = tileGeometry(grid, tile, active, width, prep.height, M, R);
  if (!g) return;
  const { ni, nj, rx0, ry0, rw, rh } = g;
  const np = ni * nj;

  // Reference windows: Σf and the variance term, once per point.
  const fs = regionStats(prep.ref, width, rx0, ry0, rw, rh);
  const rr = cropRegion(prep.ref, width, rx0, ry0, rw, rh, fs.mean);
  const sums = new WindowSums('box', N, regularStarts(ni, step), regularStarts(nj, step), rw, rh);
  const prod = new Float64Array(rw * rh);
  const sf = new Float64Array(np), sff = new Float64Array(np), cross = new Float64Array(np);
  sums.sum(rr, sf);
  for (let k = 0; k < rr.length; k++) prod[k] = rr[k] * rr[k];
  sums.sum(prod, sff);
  const invF = new Float64Array(np); // 1/√var_f, or NaN for flat windows
  for (let p = 0; p < np; p++) {
    const v = sff[p] - (sf[p] * sf[p]) / n;
    invF[p] = v > 1e-10 * n * fs.meanSq ? 1 / Math.sqrt(v) : Number.NaN;
  }

  // Deformed windows: Σg and 1/√var_g at every pixel position a shifted window can be centred on.
  const dx0 = rx0 - R, dy0 = ry0 - R, dw = rw + 2 * R, dh = rh + 2 * R;
  const ds = regionStats(prep.def, width, dx0, dy0, dw, dh);
  const dd = cropRegion(prep.def, width, dx0, dy0, dw, dh, ds.mean);
  const sw = dw - N + 1, sh = dh - N + 1; // positions: region-relative centres M … dw−1−M
  const dsums = new WindowSums('box', N, regularStarts(sw, 1), regularStarts(sh, 1), dw, dh);
  const sg = new Float64Array(sw * sh), invG = new Float64Array(sw * sh);
  dsums.sum(dd, sg);
  const dsq = new Float64Array(dd.length);
  for (let k = 0; k < dd.length; k++) dsq[k] = dd[k] * dd[k];
  dsums.sum(dsq, invG);
  for (let k = 0; k < sw * sh; k++) {
    const v = invG[k] - (sg[k] * sg[k]) / n;
    invG[k] = v > 1e-10 * n * ds.meanSq ? 1 / Math.sqrt(v) : Number.NaN;
  }

  const tracker = new ShiftPeakTracker(np, R);
  const score = new Float64Array(np), sfn = sf.map((v) => v / n);
  const { rows, cols } = sums;
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      // Σfg for all points: product on the pixels the windows read, then window sums.
      productRows(rr, rw, dd, dw, (R + dy) * dw + R + dx, rows, cols, prod);
      sums.sum(prod, cross);
      for (let jj = 0; jj < nj; jj++) {
        // Point (ii, jj) sits at region offset (ii·step + M, jj·step + M); its shifted window's centre
        // in the deformed region is R + dx further, i.e. stats index (jj·step + R + dy, ii·step + R + dx).
        const sRow = (jj * step + R + dy) * sw + R + dx;
        for (let ii = 0, p = jj * ni; ii < ni; ii++, p++) {
          const k = sRow + ii * step;
          score[p] = (cross[p] - sfn[p] * sg[k]) * invF[p] * invG[k];
        }
      }
      tracker.beginShift(dx, dy);
      tracker.offerAll(score);
    }
  }

  for (let jj = 0; jj < nj; jj++) {
    for (let ii = 0; ii < ni; ii++) {
      const o = (g.ja + jj - tile.j0) * tile.ni + (g.ia + ii - tile.i0);
      const p = jj * ni + ii;
      if (!active[o] || !tracker.interior(p)) continue;
      const q = tracker.best[p];
      if (!(q >= opts.minQuality)) continue;
      const fit = opts.subpixel === 'gaussian' ? gaussianPeak(tracker.patch, 9 * p) : quadraticPeak(tracker.patch, 9 * p, 'max');
      if (!fit.ok || Math.abs(fit.dx) >= 1 || Math.abs(fit.dy) >= 1) continue;
      out.u[o] = tracker.bestDx[p] + fit.dx;
      out.v[o] = tracker.bestDy[p] + fit.dy;
      out.quality[o] = q;
    }
  }
}

/** The ZNCC kernel (see the file note); registered in kernels.ts. */
export const znccKernel: TrackKernel<'zncc', ZnccPrepared> = {
  method: 'zncc',
  extraOutputs: [],
  margin: (opts) => (opts.window - 1) / 2 + opts.search,
  validate,
  prepare,
  runTile,
};
