/**
 * @file Strain from a displacement field by a virtual strain gauge: at every point a plane
 * a + b·(x − x₀) + c·(y − y₀) is fitted by least squares to u, and another to v, over a square window of
 * `window` points centred on the point (Pan et al., "Full-field strain measurement using a two-dimensional
 * Savitzky-Golay digital differentiator in digital image correlation", Opt. Eng. 46 (2007) 033601; the
 * "virtual strain gauge" of the DIC Good Practices Guide, iDICs 2018, §5). Its slopes give the small-strain
 * (infinitesimal, Cauchy) tensor with the TENSOR shear:
 *   exx = ∂u/∂x,  eyy = ∂v/∂y,  exy = ½(∂u/∂y + ∂v/∂x)   (engineering shear γxy = 2·exy),
 * dimensionless, x = column, y = row (down), so exy > 0 when the right angle between +x and +y closes.
 *
 * Note: Strain window sums. NaN points (invalid, outside the ROI) are left out of each fit; a point is
 * used only if both u and v are finite. Each fit needs the window sums of m, m·dx, m·dy, m·dx², m·dx·dy,
 * m·dy², m·u, m·dx·u, m·dy·u (and the same for v), m the validity flag, dx, dy the offsets from the centre.
 * They come from per-column running sums down the rows (add the row entering the window, drop the one
 * leaving) followed by prefix sums along each row, with moments about whole-image coordinates shifted to
 * the centre algebraically. That is the integral-image idea done one row at a time: cost O(W·H)
 * independent of the window, memory O(W) rather than a dozen full-size float64 tables (fields are often
 * full image size). The validity moments are whole numbers and therefore exact in float64.
 */
import { LabError } from '../errors';

export interface StrainOptions {
  /** strain window (virtual strain gauge) size in points of the field, odd, ≥ 3 */
  window: number;
  /** spacing of the field's points in px (1 for a full-size field, the grid step for grid values); default 1 */
  step?: number;
  /**
   * least share of the window's points (window²) that must be valid for a fit; default 0.25, which still
   * allows the quarter window left at a corner of the field
   */
  minValidFraction?: number;
}

export interface StrainField {
  exx: Float32Array;
  eyy: Float32Array;
  /** tensor shear ½(∂u/∂y + ∂v/∂x) */
  exy: Float32Array;
}

function bad(message: string): LabError {
  return new LabError('E_INVALID_INPUT', message);
}

