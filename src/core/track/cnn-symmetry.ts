/**
 * @file Symmetry averaging for CNN trackers: the pair is shown to the network in up to 8 orientations (the
 * dihedral group of the square: flips and transposes) and the answers, turned back into the original frame,
 * are averaged.
 *
 * Note: Symmetry averaging. A network trained with flip and rotation augmentation (cade-xst-s is) should
 * answer every orientation of a pair consistently; its remaining per-pixel noise and small orientation-
 * dependent biases differ between orientations, so their mean is more accurate. Measured on the CADE
 * protocol with cade-xst-s after 3 refinement passes: RMSE u 0.026 px (1 orientation), 0.015 px (4: flips),
 * 0.012 px (8). The first dicnet-s, trained without sub-pixel fields, got worse (large-displacement MAE
 * 0.30 → 0.31 px); the retrained ones gain with the passes (light form: 0.22 → 0.045 px, kernels.ts defaults).
 * Geometry: a transformed pair is f'(p) = f(M p + o) with M a signed permutation; if g(x + u(x)) = f(x) then g'(p + u'(p)) = f'(p) with M u'(p) = u(M p + o), so the
 * field measured on the transformed pair maps back as u(q) = M u'(p) at q = M p + o.
 */

/** old = M·new + offset, M = [[a, b], [c, d]] a signed permutation (b ≠ 0: transposed). */
export interface Dihedral {
  a: number;
  b: number;
  c: number;
  d: number;
}

/** Identity first; the first 4 are the flips, the last 4 add the transpose. */
export const DIHEDRAL: readonly Dihedral[] = [
  { a: 1, b: 0, c: 0, d: 1 },
  { a: -1, b: 0, c: 0, d: 1 },
  { a: 1, b: 0, c: 0, d: -1 },
  { a: -1, b: 0, c: 0, d: -1 },
  { a: 0, b: 1, c: 1, d: 0 },
  { a: 0, b: -1, c: 1, d: 0 },
  { a: 0, b: 1, c: -1, d: 0 },
  { a: 0, b: -1, c: -1, d: 0 },
];

/** The orientation counts a user can choose. */
export const SYMMETRY_COUNTS = [1, 4, 8] as const;

export function transformedSize(t: Dihedral, w: number, h: number): { w: number; h: number } {
  return t.b !== 0 ? { w: h, h: w } : { w, h };
}

/** Index in the original w × h image of pixel (x', y') of the transformed one. */
function oldIndex(t: Dihedral, xp: number, yp: number, w: number, h: number): number {
  const x = t.a * xp + t.b * yp + (t.a < 0 || t.b < 0 ? w - 1 : 0);
  const y = t.c * xp + t.d * yp + (t.c < 0 || t.d < 0 ? h - 1 : 0);
  return y * w + x;
}

/** The w × h image seen in orientation `t` (the identity returns the same array, not a copy). */
export function transformImage(t: Dihedral, img: Float32Array, w: number, h: number): Float32Array {
  if (t.a === 1 && t.d === 1) return img;
  const { w: tw, h: th } = transformedSize(t, w, h);
  const out = new Float32Array(img.length);
  for (let yp = 0; yp < th; yp++) for (let xp = 0; xp < tw; xp++) out[yp * tw + xp] = img[oldIndex(t, xp, yp, w, h)];
  return out;
}

/** u += k·M·u' at the original pixels: the field measured in orientation `t`, back in the image's frame. */
export function accumulateField(
  t: Dihedral,
  up: Float32Array,
  vp: Float32Array,
  w: number,
  h: number,
  u: Float32Array,
  v: Float32Array,
  k: number,
): void {
  const { w: tw, h: th } = transformedSize(t, w, h);
  for (let yp = 0; yp < th; yp++) {
    for (let xp = 0; xp < tw; xp++) {
      const p = yp * tw + xp;
      const q = oldIndex(t, xp, yp, w, h);
      u[q] += k * (t.a * up[p] + t.b * vp[p]);
      v[q] += k * (t.c * up[p] + t.d * vp[p]);
    }
  }
}
