/**
 * @file USRNet's data module: the closed-form solution of the data sub-problem of half-quadratic splitting
 * for the degradation y = (x ⊗ k)↓s (+ noise), exactly as USRNet computes it (Zhang, Van Gool, Timofte,
 * "Deep Unfolding Network for Image Super-Resolution", CVPR 2020; models/network_usrnet.py), in float64.
 *
 * Note: Data step. Given the low-resolution image y (h × w), the kernel k and the scale s, on the
 * high-resolution grid H × W = h·s × w·s:
 *   FB = p2o(k, (H, W)): fft2 of k placed in the top-left corner of an H×W zero array and rolled by
 *        (−floor(kh/2), −floor(kw/2)), so the kernel centre sits at (0, 0) (Note: Kernel convention,
 *        synth/kernels.ts; a kernel larger than the grid wraps around, which is what circular convolution
 *        with it means); FBC = conj(FB); F2B = |FB|²;
 *   STy = y up-sampled by zero insertion (y at [0::s, 0::s]); FBFy = FBC · fft2(STy).
 * One step with the prior's estimate z and weight α:
 *   FR = FBFy + fft2(α·z); x1 = FB·FR;
 *   FBR = block mean of x1 over its s×s distinct blocks (rows cut into s blocks of H/s, columns into s
 *         blocks of W/s, the s² sub-arrays averaged: the Fourier side of decimation by s);
 *   invW = the same block mean of F2B; invWBR = FBR / (invW + α);
 *   FCBinvWBR = FBC · tile(invWBR, s, s); FX = (FR − FCBinvWBR)/α; x = real(ifft2(FX)).
 * This x minimises ||(x ⊗ k)↓s − y||² + α·||x − z||² (circular convolution), i.e. solves
 * (HᵀH + αI)x = Hᵀy + αz; data-step.test.ts checks that gradient against a spatial convolution.
 * Everything that does not depend on z or α is computed once per image (prepareDataStep).
 */
import { LabError } from '../../errors';
import type { Kernel } from '../../synth/kernels';
import { Fft2Any, toComplex } from './fft-any';

export interface DataStepSetup {
  /** low-resolution size */
  lrWidth: number;
  lrHeight: number;
  scale: number;
  /** high-resolution size: lr × scale */
  width: number;
  height: number;
  fft: Fft2Any;
  /** interleaved complex, H·W */
  FB: Float64Array;
  /** real, H·W */
  F2B: Float64Array;
  /** interleaved complex, H·W */
  FBFy: Float64Array;
  /** block mean of F2B, real, h·w */
  invW: Float64Array;
}

/** p2o: the optical transfer function of `k` on an H×W grid (see the file note), interleaved complex. */
export function p2o(k: Kernel, width: number, height: number, fft = new Fft2Any(width, height)): Float64Array {
  const otf = new Float64Array(2 * width * height);
  const cy = Math.floor(k.height / 2);
  const cx = Math.floor(k.width / 2);
  for (let r = 0; r < k.height; r++) {
    const rr = (((r - cy) % height) + height) % height;
    for (let c = 0; c < k.width; c++) {
      const cc = (((c - cx) % width) + width) % width;
      otf[2 * (rr * width + cc)] += k.data[r * k.width + c];
    }
  }
  fft.forward(otf);
  return otf;
}

