/**
 * @file Bicubic B-spline interpolation of a grey image: the coefficients are computed once by Unser's
 * recursive prefilter, then value and gradient come from 4×4 coefficients at any point. IC-GN (icgn.ts)
 * evaluates the deformed image at warped, non-integer positions on every iteration; the cubic B-spline is
 * the interpolant Pan, Li & Tong (Exp. Mech. 53 (2013) 1277–1289) recommend for it, because its transfer
 * function is much flatter than bicubic convolution's and the systematic (sub-pixel-periodic) bias it
 * leaves on speckle is correspondingly smaller (Schreier, Braasch & Sutton, Opt. Eng. 39 (2000) 2915).
 *
 * Note: B-spline prefilter. The interpolant s(x) = Σ c[k]·β³(x − k) passes through the samples only if the
 * coefficients c solve the banded system f[k] = (c[k−1] + 4c[k] + c[k+1])/6. Unser, Aldroubi & Eden (IEEE
 * Trans. Signal Process. 41 (1993) 821–833) factor its inverse into a causal and an anti-causal first-order
 * recursion with the pole z = √3 − 2, applied along rows then columns; the boundary is the whole-sample
 * mirror f[−k] = f[k], whose initial values are those of Thévenaz, Blu & Unser ("Interpolation revisited",
 * IEEE Trans. Med. Imaging 19 (2000) 739–758). The filtering runs in float64 per line; coefficients are
 * stored as float32 (the image is float32 already), with a mirrored border of two coefficients so that
 * points anywhere in [−1, width) × [−1, height) need no bounds test.
 */
import type { GreyImage } from '../imageio/types';

/** Padding of the coefficient array on every side (the 4×4 support reaches 1 left and 2 right of ⌊x⌋). */
export const BSPLINE_PAD = 2;
const POLE = Math.sqrt(3) - 2;
/** Truncation of the causal initialisation sum: |z|^horizon < 1e-12. */
const HORIZON = Math.ceil(Math.log(1e-12) / Math.log(Math.abs(POLE)));

/** B-spline coefficients of an image, padded by BSPLINE_PAD mirrored coefficients on every side. */
export interface BsplineImage {
  width: number;
  height: number;
  /** row length of `coef` = width + 2·BSPLINE_PAD */
  stride: number;
  /** (height + 2·PAD) rows of `stride` coefficients; image pixel (x, y) is coef[(y + PAD)·stride + x + PAD] */
  coef: Float32Array;
}

/** In-place cubic B-spline prefilter of one line (Note: B-spline prefilter). */
function prefilterLine(c: Float64Array, n: number): void {
  if (n < 2) return;
  const z = POLE;
  for (let k = 0; k < n; k++) c[k] *= 6; // overall gain (1 − z)(1 − 1/z) = 6
  // Causal initialisation: c⁺[0] = Σ z^k c[k] over the mirrored signal.
  let sum: number;
  if (HORIZON < n) {
    let zn = z;
    sum = c[0];
    for (let k = 1; k < HORIZON; k++) {
      sum += zn * c[k];
      zn *= z;
    }
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = Math.pow(z, n - 1);
    sum = c[0] + z2n * c[n - 1];
    z2n *= z2n * iz;
    for (let k = 1; k < n - 1; k++) {
      sum += (zn + z2n) * c[k];
      zn *= z;
      z2n *= iz;
    }
    sum /= 1 - zn * zn;
  }
  c[0] = sum;
  for (let k = 1; k < n; k++) c[k] += z * c[k - 1];
  c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
  for (let k = n - 2; k >= 0; k--) c[k] = z * (c[k + 1] - c[k]);
}

/** Whole-sample mirror of index k into [0, n). */
function mirror(k: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = Math.abs(k) % period;
  if (m >= n) m = period - m;
  return m;
}

/** Computes the padded B-spline coefficients of `img` (Note: B-spline prefilter). */
export function bsplinePrefilter(img: GreyImage): BsplineImage {
  const { width: w, height: h, data } = img;
  const P = BSPLINE_PAD;
  const stride = w + 2 * P;
  const coef = new Float32Array(stride * (h + 2 * P));
  const line = new Float64Array(Math.max(w, h));
  // Rows into the interior of the padded array, then columns from there (float64 within each line; the
  // float32 intermediate costs ~1e-7 relative, far below any noise, and keeps each worker's copy small).
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) line[x] = data[y * w + x];
    prefilterLine(line, w);
    const o = (y + P) * stride + P;
    for (let x = 0; x < w; x++) coef[o + x] = line[x];
  }
  // Columns, then the mirrored border rows and columns.
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) line[y] = coef[(y + P) * stride + x + P];
    prefilterLine(line, h);
    for (let y = -P; y < h + P; y++) coef[(y + P) * stride + x + P] = line[mirror(y, h)];
  }
  for (let r = 0; r < h + 2 * P; r++) {
    const o = r * stride + P;
    for (let x = -P; x < 0; x++) coef[o + x] = coef[o + mirror(x, w)];
    for (let x = w; x < w + P; x++) coef[o + x] = coef[o + mirror(x, w)];
  }
  return { width: w, height: h, stride, coef };
}

/** True where the 4×4 support of (x, y) lies inside the padded coefficients. */
export function bsplineInDomain(b: BsplineImage, x: number, y: number): boolean {
  return x >= -1 && x < b.width && y >= -1 && y < b.height;
}

