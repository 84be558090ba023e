/**
 * @file Ground truth of the X-ray speckle simulator, on the detector grid (one value per reference pixel).
 *
 * Note: Ground-truth maps. With φ = −k·δ·t the phase of the sample (rad), a ray is deflected by
 * α = (1/k)·∇φ = −δ·∇t (rad, small angles): towards where the phase increases, i.e. towards the THINNER
 * side for X-rays (δ > 0). The speckle seen at reference pixel X is then found at X + u in the sample image,
 * I_sample(X + u) = I_ref(X) (the project's convention, track/types.ts), with u = α·d/p px (Note:
 * Angle–displacement relation in simulate-setup.ts), evaluated where the ray through X crosses the sample,
 * x = X·p/M. Because the detector integrates over a pixel, each map holds the PIXEL MEAN over the pixel's
 * footprint (side p/M at the sample) rather than the value at its centre:
 *   alphaX = −δ·⟨∂t/∂x⟩ = −δ·mean_y[t(x + h, y) − t(x − h, y)]/(2h), h = p/(2M)   (rad; exact along x,
 *            os-point midpoint rule along y), alphaY likewise;
 *   ux = alphaX·d/p, uy = alphaY·d/p                                                (px);
 *   phase = −k·δ·⟨t⟩                                                                (rad, os×os midpoint);
 *   transmission = ⟨exp(−2·k·β·t)⟩                                                  (intensity, 0–1).
 * For smooth samples these equal the point values to O((p/M)²) (sine: relative 1e-5); at the rim of a
 * sphere or cylinder, where ∇t diverges, they stay finite and equal what a perfect pixel would see.
 */
import type { GreyImage } from '../imageio/types';
import type { XpciSetup } from './simulate-setup';

export interface TruthMaps {
  alphaX: GreyImage;
  alphaY: GreyImage;
  ux: GreyImage;
  uy: GreyImage;
  phase: GreyImage;
  transmission: GreyImage;
}

/** Computes the ground-truth maps of `s` (see the Note: Ground-truth maps). */
export function truthMaps(s: XpciSetup): TruthMaps {
  const { width: w, height: h, oversample: os, phantom, k } = s;
  const { delta, beta } = s.material;
  const pix = s.pixelM / s.magnification; // pixel footprint at the sample, m
  const half = pix / 2;
  const sub = new Float64Array(os);
  for (let a = 0; a < os; a++) sub[a] = ((a + 0.5) / os - 0.5) * pix;
  const n = w * h;
  const maps = {
    alphaX: new Float32Array(n),
    alphaY: new Float32Array(n),
    ux: new Float32Array(n),
    uy: new Float32Array(n),
    phase: new Float32Array(n),
    transmission: new Float32Array(n),
  };
  const toPx = s.distanceM / s.pixelM;
  const t = (x: number, y: number) => phantom.thickness(x, y);
  for (let r = 0; r < h; r++) {
    const y = r * pix;
    for (let c = 0; c < w; c++) {
      const x = c * pix;
      let gx = 0;
      let gy = 0;
      let tm = 0;
      let tr = 0;
      for (let a = 0; a < os; a++) {
        gx += t(x + half, y + sub[a]) - t(x - half, y + sub[a]);
        gy += t(x + sub[a], y + half) - t(x + sub[a], y - half);
        for (let b = 0; b < os; b++) {
          const tv = t(x + sub[a], y + sub[b]);
          tm += tv;
          tr += Math.exp(-2 * k * beta * tv);
        }
      }
      const i = r * w + c;
      const ax = (-delta * gx) / (os * pix);
      const ay = (-delta * gy) / (os * pix);
      // `+ 0` turns −0 (from −δ·0) into +0, so flat regions read as plain zeros everywhere
      maps.alphaX[i] = ax + 0;
      maps.alphaY[i] = ay + 0;
      maps.ux[i] = ax * toPx + 0;
      maps.uy[i] = ay * toPx + 0;
      maps.phase[i] = (-k * delta * tm) / (os * os) + 0;
      maps.transmission[i] = tr / (os * os);
    }
  }
  const img = (data: Float32Array): GreyImage => ({ width: w, height: h, data });
  return {
    alphaX: img(maps.alphaX),
    alphaY: img(maps.alphaY),
    ux: img(maps.ux),
    uy: img(maps.uy),
    phase: img(maps.phase),
    transmission: img(maps.transmission),
  };
}
