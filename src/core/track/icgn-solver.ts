/**
 * @file The per-point inverse-compositional Gauss–Newton (IC-GN) solver behind icgn.ts: first-order shape
 * function, ZNSSD criterion, reference data computed once per point and reused by every iteration.
 *
 * Note: IC-GN. A reference subset of N×N pixels (N = 2M + 1) centred on x maps to the deformed image by
 * the first-order warp W(ξ; p) = x + ξ + (u + ux·ξx + uy·ξy, v + vx·ξx + vy·ξy), p = (u, ux, uy, v, vx, vy)
 * (so I_def(W(ξ; p)) ≈ I_ref(x + ξ), Note: Tracking convention in types.ts). The criterion is the
 * zero-normalised sum of squared differences C = Σ[(f − f̄)/Δf − (g − ḡ)/Δg]², Δf² = Σ(f − f̄)², which
 * is insensitive to offset and scale changes of the grey levels and equals 2(1 − ZNCC). In the inverse-
 * compositional form (Baker & Matthews, IJCV 56 (2004) 221–255; Pan, Li & Tong, "Fast, robust and accurate
 * digital image correlation calculation without redundant computations", Exp. Mech. 53 (2013) 1277–1289)
 * the increment is applied to the REFERENCE subset, so its gradient ∇f, the steepest-descent images
 * ∇f·∂W/∂p and the Hessian H = Σ(∇f·∂W/∂p)ᵀ(∇f·∂W/∂p) are computed once per point. Each iteration only
 * samples g = I_def(W(ξ; p)) by bicubic B-spline (bspline.ts), solves
 *   Δp = −H⁻¹ Σ(∇f·∂W/∂p)ᵀ [(f − f̄) − (Δf/Δg)(g − ḡ)]
 * and updates W(p) ← W(p) ∘ W(Δp)⁻¹. It stops when |Δp| < tolerance, with the displacement terms in px
 * and the gradient terms multiplied by M (their effect in px at the subset edge):
 *   |Δp| = sqrt(Δu² + (Δux·M)² + (Δuy·M)² + Δv² + (Δvx·M)² + (Δvy·M)²).
 */
import type { BsplineImage } from './bspline';
import { bsplineValueAt } from './bspline';

/** What `IcgnSolver.prepare` and `solve` need from the images (built once per image pair in icgn.ts). */
export interface IcgnImages {
  width: number;
  height: number;
  /** reference grey levels, width*height */
  ref: Float32Array;
  /** reference gradient (gradient.ts), width*height each */
  gx: Float32Array;
  gy: Float32Array;
  /** B-spline coefficients of the deformed image */
  def: BsplineImage;
}

export type SolveStatus = 'converged' | 'max-iterations' | 'left-image' | 'flat' | 'diverged';

export interface SolveResult {
  status: SolveStatus;
  iterations: number;
  /** ZNCC at the last evaluated warp (NaN when no iteration could be evaluated) */
  zncc: number;
}

/** A guess or solution whose warp folds or shears this much is not a plausible material deformation. */
const MAX_GRADIENT = 1;

/** Solves one point at a time, reusing its buffers (one instance per tile). */
export class IcgnSolver {
  readonly half: number;
  private readonly n: number;
  /** subset offsets ξ, row-major */
  private readonly ox: Float64Array;
  private readonly oy: Float64Array;
  /** zero-mean reference subset f − f̄ */
  private readonly f: Float64Array;
  /** steepest-descent images, 6 per pixel (interleaved) */
  private readonly sd: Float64Array;
  /** Cholesky factor of the Hessian, 6×6 lower triangle */
  private readonly L = new Float64Array(36);
  private readonly g: Float64Array;
  private readonly b = new Float64Array(6);
  private df = 0;
  private cx = 0;
  private cy = 0;

