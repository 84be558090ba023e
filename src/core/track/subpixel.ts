/**
 * @file Sub-pixel peak estimators on a correlation (or cost) surface sampled at integer shifts, and the
 * bookkeeping that keeps each point's best integer shift and its 3×3 neighbourhood while a kernel sweeps
 * the shifts for all points at once.
 *
 * Note: Sub-pixel peak fitting. Following B. Pan et al., "Two-dimensional digital image correlation for
 * in-plane displacement and strain measurement: a review", Meas. Sci. Technol. 20 (2009) 062001, §3.2:
 *  - Gaussian 3-point fit per axis: through ln c(−1), ln c(0), ln c(+1), exact for a Gaussian peak and the
 *    usual choice for speckle correlation; it needs the three coefficients positive, otherwise the axis
 *    falls back to the 3-point parabola (exact for quadratic peaks), and fails if that is not a maximum.
 *  - Quadratic surface fit: least squares of c ≈ a0 + a1x + a2y + a3x² + a4xy + a5y² on the 3×3
 *    neighbourhood (one Newton step on the fitted surface); the stationary point is the estimate, valid
 *    only when the Hessian is definite with the right sign (negative for a maximum, positive for a minimum).
 * Both carry the known systematic "pixel-locking" bias towards integer positions (a few hundredths of a
 * pixel on speckle), which is why IC-GN refines further.
 * Patches are 9 values, row-major, patch[(ey+1)·3 + (ex+1)] = c(ex, ey) for ex, ey ∈ {−1, 0, 1}
 * (ex along x = columns, ey along y = rows).
 */

export interface SubpixelResult {
  /** offset of the estimated extremum from the centre sample, px (NaN when !ok) */
  dx: number;
  dy: number;
  ok: boolean;
}

const FAIL: SubpixelResult = { dx: Number.NaN, dy: Number.NaN, ok: false };

/** Vertex of the parabola through (−1, cm), (0, c0), (1, cp); NaN unless it is a maximum. */
export function parabola3(cm: number, c0: number, cp: number): number {
  const curv = cm - 2 * c0 + cp;
  if (!(curv < 0)) return Number.NaN;
  return (cm - cp) / (2 * curv);
}

/** Centre of the Gaussian through the three samples; NaN unless all are positive and it is a maximum. */
export function gaussian3(cm: number, c0: number, cp: number): number {
  if (!(cm > 0 && c0 > 0 && cp > 0)) return Number.NaN;
  const lm = Math.log(cm), l0 = Math.log(c0), lp = Math.log(cp);
  return parabola3(lm, l0, lp);
}

/** Gaussian 3-point fit along each axis through the centre; parabola where a coefficient is ≤ 0. */
export function gaussianPeak(patch: ArrayLike<number>, offset = 0): SubpixelResult {
  const c = (ex: number, ey: number) => patch[offset + (ey + 1) * 3 + ex + 1];
  const axis = (m: number, z: number, p: number) => {
    const g = gaussian3(m, z, p);
    return Number.isNaN(g) ? parabola3(m, z, p) : g;
  };
  const dx = axis(c(-1, 0), c(0, 0), c(1, 0));
  const dy = axis(c(0, -1), c(0, 0), c(0, 1));
  return Number.isFinite(dx) && Number.isFinite(dy) ? { dx, dy, ok: true } : FAIL;
}

/**
 * Least-squares quadratic surface on the 3×3 patch and its stationary point. `kind` 'max' requires a
 * negative-definite Hessian, 'min' a positive-definite one. Also returns the fitted value there.
 */
export function quadraticPeak(patch: ArrayLike<number>, offset: number, kind: 'max' | 'min'): SubpixelResult & { value: number } {
  // On the 3×3 grid the basis {1, x, y, x²−2/3, xy, y²−2/3} is orthogonal, so each coefficient is a
  // single weighted sum: Σx² = 6, Σ(x²−2/3)² = 2, Σx²y² = 4 over the nine samples.
  let s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (let ey = -1; ey <= 1; ey++) {
    for (let ex = -1; ex <= 1; ex++) {
      const c = patch[offset + (ey + 1) * 3 + ex + 1];
      s += c;
      sx += ex * c;
      sy += ey * c;
      sxx += (ex * ex - 2 / 3) * c;
      sxy += ex * ey * c;
      syy += (ey * ey - 2 / 3) * c;
    }
  }
  const a1 = sx / 6, a2 = sy / 6, a3 = sxx / 2, a4 = sxy / 4, a5 = syy / 2;
  const a0 = s / 9 - (2 / 3) * (a3 + a5);
  // Gradient (a1, a2), Hessian [[2a3, a4], [a4, 2a5]].
  const det = 4 * a3 * a5 - a4 * a4;
  const definite = det > 0 && (kind === 'max' ? a3 < 0 : a3 > 0);
  if (!definite) return { ...FAIL, value: Number.NaN };
  const dx = -(2 * a5 * a1 - a4 * a2) / det;
  const dy = -(2 * a3 * a2 - a4 * a1) / det;
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) return { ...FAIL, value: Number.NaN };
  return { dx, dy, ok: true, value: a0 + 0.5 * (a1 * dx + a2 * dy) };
}