/** Small-strain maps of the displacement field (u, v) (width*height each, row-major, px); see the file note. */
export function computeStrain(u: Float32Array, v: Float32Array, width: number, height: number, opts: StrainOptions): StrainField {
  const { window: win } = opts;
  const step = opts.step ?? 1;
  const minFrac = opts.minValidFraction ?? 0.25;
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0) {
    throw bad(`The strain window ${win} must be an odd whole number of points, at least 3; use for example 15.`);
  }
  if (!(Number.isFinite(step) && step > 0)) throw bad(`The strain step ${step} must be a positive number of pixels per point; use 1 for a full-size field.`);
  if (!(minFrac > 0 && minFrac <= 1)) throw bad(`The strain minValidFraction ${minFrac} must lie in (0, 1]; use for example 0.25.`);
  const W = width;
  const H = height;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 1 || u.length !== W * H || v.length !== W * H) {
    throw bad(`The displacement maps hold ${u.length} and ${v.length} values but the field is ${width}×${height}; pass maps of width·height values.`);
  }
  const r = (win - 1) / 2;
  const minCount = Math.max(3, Math.ceil(minFrac * win * win));
  const exx = new Float32Array(W * H).fill(Number.NaN);
  const eyy = new Float32Array(W * H).fill(Number.NaN);
  const exy = new Float32Array(W * H).fill(Number.NaN);

  // Column running sums over the rows of the window, about row 0: Σm, Σy·m, Σy²·m, Σm·u, Σy·m·u, Σm·v, Σy·m·v.
  const cA0 = new Float64Array(W), cA1 = new Float64Array(W), cA2 = new Float64Array(W);
  const cU0 = new Float64Array(W), cU1 = new Float64Array(W), cV0 = new Float64Array(W), cV1 = new Float64Array(W);
  const addRow = (y: number, sign: number) => {
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const uu = u[o + x];
      const vv = v[o + x];
      if (!(Number.isFinite(uu) && Number.isFinite(vv))) continue;
      cA0[x] += sign;
      cA1[x] += sign * y;
      cA2[x] += sign * y * y;
      cU0[x] += sign * uu;
      cU1[x] += sign * y * uu;
      cV0[x] += sign * vv;
      cV1[x] += sign * y * vv;
    }
  };
  // Prefix sums along the row (length W + 1) of the column moments about the centre row, times 1, x, x².
  const NP = 12;
  const pre = Array.from({ length: NP }, () => new Float64Array(W + 1));
  const [p00, p01, p02, p10, p11, p20, pu0, pu1, puy, pv0, pv1, pvy] = pre;

  for (let y = 0; y < r && y < H; y++) addRow(y, 1);
  for (let y = 0; y < H; y++) {
    if (y + r < H) addRow(y + r, 1);
    if (y - r - 1 >= 0) addRow(y - r - 1, -1);
    for (let x = 0; x < W; x++) {
      // Moments about the centre row y: Σdy^k·m = Σ(Y − y)^k·m.
      const m0 = cA0[x];
      const m1 = cA1[x] - y * m0;
      const m2 = cA2[x] - 2 * y * cA1[x] + y * y * m0;
      const u0 = cU0[x];
      const u1 = cU1[x] - y * u0;
      const v0 = cV0[x];
      const v1 = cV1[x] - y * v0;
      const k = x + 1;
      p00[k] = p00[x] + m0;
      p01[k] = p01[x] + x * m0;
      p02[k] = p02[x] + x * x * m0;
      p10[k] = p10[x] + m1;
      p11[k] = p11[x] + x * m1;
      p20[k] = p20[x] + m2;
      pu0[k] = pu0[x] + u0;
      pu1[k] = pu1[x] + x * u0;
      puy[k] = puy[x] + u1;
      pv0[k] = pv0[x] + v0;
      pv1[k] = pv1[x] + x * v0;
      pvy[k] = pvy[x] + v1;
    }
    const o = y * W;
    for (let x = 0; x < W; x++) {
      if (!(Number.isFinite(u[o + x]) && Number.isFinite(v[o + x]))) continue;
      const a = Math.max(0, x - r);
      const b = Math.min(W, x + r + 1);
      const n = p00[b] - p00[a];
      if (n < minCount) continue;
      // Window sums with dx = X − x: Σdx·q = ΣX·q − x·Σq, Σdx²·q = ΣX²·q − 2x·ΣX·q + x²·Σq.
      const sx1 = p01[b] - p01[a];
      const sx = sx1 - x * n;
      const sxx = p02[b] - p02[a] - 2 * x * sx1 + x * x * n;
      const sy = p10[b] - p10[a];
      const sxy = p11[b] - p11[a] - x * sy;
      const syy = p20[b] - p20[a];
      const su = pu0[b] - pu0[a];
      const sxu = pu1[b] - pu1[a] - x * su;
      const syu = puy[b] - puy[a];
      const sv = pv0[b] - pv0[a];
      const sxv = pv1[b] - pv1[a] - x * sv;
      const syv = pvy[b] - pvy[a];
      // Normal equations [[n, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]]·(a, bx, by) = (Σq, Σdx·q, Σdy·q).
      const c00 = sxx * syy - sxy * sxy;
      const c01 = sy * sxy - sx * syy;
      const c02 = sx * sxy - sy * sxx;
      const det = n * c00 + sx * c01 + sy * c02;
      if (!(det > 1e-9 * n * sxx * syy)) continue; // collinear points: no plane
      const c11 = n * syy - sy * sy;
      const c12 = sx * sy - n * sxy;
      const c22 = n * sxx - sx * sx;
      const inv = 1 / (det * step);
      const ux = (c01 * su + c11 * sxu + c12 * syu) * inv;
      const uy = (c02 * su + c12 * sxu + c22 * syu) * inv;
      const vx = (c01 * sv + c11 * sxv + c12 * syv) * inv;
      const vy = (c02 * sv + c12 * sxv + c22 * syv) * inv;
      exx[o + x] = ux;
      eyy[o + x] = vy;
      exy[o + x] = 0.5 * (uy + vx);
    }
  }
  return { exx, eyy, exy };
}
