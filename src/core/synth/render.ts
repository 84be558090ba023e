/**
 * @file Renders the spot sum V of the analytic speckle pattern (Note: Speckle model in speckle.ts) for a
 * band of image rows, in two ways that follow the same formulas:
 *  - `renderBandShifted`, for the reference image and for constant fields: the inverse map is X = y − u
 *    everywhere, so each spot's exp(−|d|²/(2σ²)) factorises into a column and a row term and the spot is
 *    splatted onto its window with a couple of exponentials per row and column. The reference is this
 *    path with u = 0, so a constant field u = 0 gives a bit-identical deformed image.
 *  - `renderBandMapped`, for any other field: Newton finds X(y) and ∇u(X) at each pixel centre, the pixel
 *    response is pulled back through the local affine map, and the pixel sums the spots of the hash cells
 *    around X. No interpolation anywhere: every pixel is the closed-form integral at its exact position.
 * Bands let the caller report progress and check cancellation between them.
 */
import type { DisplacementField } from './fields';
import { invertPoint } from './fields';
import { expNeg } from './exp-neg';
import { appendCellSpots, CUTOFF_Q, pixelResponse, type SpeckleModel, SpotList } from './speckle';

/**
 * Adds the spot sum V of rows y0 … y1−1 of an image of `width` columns, shifted by the constant (ux, uy),
 * into acc[(y − y0)·width + x]. `acc` must be zeroed by the caller.
 */
export function renderBandShifted(
  model: SpeckleModel,
  width: number,
  y0: number,
  y1: number,
  ux: number,
  uy: number,
  acc: Float64Array,
): void {
  const s = model.cellSize;
  const sigma2 = model.sigmaEff * model.sigmaEff;
  const inv = 1 / sigma2;
  const r = Math.sqrt(CUTOFF_Q) * model.sigmaEff;
  const amp = (model.sigmaBlob * model.sigmaBlob) / sigma2; // σ_b²/√det Σ with Σ = σ_eff² I
  const span = Math.ceil(2 * r) + 2;
  const ex = new Float64Array(span);
  const qx = new Float64Array(span);
  const spots = new SpotList();
  // Reference points X = y − u of this band, widened by the cut-off radius, decide which cells matter.
  const cj0 = Math.floor((y0 - uy - r) / s);
  const cj1 = Math.floor((y1 - 1 - uy + r) / s);
  const ci0 = Math.floor((-ux - r) / s);
  const ci1 = Math.floor((width - 1 - ux + r) / s);
  for (let cj = cj0; cj <= cj1; cj++) {
    for (let ci = ci0; ci <= ci1; ci++) {
      spots.clear();
      appendCellSpots(model, ci, cj, spots);
      for (let k = 0; k < spots.count; k++) {
        const cx = spots.x[k];
        const cy = spots.y[k];
        const i0 = Math.max(0, Math.ceil(cx + ux - r));
        const i1 = Math.min(width - 1, Math.floor(cx + ux + r));
        const j0 = Math.max(y0, Math.ceil(cy + uy - r));
        const j1 = Math.min(y1 - 1, Math.floor(cy + uy + r));
        if (i0 > i1 || j0 > j1) continue;
        for (let i = i0; i <= i1; i++) {
          const d = i - ux - cx;
          const q = d * d * inv;
          qx[i - i0] = q;
          ex[i - i0] = expNeg(0.5 * q);
        }
        const a = spots.a[k] * amp;
        for (let j = j0; j <= j1; j++) {
          const d = j - uy - cy;
          const qy = d * d * inv;
          if (qy >= CUTOFF_Q) continue;
          const w = a * expNeg(0.5 * qy);
          const row = (j - y0) * width;
          for (let i = i0; i <= i1; i++) {
            if (qx[i - i0] + qy < CUTOFF_Q) acc[row + i] += w * ex[i - i0];
          }
        }
      }
    }
  }
}

