/**
 * @file Integer-pixel initial guess for IC-GN at a seed point: the zero-normalised cross-correlation of a
 * reference template with every position of a search region of the deformed image, by FFT. The template
 * (size `template`, centred on the seed) is zero-mean; the region spans the template plus `search` px on
 * every side (so it is at least 2·search wide), cut to the image. The numerator Σ t'·g for all shifts
 * comes from one FFT product, the local mean and energy of g from a summed-area table, so the score is the
 * exact ZNCC of each candidate, not the circular, window-weighted estimate of plain phase correlation
 * (Lewis, "Fast normalized cross-correlation", Vision Interface 1995). The integer peak is refined by a
 * parabola through its neighbours along each axis, which is all IC-GN needs: it converges from within
 * about half a speckle. Uses fft.js (radix-4 complex FFT, power-of-two sizes). Convention: the returned
 * shift d satisfies I_def(x + d) ≈ I_ref(x) (Note: Tracking convention, types.ts).
 */
import FFT from 'fft.js';
import type { GreyImage } from '../imageio/types';

export interface XcorrOptions {
  /** template size in px (odd), centred on the seed */
  template: number;
  /** search radius in px: candidate shifts in [−search, search]² (fewer where the image ends) */
  search: number;
}

export interface XcorrResult {
  /** sub-pixel shift estimate, px */
  dx: number;
  dy: number;
  /** ZNCC of the best integer shift */
  zncc: number;
  /** true when the peak lies on the edge of the searched shifts: the true shift may lie beyond it */
  onEdge: boolean;
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p <<= 1;
  return p;
}

/** In-place 2D FFT of an N×N interleaved complex array (rows, then columns). */
function fft2d(fft: FFT, buf: Float64Array, n: number, inverse: boolean, a: Float64Array, b: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const o = 2 * r * n;
    for (let k = 0; k < 2 * n; k++) a[k] = buf[o + k];
    if (inverse) fft.inverseTransform(b, a);
    else fft.transform(b, a);
    for (let k = 0; k < 2 * n; k++) buf[o + k] = b[k];
  }
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      a[2 * r] = buf[2 * (r * n + c)];
      a[2 * r + 1] = buf[2 * (r * n + c) + 1];
    }
    if (inverse) fft.inverseTransform(b, a);
    else fft.transform(b, a);
    for (let r = 0; r < n; r++) {
      buf[2 * (r * n + c)] = b[2 * r];
      buf[2 * (r * n + c) + 1] = b[2 * r + 1];
    }
  }
}

/** Vertex offset of the parabola through (−1, a), (0, b), (1, c), limited to ±0.5. */
function parabola(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (!(den < 0)) return 0;
  const d = (0.5 * (a - c)) / den;
  return Math.max(-0.5, Math.min(0.5, d));
}

/**
 * Finds the shift of the template centred on (cx, cy) (integer pixel) between `ref` and `def`.
 * Returns null when the template leaves the reference image, is flat, or no shift fits the image.
 */
export function fftXcorr(ref: GreyImage, def: GreyImage, cx: number, cy: number, opts: XcorrOptions): XcorrResult | null {
  const { width: w, height: h } = ref;
  const t = opts.template;
  const half = (t - 1) >> 1;
  const s = Math.max(0, Math.floor(opts.search));
  cx = Math.round(cx);
  cy = Math.round(cy);
  const tx0 = cx - half;
  const ty0 = cy - half;
  if (tx0 < 0 || ty0 < 0 || tx0 + t > w || ty0 + t > h) return null;
  // Search region in the deformed image, cut to the image.
  const rx0 = Math.max(0, tx0 - s);
  const ry0 = Math.max(0, ty0 - s);
  const rx1 = Math.min(w, tx0 + t + s);
  const ry1 = Math.min(h, ty0 + t + s);
  const lx = rx1 - rx0;
  const ly = ry1 - ry0;
  const nkx = lx - t + 1; // valid template offsets inside the region
  const nky = ly - t + 1;
  if (nkx < 1 || nky < 1) return null;
  const n = nextPow2(Math.max(lx, ly));
  const fft = new FFT(n);
  const T = new Float64Array(2 * n * n);
  const R = new Float64Array(2 * n * n);
  const a = new Float64Array(2 * n);
  const b = new Float64Array(2 * n);

  let mean = 0;
  for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) mean += ref.data[(ty0 + y) * w + tx0 + x];
  mean /= t * t;
  let tt = 0;
  for (let y = 0; y < t; y++) {
    for (let x = 0; x < t; x++) {
      const v = ref.data[(ty0 + y) * w + tx0 + x] - mean;
      T[2 * (y * n + x)] = v;
      tt += v * v;
    }
  }
  if (!(tt > 0)) return null;
  // Region and its summed-area tables of g and g² (stride lx + 1).
  const sw = lx + 1;
  const S1 = new Float64Array(sw * (ly + 1));
  const S2 = new Float64Array(sw * (ly + 1));
  for (let y = 0; y < ly; y++) {
    let r1 = 0;
    let r2 = 0;
    for (let x = 0; x < lx; x++) {
      const g = def.data[(ry0 + y) * w + rx0 + x];
      R[2 * (y * n + x)] = g;
      r1 += g;
      r2 += g * g;
      S1[(y + 1) * sw + x + 1] = S1[y * sw + x + 1] + r1;
      S2[(y + 1) * sw + x + 1] = S2[y * sw + x + 1] + r2;
    }
  }
  fft2d(fft, T, n, false, a, b);
  fft2d(fft, R, n, false, a, b);
  // conj(T̂)·R̂ → Σ_ξ t'(ξ)·g(ξ + k): correlation at template offset k, no wrap-around for valid k.
  for (let k = 0; k < n * n; k++) {
    const tr = T[2 * k];
    const ti = T[2 * k + 1];
    const rr = R[2 * k];
    const ri = R[2 * k + 1];
    R[2 * k] = tr * rr + ti * ri;
    R[2 * k + 1] = tr * ri - ti * rr;
  }
  fft2d(fft, R, n, true, a, b);

  const np = t * t;
  const score = new Float64Array(nkx * nky);
  let best = -Infinity;
  let bk = -1;
  for (let ky = 0; ky < nky; ky++) {
    for (let kx = 0; kx < nkx; kx++) {
      const i0 = ky * sw + kx;
      const i1 = (ky + t) * sw + kx;
      const s1 = S1[i1 + t] - S1[i1] - S1[i0 + t] + S1[i0];
      const s2 = S2[i1 + t] - S2[i1] - S2[i0 + t] + S2[i0];
      const gg = s2 - (s1 * s1) / np;
      const z = gg > 1e-12 * np ? R[2 * (ky * n + kx)] / Math.sqrt(tt * gg) : 0;
      score[ky * nkx + kx] = z;
      if (z > best) {
        best = z;
        bk = ky * nkx + kx;
      }
    }
  }
  if (bk < 0) return null;
  const kx = bk % nkx;
  const ky = (bk - kx) / nkx;
  const onEdgeX = kx === 0 || kx === nkx - 1;
  const onEdgeY = ky === 0 || ky === nky - 1;
  const fx = onEdgeX ? 0 : parabola(score[bk - 1], best, score[bk + 1]);
  const fy = onEdgeY ? 0 : parabola(score[bk - nkx], best, score[bk + nkx]);
  // Only edges that are the search limit (not the image border) mean "maybe beyond": report both kinds.
  return { dx: rx0 + kx - tx0 + fx, dy: ry0 + ky - ty0 + fy, zncc: best, onEdge: onEdgeX || onEdgeY };
}
