/**
 * @file Image gradients by fourth-order central differences, the reference-image gradient of the IC-GN
 * tracker (icgn.ts). f'(x) ≈ (−f(x+2) + 8f(x+1) − 8f(x−1) + f(x−2))/12 has a truncation error of
 * f⁽⁵⁾·h⁴/30, so it is exact for polynomials up to degree four; Pan, Li & Tong (Exp. Mech. 53 (2013)
 * 1277–1289) use the same operator for the reference subset, because the gradient error enters the
 * steepest-descent images and with them the speed (not the fixed point) of IC-GN. Within two pixels of the
 * border the stencil does not fit: the second-order central difference is used one pixel in, a one-sided
 * difference on the border itself. Axes follow the image convention (x = column, y = row, Note: Image
 * convention in imageio/types.ts); results are per pixel, float32, the size of the image.
 */
import type { GreyImage } from '../imageio/types';

export interface ImageGradient {
  /** ∂I/∂x (along columns), width*height, row-major */
  gx: Float32Array;
  /** ∂I/∂y (along rows, downwards), width*height, row-major */
  gy: Float32Array;
}

/**
 * Derivative of the samples `src[o + k·stride]`, k = 0 … n−1, written to `dst` at the same places.
 * One routine for rows (stride 1) and columns (stride = width).
 */
function derive1d(src: Float32Array, dst: Float32Array, o: number, stride: number, n: number): void {
  if (n < 2) {
    if (n === 1) dst[o] = 0;
    return;
  }
  const at = (k: number) => src[o + k * stride];
  for (let k = 2; k < n - 2; k++) {
    const p = o + k * stride;
    dst[p] = (-src[p + 2 * stride] + 8 * src[p + stride] - 8 * src[p - stride] + src[p - 2 * stride]) / 12;
  }
  // Borders: lower order where the five-point stencil would leave the image.
  dst[o] = at(1) - at(0);
  dst[o + (n - 1) * stride] = at(n - 1) - at(n - 2);
  if (n >= 3) {
    dst[o + stride] = 0.5 * (at(2) - at(0));
    dst[o + (n - 2) * stride] = 0.5 * (at(n - 1) - at(n - 3));
  }
}

/** Fourth-order central-difference gradient of a grey image (see the file note for the borders). */
export function gradient4(img: GreyImage): ImageGradient {
  const { width: w, height: h, data } = img;
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  for (let y = 0; y < h; y++) derive1d(data, gx, y * w, 1, w);
  for (let x = 0; x < w; x++) derive1d(data, gy, x, w, h);
  return { gx, gy };
}