/** Per-band working memory of `renderBandMapped`, reused from band to band. */
export class MappedScratch {
  /** per pixel: X, Y, P11, P12, P22, amplitude factor, cut-off radius */
  px = new Float64Array(0);
  spots = new SpotList();
  cellStart = new Int32Array(0);
  ensure(pixels: number): void {
    if (this.px.length < pixels * 7) this.px = new Float64Array(pixels * 7);
  }
}

/**
 * Writes the spot sum V of deformed rows y0 … y1−1 (width columns) under `field` into
 * acc[(y − y0)·width + x] (overwriting). Throws E_INVALID_INPUT where the field cannot be inverted.
 */
export function renderBandMapped(
  model: SpeckleModel,
  field: DisplacementField,
  width: number,
  y0: number,
  y1: number,
  acc: Float64Array,
  scratch: MappedScratch,
): void {
  const n = (y1 - y0) * width;
  scratch.ensure(n);
  const px = scratch.px;
  const e = new Float64Array(8);
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let y = y0; y < y1; y++) {
    let gx = 0;
    let gy = y;
    for (let x = 0; x < width; x++) {
      invertPoint(field, x, y, gx, gy, e);
      const o = ((y - y0) * width + x) * 7;
      px[o] = e[6];
      px[o + 1] = e[7];
      pixelResponse(model, e[2], e[3], e[4], e[5], px, o + 2);
      // Next guess: one column step through the local inverse Jacobian, first column of (I + ∇u)⁻¹.
      const det = (1 + e[2]) * (1 + e[5]) - e[3] * e[4];
      gx = e[6] + (1 + e[5]) / det;
      gy = e[7] - e[4] / det;
      const r = px[o + 6];
      xmin = Math.min(xmin, e[6] - r);
      xmax = Math.max(xmax, e[6] + r);
      ymin = Math.min(ymin, e[7] - r);
      ymax = Math.max(ymax, e[7] + r);
    }
  }
  // Spots of every cell the band can reach, cells in row-major order, so the cells of one cell row that a
  // pixel needs form one contiguous run of spots. A pixel visits about 2.9 times the spots inside its
  // cut-off disc this way; finer bins clipped to the disc, and x-sorted strips with sliding windows, visit
  // half as many but measured slower in V8 (their per-row bookkeeping costs more than the saved visits).
  const s = model.cellSize;
  const ci0 = Math.floor(xmin / s);
  const ci1 = Math.floor(xmax / s);
  const cj0 = Math.floor(ymin / s);
  const cj1 = Math.floor(ymax / s);
  const ncx = ci1 - ci0 + 1;
  const ncells = ncx * (cj1 - cj0 + 1);
  if (scratch.cellStart.length < ncells + 1) scratch.cellStart = new Int32Array(ncells + 1);
  const start = scratch.cellStart;
  const spots = scratch.spots;
  spots.clear();
  for (let cj = cj0, c = 0; cj <= cj1; cj++) {
    for (let ci = ci0; ci <= ci1; ci++, c++) {
      start[c] = spots.count;
      appendCellSpots(model, ci, cj, spots);
    }
  }
  start[ncells] = spots.count;
  const sx = spots.x;
  const sy = spots.y;
  const sa = spots.a;
  for (let p = 0; p < n; p++) {
    const o = p * 7;
    const X = px[o];
    const Y = px[o + 1];
    const p11 = px[o + 2];
    const p12 = px[o + 3];
    const p22 = px[o + 4];
    const r = px[o + 6];
    const ilo = Math.floor((X - r) / s) - ci0;
    const ihi = Math.floor((X + r) / s) - ci0;
    const jlo = Math.floor((Y - r) / s) - cj0;
    const jhi = Math.floor((Y + r) / s) - cj0;
    let sum = 0;
    for (let cj = jlo; cj <= jhi; cj++) {
      const kend = start[cj * ncx + ihi + 1];
      for (let k = start[cj * ncx + ilo]; k < kend; k++) {
        const dx = X - sx[k];
        const dy = Y - sy[k];
        const q = p11 * dx * dx + 2 * p12 * dx * dy + p22 * dy * dy;
        if (q < CUTOFF_Q) sum += sa[k] * expNeg(0.5 * q);
      }
    }
    acc[p] = px[o + 5] * sum;
  }
}
