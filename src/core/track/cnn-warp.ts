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
import { bsplineInDomain, bsplinePrefilter, bsplineValueAt } from './bspline';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * w(x) = g(x + u(x)) over `box` of the full-size image `g` (`width` × `height`), with u, v given over the
 * box (row-major, box-sized). Where x + u falls outside the image, or u is not finite, w keeps g(x): those
 * pixels end NaN in the field anyway and this keeps the network's input free of holes.
 * `margin` px of g around the box are interpolated from, so a field reaching that far out of the box
 * still samples real pixels.
 */
export function warpByField(g: GreyImage, box: Box, u: Float32Array, v: Float32Array, margin: number): Float32Array {
  const { width, height } = g;
  const src = {
    x0: Math.max(0, box.x0 - margin),
    y0: Math.max(0, box.y0 - margin),
    x1: Math.min(width, box.x1 + margin),
    y1: Math.min(height, box.y1 + margin),
  };
  const sw = src.x1 - src.x0;
  const sh = src.y1 - src.y0;
  const part = new Float32Array(sw * sh);
  for (let y = src.y0; y < src.y1; y++) part.set(g.data.subarray(y * width + src.x0, y * width + src.x1), (y - src.y0) * sw);
  const spline = bsplinePrefilter({ width: sw, height: sh, data: part });

  const bw = box.x1 - box.x0;
  const out = new Float32Array(bw * (box.y1 - box.y0));
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const c = (y - box.y0) * bw + x - box.x0;
      const X = x + u[c] - src.x0;
      const Y = y + v[c] - src.y0;
      // Inside the real pixels of the source part (not the mirrored padding), else the unwarped value.
      const inside = X >= 0 && X <= sw - 1 && Y >= 0 && Y <= sh - 1 && bsplineInDomain(spline, X, Y);
      out[c] = inside ? bsplineValueAt(spline, X, Y) : g.data[y * width + x];
    }
  }
  return out;
}

/**
 * Gaussian smoothing (σ px, truncated at 3σ) of a w × h map, renormalised at the borders so edges keep
 * their level. Refinement warps with the smoothed field: the pixel-to-pixel noise of one pass is not
 * something the next pass can measure (the network's answer is smooth on that scale), so warping with it
 * would only add each pass's noise to the next (Note: CNN refinement passes).
 */
export function smoothMap(a: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const taps = new Float64Array(2 * r + 1);
  for (let i = -r; i <= r; i++) taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  const pass = (src: Float32Array, along: 'x' | 'y'): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        let n = 0;
        for (let i = -r; i <= r; i++) {
          const xx = along === 'x' ? x + i : x;
          const yy = along === 'y' ? y + i : y;
          if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
          s += taps[i + r] * src[yy * w + xx];
          n += taps[i + r];
        }
        out[y * w + x] = s / n;
      }
    }
    return out;
  };
  return pass(pass(a, 'x'), 'y');
}