/** Mean of the s² distinct blocks of a real or complex (`comps` = 1 or 2) H×W array → (H/s)×(W/s). */
function blockMean(a: Float64Array, width: number, height: number, s: number, comps: 1 | 2): Float64Array {
  const w = width / s;
  const h = height / s;
  const out = new Float64Array(comps * w * h);
  for (let bi = 0; bi < s; bi++) {
    for (let i = 0; i < h; i++) {
      const src = (bi * h + i) * width;
      for (let bj = 0; bj < s; bj++) {
        for (let j = 0; j < w; j++) {
          const p = comps * (src + bj * w + j);
          const q = comps * (i * w + j);
          out[q] += a[p];
          if (comps === 2) out[q + 1] += a[p + 1];
        }
      }
    }
  }
  const inv = 1 / (s * s);
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

/**
 * Everything the data step needs that depends only on y, k and s (see the file note). `y` is the
 * low-resolution image, row-major, lrWidth × lrHeight, on the scale the prior works on ([0, 1]).
 */
export function prepareDataStep(y: ArrayLike<number>, lrWidth: number, lrHeight: number, k: Kernel, scale: number): DataStepSetup {
  if (!Number.isInteger(scale) || scale < 1) throw new LabError('E_INVALID_INPUT', `The scale factor ${scale} must be a whole number ≥ 1.`);
  if (y.length !== lrWidth * lrHeight) {
    throw new LabError('E_SIZE_MISMATCH', `The low-resolution image has ${y.length} pixels but ${lrWidth}×${lrHeight} were expected.`);
  }
  const width = lrWidth * scale;
  const height = lrHeight * scale;
  const fft = new Fft2Any(width, height);
  const FB = p2o(k, width, height, fft);
  const n = width * height;
  const F2B = new Float64Array(n);
  for (let i = 0; i < n; i++) F2B[i] = FB[2 * i] ** 2 + FB[2 * i + 1] ** 2;
  // STy: zero insertion, then FBFy = conj(FB)·fft2(STy).
  const FBFy = new Float64Array(2 * n);
  for (let r = 0; r < lrHeight; r++) for (let c = 0; c < lrWidth; c++) FBFy[2 * (r * scale * width + c * scale)] = y[r * lrWidth + c];
  fft.forward(FBFy);
  for (let i = 0; i < n; i++) {
    const ar = FB[2 * i];
    const ai = -FB[2 * i + 1];
    const br = FBFy[2 * i];
    const bi = FBFy[2 * i + 1];
    FBFy[2 * i] = ar * br - ai * bi;
    FBFy[2 * i + 1] = ar * bi + ai * br;
  }
  const invW = blockMean(F2B, width, height, scale, 1);
  return { lrWidth, lrHeight, scale, width, height, fft, FB, F2B, FBFy, invW };
}

/** One data step (see the file note): the x that balances the data term and α·||x − z||²; H×W, float64. */
export function dataStep(setup: DataStepSetup, z: ArrayLike<number>, alpha: number): Float64Array {
  const { width, height, scale: s, fft, FB, FBFy, invW } = setup;
  const n = width * height;
  if (z.length !== n) throw new LabError('E_SIZE_MISMATCH', `The data step's estimate has ${z.length} pixels but ${width}×${height} were expected.`);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new LabError('E_INVALID_INPUT', `The data step's weight α = ${alpha} must be a positive number.`);
  // FR = FBFy + fft2(α z)
  const FR = toComplex(z, alpha);
  fft.forward(FR);
  for (let i = 0; i < 2 * n; i++) FR[i] += FBFy[i];
  // x1 = FB · FR
  const x1 = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const ar = FB[2 * i];
    const ai = FB[2 * i + 1];
    const br = FR[2 * i];
    const bi = FR[2 * i + 1];
    x1[2 * i] = ar * br - ai * bi;
    x1[2 * i + 1] = ar * bi + ai * br;
  }
  const FBR = blockMean(x1, width, height, s, 2);
  // invWBR = FBR / (invW + α); invW is real, so the division is by a real number.
  const w = width / s;
  const h = height / s;
  for (let i = 0; i < w * h; i++) {
    const d = 1 / (invW[i] + alpha);
    FBR[2 * i] *= d;
    FBR[2 * i + 1] *= d;
  }
  // FX = (FR − conj(FB)·tile(invWBR)) / α, written into FR; then x = real(ifft2(FX)).
  const inv = 1 / alpha;
  for (let r = 0; r < height; r++) {
    const tr = (r % h) * w;
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      const t = tr + (c % w);
      const ar = FB[2 * i];
      const ai = -FB[2 * i + 1];
      const br = FBR[2 * t];
      const bi = FBR[2 * t + 1];
      FR[2 * i] = (FR[2 * i] - (ar * br - ai * bi)) * inv;
      FR[2 * i + 1] = (FR[2 * i + 1] - (ar * bi + ai * br)) * inv;
    }
  }
  fft.inverse(FR);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = FR[2 * i];
  return x;
}

/** Nearest-neighbour up-sampling by s (USRNet's x0 = interpolate(y, scale_factor=s, mode='nearest')). */
export function upsampleNearest(y: ArrayLike<number>, w: number, h: number, s: number): Float64Array {
  const W = w * s;
  const out = new Float64Array(W * h * s);
  for (let r = 0; r < h * s; r++) {
    const src = Math.floor(r / s) * w;
    for (let c = 0; c < W; c++) out[r * W + c] = y[src + Math.floor(c / s)];
  }
  return out;
}

/**
 * The degradation itself, in the spatial domain: (x ⊗ k) with circular boundaries (scipy.ndimage.convolve
 * mode='wrap'), then every s-th pixel from (0, 0). Independent of the FFT code (tests and benchmarks).
 */
export function degrade(x: ArrayLike<number>, width: number, height: number, k: Kernel, s: number): { data: Float64Array; width: number; height: number } {
  const b = convolveWrap(x, width, height, k);
  const w = Math.floor(width / s);
  const h = Math.floor(height / s);
  const out = new Float64Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r * w + c] = b[r * s * width + c * s];
  return { data: out, width: w, height: h };
}

/** Circular convolution with k (Note: Kernel convention): out(p) = Σ_q k(c + q)·x(p − q), wrapping. */
export function convolveWrap(x: ArrayLike<number>, width: number, height: number, k: Kernel): Float64Array {
  const out = new Float64Array(width * height);
  const cy = Math.floor(k.height / 2);
  const cx = Math.floor(k.width / 2);
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  const xi = new Int32Array(k.width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      for (let j = 0; j < k.width; j++) xi[j] = mod(c - (j - cx), width);
      let acc = 0;
      for (let i = 0; i < k.height; i++) {
        const row = mod(r - (i - cy), height) * width;
        const kr = i * k.width;
        for (let j = 0; j < k.width; j++) acc += k.data[kr + j] * x[row + xi[j]];
      }
      out[r * width + c] = acc;
    }
  }
  return out;
}
