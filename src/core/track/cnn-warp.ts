/**
 * @file Warping the deformed image back by a displacement field, for the CNN trackers' refinement passes.
 *
 * Note: CNN refinement passes. A small CNN tracker trained on a CPU budget has a displacement-dependent
 * bias (cade-xst-s: about 0.2 px at a 0.7 px shift, almost none near 0). Pass k + 1 therefore warps the
 * deformed image by the field of pass k, w(x) = g(x + u(x)), and runs the same network on (f, w): what is
 * left to measure is the small residual where the network is most accurate, and u ← u + du. For smooth
 * fields g(x + u + du) ≈ w(x + du), so the update is additive. The fixed point is the true field as long as
 * the network answers 0 for an identical pair and its slope at 0 is within (0, 2) — the same reasoning as
 * the warping cascades of optical-flow networks. Interpolation is cubic B-spline (the IC-GN interpolant),
 * whose smoothing of the warped image is far below the speckle's scale.
 */
import type { GreyImage } from '../imageio/types';
import { type BsplineImage, bsplineInDomain, bsplinePrefilter, bsplineValueAt } from './bspline';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * B-spline coefficients of the part of a width × height image within `margin` px of `box` (clipped to the
 * image), and where that part starts: sample image point (X, Y) at (X − src.x0, Y − src.y0). The whole
 * image is prefiltered in place of a copy when the part is all of it (256 MB saved at 8k²; the prefilter
 * only reads its input). The prefilter is recursive, so a cut changes the coefficients near it by about
 * 0.27^distance: callers keep the margin ~12 px beyond where they sample.
 */
export function prefilterRegion(data: Float32Array, width: number, height: number, box: Box, margin: number): { spline: BsplineImage; src: Box } {
  const src = {
    x0: Math.max(0, box.x0 - margin),
    y0: Math.max(0, box.y0 - margin),
    x1: Math.min(width, box.x1 + margin),
    y1: Math.min(height, box.y1 + margin),
  };
  const sw = src.x1 - src.x0;
  const sh = src.y1 - src.y0;
  const whole = sw === width && sh === height;
  const part = whole ? data : new Float32Array(sw * sh);
  if (!whole) for (let y = src.y0; y < src.y1; y++) part.set(data.subarray(y * width + src.x0, y * width + src.x1), (y - src.y0) * sw);
  return { spline: bsplinePrefilter({ width: sw, height: sh, data: part }), src };
}

/**
 * w(x) = g(x + u(x)) over `box` of the full-size image `g` (`width` × `height`), with u, v given over the
 * box (row-major, box-sized). Where x + u falls outside the image, or u is not finite, there is nothing to
 * warp: w takes `fill` there (box-sized; the caller passes the reference, so the network sees a pair that
 * agrees and measures no residual), or g(x) without it. Those pixels end NaN in the field anyway; what the
 * fill decides is their neighbours' answer, since the network's receptive field reaches across. With g(x)
 * the hole read as a jump of the whole displacement, and near the edges of a 15 px shift the next pass's
 * errors grew to several px; with the reference it reads as "nothing left to measure".
 * `margin` px of g around the box are interpolated from, so a field reaching that far out of the box
 * still samples real pixels.
 */
export function warpByField(g: GreyImage, box: Box, u: Float32Array, v: Float32Array, margin: number, fill?: Float32Array): Float32Array {
  const { width } = g;
  const { spline, src } = prefilterRegion(g.data, width, g.height, box, margin);
  const sw = src.x1 - src.x0;
  const sh = src.y1 - src.y0;

  const bw = box.x1 - box.x0;
  const out = new Float32Array(bw * (box.y1 - box.y0));
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const c = (y - box.y0) * bw + x - box.x0;
      const X = x + u[c] - src.x0;
      const Y = y + v[c] - src.y0;
      // Inside the real pixels of the source part (not the mirrored padding), else the unwarped value.
      const inside = X >= 0 && X <= sw - 1 && Y >= 0 && Y <= sh - 1 && bsplineInDomain(spline, X, Y);
      out[c] = inside ? bsplineValueAt(spline, X, Y) : fill ? fill[c] : g.data[y * width + x];
    }
  }
  return out;
}

/** Box radius of the refinement smoothing: three passes of a 9 px box, a near-Gaussian of σ ≈ 4.5 px. */
export const REFINE_BOX_RADIUS = 4;

/**
 * Near-Gaussian smoothing of a w × h map: three passes of a (2r + 1) px box along each axis, each a running
 * sum (O(1) per pixel whatever r: about 0.2 s for 8192², where a direct 25-tap Gaussian took ~19 s), divided
 * by the number of samples inside the map so edges keep their level. Refinement warps with the smoothed
 * field: the pixel-to-pixel noise of one pass is not something the next pass can measure (the network's
 * answer is smooth on that scale), so warping with it would only add each pass's noise to the next
 * (Note: CNN refinement passes). Non-finite samples count as missing (a model that overflowed on a GPU
 * must not turn the whole map NaN through the running sums): a window averages its finite samples and is
 * NaN only when it has none.
 */
export function smoothMap(a: Float32Array, w: number, h: number, r = REFINE_BOX_RADIUS): Float32Array {
  let cur = new Float32Array(a);
  let tmp = new Float32Array(a.length);
  const line = new Float64Array(Math.max(w, h) + 1);
  const count = new Float64Array(Math.max(w, h) + 1);
  // One box pass along a line of n samples at `start` with `stride`, from src into dst.
  const box = (src: Float32Array, dst: Float32Array, start: number, stride: number, n: number) => {
    line[0] = 0;
    count[0] = 0;
    for (let i = 0; i < n; i++) {
      const x = src[start + i * stride];
      const ok = Number.isFinite(x);
      line[i + 1] = line[i] + (ok ? x : 0);
      count[i + 1] = count[i] + (ok ? 1 : 0);
    }
    for (let i = 0; i < n; i++) {
      const lo = Math.max(0, i - r);
      const hi = Math.min(n, i + r + 1);
      const c = count[hi] - count[lo];
      dst[start + i * stride] = c > 0 ? (line[hi] - line[lo]) / c : Number.NaN;
    }
  };
  for (let k = 0; k < 3; k++) {
    for (let y = 0; y < h; y++) box(cur, tmp, y * w, 1, w);
    [cur, tmp] = [tmp, cur];
    for (let x = 0; x < w; x++) box(cur, tmp, x, w, h);
    [cur, tmp] = [tmp, cur];
  }
  return cur;
}
