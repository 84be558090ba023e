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
 * point's window at once with separable window sums (window-sums.ts). Dense or sparse is picked per
 * call and per axis from the grid geometry by a measured cost model: where windows overlap (small steps,
 * the dense case) each pass is a running sum, O(1) per pixel whatever N, so a shift costs O(pixels)
 * instead of O(points·N²); where they hardly overlap (step ≳ N/2, sparse grids) the passes sum the taps
 * directly and only over the pixels inside windows, about the cost of direct per-point sums. Before
 * summing, each image has its tile mean subtracted (ZNCC ignores offsets), so sums of squares on data
 * with large offsets (16-bit detectors) keep their precision.
 * Windows whose variance is below 1e-10 of the tile's pixel variance (flat, saturated or empty regions)
 * give NaN: for the reference window the point is NaN, for a deformed window that shift is undefined.
 * quality = the peak coefficient at the best integer shift (not the fitted value, which may exceed 1).
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { gaussianPeak, quadraticPeak, ShiftPeakTracker } from './subpixel';
import type { GridSpec, Tile, TileOutput, TrackKernel, ZnccOptions } from './types';
import { productRows, regularStarts, WindowSums } from './window-sums';

/** What `prepare` hands to `runTile`: the two images, shared, not copied. */
export interface ZnccPrepared {
  width: number;
  height: number;
  ref: Float32Array;
  def: Float32Array;
}

// Block-matching tile geometry and option checks, shared with umpa.ts.

/**
 * The grid indices k in [k0, k0+count) whose pixel o + k·step lies in [lo, hi]: a contiguous run,
 * returned as [first, end) (empty when first ≥ end). Kernels use it to drop points whose window or search
 * would leave the image, whatever grid they are given.
 */
export function indexRange(o: number, step: number, k0: number, count: number, lo: number, hi: number): [number, number] {
  const first = Math.max(k0, Math.ceil((lo - o) / step));
  const end = Math.min(k0 + count, Math.floor((hi - o) / step) + 1);
  return [first, Math.max(first, end)];
}

/** Points of a tile that can be measured, and the image regions their windows and search reach. */
export interface TileGeometry {
  /** grid index ranges [ia, ib) × [ja, jb) */
  ia: number;
  ib: number;
  ja: number;
  jb: number;
  ni: number;
  nj: number;
  /** reference region: windows of all points (top-left corner, size) */
  rx0: number;
  ry0: number;
  rw: number;
  rh: number;
}

/**
 * The rectangle of a tile's grid points that are active and far enough from the border for half-window
 * `half` plus search `radius`; null when there is none.
 */
export function tileGeometry(
  grid: GridSpec, tile: Tile, active: Uint8Array, width: number, height: number, half: number, radius: number,
): TileGeometry | null {
  const m = half + radius;
  let [ia, ib] = indexRange(grid.x0, grid.step, tile.i0, tile.ni, m, width - 1 - m);
  let [ja, jb] = indexRange(grid.y0, grid.step, tile.j0, tile.nj, m, height - 1 - m);
  // Shrink to the active points' bounding box, so a small mask ROI costs what it covers.
  let i0 = ib, i1 = ia - 1, j0 = jb, j1 = ja - 1;
  for (let j = ja; j < jb; j++) {
    for (let i = ia; i < ib; i++) {
      if (!active[(j - tile.j0) * tile.ni + (i - tile.i0)]) continue;
      if (i < i0) i0 = i;
      if (i > i1) i1 = i;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
    }
  }
  if (i1 < i0 || j1 < j0) return null;
  [ia, ib, ja, jb] = [i0, i1 + 1, j0, j1 + 1];
  const ni = ib - ia, nj = jb - ja, s = grid.step;
  const rx0 = grid.x0 + ia * s - half, ry0 = grid.y0 + ja * s - half;
  return { ia, ib, ja, jb, ni, nj, rx0, ry0, rw: (ni - 1) * s + 2 * half + 1, rh: (nj - 1) * s + 2 * half + 1 };
}

/** Copies the rectangle [x0, x0+w) × [y0, y0+h) of an image into float64, minus `offset`. */
export function cropRegion(data: Float32Array, width: number, x0: number, y0: number, w: number, h: number, offset = 0): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) out[y * w + x] = data[src + x] - offset;
  }
  return out;
}

/** Shared option checks of the block-matching kernels; `label` names the method in messages. */
export function checkWindowSearch(label: string, window: number, search: number, width: number, height: number): void {
  if (!Number.isInteger(window) || window < 3 || window % 2 === 0) {
    throw new LabError('E_INVALID_INPUT', `The ${label} window ${window} is not an odd whole number of pixels of at least 3; use an odd size such as 21.`);
  }
  if (!Number.isInteger(search) || search < 1) {
    throw new LabError('E_INVALID_INPUT', `The ${label} search radius ${search} is not a whole number of pixels of at least 1; use the largest displacement you expect plus a few pixels.`);
  }
  const need = window + 2 * search;
  if (need > width || need > height) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The ${label} window (${window} px) plus twice the search radius (${search} px) needs ${need}×${need} px, more than the ${width}×${height} image; reduce the window or the search radius.`,
    );
  }
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