  constructor(
    private readonly img: IcgnImages,
    subset: number,
    private readonly maxIterations: number,
    private readonly tolerance: number,
  ) {
    this.half = (subset - 1) >> 1;
    this.n = subset * subset;
    this.ox = new Float64Array(this.n);
    this.oy = new Float64Array(this.n);
    for (let k = 0, j = -this.half; j <= this.half; j++) {
      for (let i = -this.half; i <= this.half; i++, k++) {
        this.ox[k] = i;
        this.oy[k] = j;
      }
    }
    this.f = new Float64Array(this.n);
    this.g = new Float64Array(this.n);
    this.sd = new Float64Array(6 * this.n);
  }

  /**
   * Reference data of the subset centred on pixel (cx, cy): zero-mean values, steepest-descent images and
   * the Cholesky factor of the Hessian. False when the subset leaves the image or has no texture.
   */
  prepare(cx: number, cy: number): boolean {
    const { width: w, height: h, ref, gx, gy } = this.img;
    const M = this.half;
    if (cx - M < 0 || cy - M < 0 || cx + M > w - 1 || cy + M > h - 1) return false;
    this.cx = cx;
    this.cy = cy;
    const { n, f, sd, ox, oy } = this;
    let mean = 0;
    for (let k = 0; k < n; k++) mean += ref[(cy + oy[k]) * w + cx + ox[k]];
    mean /= n;
    let ss = 0;
    const H = this.L;
    H.fill(0);
    for (let k = 0; k < n; k++) {
      const p = (cy + oy[k]) * w + cx + ox[k];
      const d = ref[p] - mean;
      f[k] = d;
      ss += d * d;
      const fx = gx[p];
      const fy = gy[p];
      const o = 6 * k;
      sd[o] = fx;
      sd[o + 1] = fx * ox[k];
      sd[o + 2] = fx * oy[k];
      sd[o + 3] = fy;
      sd[o + 4] = fy * ox[k];
      sd[o + 5] = fy * oy[k];
      for (let r = 0; r < 6; r++) {
        const sr = sd[o + r];
        for (let c = 0; c <= r; c++) H[r * 6 + c] += sr * sd[o + c];
      }
    }
    this.df = Math.sqrt(ss);
    // No texture (or only float rounding of a constant): nothing to correlate.
    if (!(ss > 1e-12 * n * mean * mean) || !(ss > 0)) return false;
    return cholesky6(H);
  }

  /**
   * Runs IC-GN from the guess `p` (u, ux, uy, v, vx, vy), overwriting it with the solution. `prepare`
   * must have succeeded for this point.
   */
  solve(p: Float64Array, out: SolveResult): void {
    const { n, f, g, sd, ox, oy, b, half: M } = this;
    const { width: w, height: h, def } = this.img;
    const xmax = w - 1;
    const ymax = h - 1;
    out.zncc = Number.NaN;
    for (let it = 1; it <= this.maxIterations; it++) {
      out.iterations = it;
      const u = p[0], ux = p[1], uy = p[2], v = p[3], vx = p[4], vy = p[5];
      if (!(Math.abs(ux) < MAX_GRADIENT && Math.abs(uy) < MAX_GRADIENT && Math.abs(vx) < MAX_GRADIENT && Math.abs(vy) < MAX_GRADIENT)) {
        out.status = 'diverged';
        return;
      }
      const X0 = this.cx + u;
      const Y0 = this.cy + v;
      const a11 = 1 + ux, a22 = 1 + vy;
      // The warped subset is a parallelogram: it stays in the image iff its four corners do.
      const ex = Math.abs(a11) * M + Math.abs(uy) * M;
      const ey = Math.abs(vx) * M + Math.abs(a22) * M;
      if (!(X0 - ex >= 0 && X0 + ex <= xmax && Y0 - ey >= 0 && Y0 + ey <= ymax)) {
        out.status = 'left-image';
        return;
      }
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const gv = bsplineValueAt(def, X0 + a11 * ox[k] + uy * oy[k], Y0 + vx * ox[k] + a22 * oy[k]);
        g[k] = gv;
        sum += gv;
      }
      const gm = sum / n;
      let gg = 0;
      let fg = 0;
      for (let k = 0; k < n; k++) {
        const d = g[k] - gm;
        g[k] = d;
        gg += d * d;
        fg += f[k] * d;
      }
      const dg = Math.sqrt(gg);
      if (!(dg > 0)) {
        out.status = 'flat';
        return;
      }
      out.zncc = fg / (this.df * dg);
      const scale = this.df / dg;
      b.fill(0);
      for (let k = 0, o = 0; k < n; k++, o += 6) {
        const e = f[k] - scale * g[k];
        b[0] += sd[o] * e;
        b[1] += sd[o + 1] * e;
        b[2] += sd[o + 2] * e;
        b[3] += sd[o + 3] * e;
        b[4] += sd[o + 4] * e;
        b[5] += sd[o + 5] * e;
      }
      choleskySolve6(this.L, b); // b ← H⁻¹·b; Δp = −b
      const du = -b[0], dux = -b[1], duy = -b[2], dv = -b[3], dvx = -b[4], dvy = -b[5];
      composeInverse(p, du, dux, duy, dv, dvx, dvy);
      const norm = Math.sqrt(du * du + dv * dv + M * M * (dux * dux + duy * duy + dvx * dvx + dvy * dvy));
      if (norm < this.tolerance) {
        out.status = 'converged';
        return;
      }
      if (!Number.isFinite(norm)) {
        out.status = 'diverged';
        return;
      }
    }
    out.status = 'max-iterations';
  }
}