/**
 * Keeps, for each of n points, the maximum score over integer shifts (dx, dy) ∈ [−R, R]² and the 3×3
 * scores around it, while the caller offers the scores shift by shift in raster order (dy outer, dx inner)
 * for all points. Memory is (2R+3) scores per point instead of the whole (2R+1)² surface: a ring of the
 * latest 2R+3 scores supplies the neighbours seen before a new maximum, and later neighbours are filled
 * as they arrive. Minimise a cost by offering −cost. NaN scores never win and poison the patch they
 * fall in, so a fit next to an undefined score fails.
 */
export class ShiftPeakTracker {
  readonly best: Float64Array;
  /** integer shift of the maximum (meaningful where best is finite) */
  readonly bestDx: Int32Array;
  readonly bestDy: Int32Array;
  /** 9 per point, see the file note's patch layout */
  readonly patch: Float64Array;
  private readonly ring: Float64Array;
  private readonly len: number;
  private slot = 0;
  private prevRowM = 0;
  private prevRow0 = 0;
  private prevRowP = 0;
  private left = 0;
  private dx = 0;
  private dy = 0;

  constructor(readonly n: number, readonly radius: number) {
    const side = 2 * radius + 1;
    this.len = side + 2;
    this.best = new Float64Array(n).fill(-Infinity);
    this.bestDx = new Int32Array(n).fill(radius + 10);
    this.bestDy = new Int32Array(n).fill(radius + 10);
    this.patch = new Float64Array(9 * n).fill(Number.NaN);
    this.ring = new Float64Array(this.len * n).fill(Number.NaN);
  }

  /** Starts shift (dx, dy); shifts must come in raster order over [−R, R]², each exactly once. */
  beginShift(dx: number, dy: number): void {
    const side = 2 * this.radius + 1;
    const t = (dy + this.radius) * side + dx + this.radius;
    const L = this.len, n = this.n;
    this.dx = dx;
    this.dy = dy;
    this.slot = (t % L) * n;
    // t − side − 1 ≡ t + 1 (mod L), t − side ≡ t + 2, t − side + 1 ≡ t + 3, t − 1 ≡ t + L − 1.
    this.prevRowM = ((t + 1) % L) * n;
    this.prevRow0 = ((t + 2) % L) * n;
    this.prevRowP = ((t + 3) % L) * n;
    this.left = ((t + L - 1) % L) * n;
  }

  /** Offers point p's score at the current shift; true when it is the new maximum. */
  offer(p: number, score: number): boolean {
    const ring = this.ring, patch = this.patch, q = 9 * p;
    let isBest = false;
    if (score > this.best[p]) {
      this.best[p] = score;
      this.bestDx[p] = this.dx;
      this.bestDy[p] = this.dy;
      patch[q] = ring[this.prevRowM + p];
      patch[q + 1] = ring[this.prevRow0 + p];
      patch[q + 2] = ring[this.prevRowP + p];
      patch[q + 3] = ring[this.left + p];
      patch[q + 4] = score;
      patch[q + 5] = patch[q + 6] = patch[q + 7] = patch[q + 8] = Number.NaN;
      isBest = true;
    } else {
      const ex = this.dx - this.bestDx[p], ey = this.dy - this.bestDy[p];
      if (ex >= -1 && ex <= 1 && ey >= -1 && ey <= 1) patch[q + (ey + 1) * 3 + ex + 1] = score;
    }
    ring[this.slot + p] = score;
    return isBest;
  }

  /**
   * Offers every point's score at the current shift (scores[p], p < n) in one tight loop. Where a point
   * gets a new maximum, carry[c][p] is copied to kept[c][p] for each c: values that belong with the best
   * shift (UMPA's transmission and dark-field).
   */
  offerAll(scores: Float64Array, carry: readonly Float64Array[] = [], kept: readonly Float64Array[] = []): void {
    const { ring, patch, best, bestDx, bestDy, n, dx, dy, slot, prevRowM, prevRow0, prevRowP, left } = this;
    const nc = carry.length;
    for (let p = 0; p < n; p++) {
      const score = scores[p], q = 9 * p;
      if (score > best[p]) {
        best[p] = score;
        bestDx[p] = dx;
        bestDy[p] = dy;
        patch[q] = ring[prevRowM + p];
        patch[q + 1] = ring[prevRow0 + p];
        patch[q + 2] = ring[prevRowP + p];
        patch[q + 3] = ring[left + p];
        patch[q + 4] = score;
        patch[q + 5] = patch[q + 6] = patch[q + 7] = patch[q + 8] = Number.NaN;
        for (let c = 0; c < nc; c++) kept[c][p] = carry[c][p];
      } else {
        const ex = dx - bestDx[p], ey = dy - bestDy[p];
        if (ex >= -1 && ex <= 1 && ey >= -1 && ey <= 1) patch[q + (ey + 1) * 3 + ex + 1] = score;
      }
      ring[slot + p] = score;
    }
  }

  /** True when point p has a finite maximum strictly inside the search range (neighbours all measured). */
  interior(p: number): boolean {
    const R = this.radius;
    return Number.isFinite(this.best[p]) && Math.abs(this.bestDx[p]) < R && Math.abs(this.bestDy[p]) < R;
  }
}