/**
 * Writes the interpolated value and its gradient at (x, y) into out[0] (value), out[1] (∂/∂x) and
 * out[2] (∂/∂y). The caller keeps (x, y) in [−1, width) × [−1, height) (`bsplineInDomain`); no test is
 * made here because IC-GN checks a whole warped subset at once.
 */
export function bsplineValueGrad(b: BsplineImage, x: number, y: number, out: Float64Array): void {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const tx = x - ix;
  const ty = y - iy;
  // Cubic B-spline weights β³(t + 1), β³(t), β³(t − 1), β³(t − 2) and their derivatives.
  const sx = 1 - tx;
  const wx0 = (sx * sx * sx) / 6;
  const wx1 = (3 * tx * tx * tx - 6 * tx * tx + 4) / 6;
  const wx3 = (tx * tx * tx) / 6;
  const wx2 = 1 - wx0 - wx1 - wx3;
  const dx0 = -0.5 * sx * sx;
  const dx1 = 1.5 * tx * tx - 2 * tx;
  const dx3 = 0.5 * tx * tx;
  const dx2 = -dx0 - dx1 - dx3;
  const sy = 1 - ty;
  const wy0 = (sy * sy * sy) / 6;
  const wy1 = (3 * ty * ty * ty - 6 * ty * ty + 4) / 6;
  const wy3 = (ty * ty * ty) / 6;
  const wy2 = 1 - wy0 - wy1 - wy3;
  const dy0 = -0.5 * sy * sy;
  const dy1 = 1.5 * ty * ty - 2 * ty;
  const dy3 = 0.5 * ty * ty;
  const dy2 = -dy0 - dy1 - dy3;
  const c = b.coef;
  const s = b.stride;
  let o = (iy - 1 + BSPLINE_PAD) * s + ix - 1 + BSPLINE_PAD;
  // Row sums first (value and x-derivative weights), then combine along y.
  let r0 = wx0 * c[o] + wx1 * c[o + 1] + wx2 * c[o + 2] + wx3 * c[o + 3];
  let q0 = dx0 * c[o] + dx1 * c[o + 1] + dx2 * c[o + 2] + dx3 * c[o + 3];
  o += s;
  let r1 = wx0 * c[o] + wx1 * c[o + 1] + wx2 * c[o + 2] + wx3 * c[o + 3];
  let q1 = dx0 * c[o] + dx1 * c[o + 1] + dx2 * c[o + 2] + dx3 * c[o + 3];
  o += s;
  let r2 = wx0 * c[o] + wx1 * c[o + 1] + wx2 * c[o + 2] + wx3 * c[o + 3];
  let q2 = dx0 * c[o] + dx1 * c[o + 1] + dx2 * c[o + 2] + dx3 * c[o + 3];
  o += s;
  let r3 = wx0 * c[o] + wx1 * c[o + 1] + wx2 * c[o + 2] + wx3 * c[o + 3];
  let q3 = dx0 * c[o] + dx1 * c[o + 1] + dx2 * c[o + 2] + dx3 * c[o + 3];
  out[0] = wy0 * r0 + wy1 * r1 + wy2 * r2 + wy3 * r3;
  out[1] = wy0 * q0 + wy1 * q1 + wy2 * q2 + wy3 * q3;
  out[2] = dy0 * r0 + dy1 * r1 + dy2 * r2 + dy3 * r3;
}

/**
 * The interpolated value at (x, y) without a domain test: the caller keeps (x, y) in
 * [−1, width) × [−1, height). This is IC-GN's inner loop, so it is written out flat.
 */
export function bsplineValueAt(b: BsplineImage, x: number, y: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const tx = x - ix;
  const ty = y - iy;
  const sx = 1 - tx;
  const tx2 = tx * tx;
  const wx0 = (sx * sx * sx) / 6;
  const wx1 = (3 * tx2 * tx - 6 * tx2 + 4) / 6;
  const wx3 = (tx2 * tx) / 6;
  const wx2 = 1 - wx0 - wx1 - wx3;
  const sy = 1 - ty;
  const ty2 = ty * ty;
  const wy0 = (sy * sy * sy) / 6;
  const wy1 = (3 * ty2 * ty - 6 * ty2 + 4) / 6;
  const wy3 = (ty2 * ty) / 6;
  const wy2 = 1 - wy0 - wy1 - wy3;
  const c = b.coef;
  const s = b.stride;
  const o0 = (iy - 1 + BSPLINE_PAD) * s + ix - 1 + BSPLINE_PAD;
  const o1 = o0 + s;
  const o2 = o1 + s;
  const o3 = o2 + s;
  return (
    wy0 * (wx0 * c[o0] + wx1 * c[o0 + 1] + wx2 * c[o0 + 2] + wx3 * c[o0 + 3]) +
    wy1 * (wx0 * c[o1] + wx1 * c[o1 + 1] + wx2 * c[o1 + 2] + wx3 * c[o1 + 3]) +
    wy2 * (wx0 * c[o2] + wx1 * c[o2 + 1] + wx2 * c[o2 + 2] + wx3 * c[o2 + 3]) +
    wy3 * (wx0 * c[o3] + wx1 * c[o3 + 1] + wx2 * c[o3 + 2] + wx3 * c[o3 + 3])
  );
}

/** The interpolated value at (x, y), or NaN outside [−1, width) × [−1, height). */
export function bsplineValue(b: BsplineImage, x: number, y: number): number {
  return bsplineInDomain(b, x, y) ? bsplineValueAt(b, x, y) : Number.NaN;
}