/** W(p) ← W(p) ∘ W(Δp)⁻¹ on the 3×3 affine matrices [[1+ux, uy, u], [vx, 1+vy, v], [0, 0, 1]]. */
function composeInverse(p: Float64Array, du: number, dux: number, duy: number, dv: number, dvx: number, dvy: number): void {
  // W(Δp)⁻¹ = [[B⁻¹, −B⁻¹t], [0, 1]], B = [[1+Δux, Δuy], [Δvx, 1+Δvy]], t = (Δu, Δv).
  const b11 = 1 + dux, b12 = duy, b21 = dvx, b22 = 1 + dvy;
  const det = b11 * b22 - b12 * b21;
  const i11 = b22 / det, i12 = -b12 / det, i21 = -b21 / det, i22 = b11 / det;
  const a11 = 1 + p[1], a12 = p[2], a21 = p[4], a22 = 1 + p[5];
  const l11 = a11 * i11 + a12 * i21;
  const l12 = a11 * i12 + a12 * i22;
  const l21 = a21 * i11 + a22 * i21;
  const l22 = a21 * i12 + a22 * i22;
  p[0] -= l11 * du + l12 * dv;
  p[3] -= l21 * du + l22 * dv;
  p[1] = l11 - 1;
  p[2] = l12;
  p[4] = l21;
  p[5] = l22 - 1;
}

/** In-place Cholesky factorisation of a symmetric 6×6 matrix (lower triangle given); false if not SPD. */
function cholesky6(A: Float64Array): boolean {
  for (let j = 0; j < 6; j++) {
    let d = A[j * 6 + j];
    for (let k = 0; k < j; k++) d -= A[j * 6 + k] * A[j * 6 + k];
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    A[j * 6 + j] = d;
    for (let i = j + 1; i < 6; i++) {
      let s = A[i * 6 + j];
      for (let k = 0; k < j; k++) s -= A[i * 6 + k] * A[j * 6 + k];
      A[i * 6 + j] = s / d;
    }
  }
  return true;
}

/** Solves (L·Lᵀ)·x = b in place. */
function choleskySolve6(L: Float64Array, b: Float64Array): void {
  for (let i = 0; i < 6; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * 6 + k] * b[k];
    b[i] = s / L[i * 6 + i];
  }
  for (let i = 5; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < 6; k++) s -= L[k * 6 + i] * b[k];
    b[i] = s / L[i * 6 + i];
  }
}
