/**
 * @file Displacement fields with known formulas and exact derivatives, their inverse mapping, and the
 * ground-truth images. Convention (DESIGN.md): I_def(x + u(x)) = I_ref(x), x = column, y = row, origin at
 * the centre of the top-left pixel, pixels. A deformed pixel y shows the reference point X that solves
 * X + u(X) = y, found here by Newton's method.
 *
 * Note: Ground-truth grid. `u` and `v` are given on the REFERENCE grid: u[y·W + x] = u(x) at reference
 * pixel x, the material point that moves to x + u(x) in the deformed image. This is what a subset DIC
 * measures when it places subsets on the reference image (the usual choice, and the DIC Challenge's). To
 * compare with a method that reports at deformed pixels, evaluate u at X(y) instead.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { expNeg } from './exp-neg';
import { hashSeed, mulberry32 } from './rng';
import type { FieldSpec } from './specs';

/** A displacement field u(x) = (u, v) in px with its Jacobian. */
export interface DisplacementField {
  readonly kind: FieldSpec['kind'];
  /** Set when u is the same everywhere: then X = y − u exactly and the separable renderer applies. */
  readonly constant: { ux: number; uy: number } | null;
  /** Writes [u, v, ∂u/∂x, ∂u/∂y, ∂v/∂x, ∂v/∂y] at (x, y) into out[0..5]. */
  evaluate(x: number, y: number, out: Float64Array): void;
  /** Formula and parameters, for `description`. */
  readonly description: Record<string, unknown>;
}

/** Stream id of the random-patches field (Note: Random streams in rng.ts). */
const STREAM_FIELD = 2;
const PATCH_COUNT = 6;

/** Builds the field for an image of `width` × `height` px (the star and the patches scale with it). */
export function makeField(spec: FieldSpec, width: number, height: number, seed: number): DisplacementField {
  switch (spec.kind) {
    case 'constant':
      return constantField(spec.ux, spec.uy);
    case 'sine':
      return spec.amplitude === 0 ? constantField(0, 0, sineDescription(spec.amplitude, spec.period)) : sineField(spec.amplitude, spec.period);
    case 'star':
      return starField(width, height);
    case 'random-patches':
      return patchField(width, height, seed);
  }
}

function constantField(ux: number, uy: number, description?: Record<string, unknown>): DisplacementField {
  return {
    kind: 'constant',
    constant: { ux, uy },
    evaluate(_x, _y, out) {
      out[0] = ux;
      out[1] = uy;
      out[2] = out[3] = out[4] = out[5] = 0;
    },
    description: description ?? { kind: 'constant', formula: 'u = UX, v = UY (px)', ux, uy },
  };
}

function sineDescription(amplitude: number, period: number): Record<string, unknown> {
  return { kind: 'sine', formula: 'u = AMP·sin(2πx/PERIOD), v = 0 (px; x = column)', amplitude, period };
}

function sineField(amplitude: number, period: number): DisplacementField {
  const k = (2 * Math.PI) / period;
  return {
    kind: 'sine',
    constant: null,
    evaluate(x, _y, out) {
      out[0] = amplitude * Math.sin(k * x);
      out[1] = 0;
      out[2] = amplitude * k * Math.cos(k * x);
      out[3] = out[4] = out[5] = 0;
    },
    description: sineDescription(amplitude, period),
  };
}

/**
 * The DIC Challenge 2.0 "Star" field (P. L. Reu et al., "DIC Challenge 2.0: Developing images and
 * guidelines for evaluating accuracy and resolution of 2D analyses", Experimental Mechanics 62 (2022)
 * 639–654, doi:10.1007/s11340-021-00806-6), scaled to the image: u = 0, v = 0.5·cos(2π(y − yc)/p(x)),
 * p(x) = 10 + 140·(x + 1)/W, yc = (H − 1)/2. For 2000 × 501 this is exactly the published field (period
 * 10 px at the left to 150 px at the right). Outside the columns 0…W−1 p is held at its edge value, so the
 * field stays defined (and smooth in y) where spots beyond the border are evaluated. The shear ∂v/∂x grows
 * with the distance from the centre row, up to π·yc·(140/W)/p(0)² at the left edge: 0.54 on the published
 * 2000 × 501 geometry, 2.2 on a 2048² image, whose far rows at the left then vary within a pixel along x.
 */
function starField(width: number, height: number): DisplacementField {
  const yc = (height - 1) / 2;
  const dp = 140 / width;
  const p0 = 10 + dp;
  return {
    kind: 'star',
    constant: null,
    evaluate(x, y, out) {
      const inside = x >= 0 && x <= width - 1;
      const xc = inside ? x : x < 0 ? 0 : width - 1;
      const p = 10 + dp * (xc + 1);
      const phase = (2 * Math.PI * (y - yc)) / p;
      const s = Math.sin(phase);
      out[0] = 0;
      out[1] = 0.5 * Math.cos(phase);
      out[2] = out[3] = 0;
      out[4] = inside ? (0.5 * s * phase * dp) / p : 0; // ∂v/∂x = 0.5·sin φ · φ · p'/p
      out[5] = (-0.5 * s * 2 * Math.PI) / p;
    },
    description: {
      kind: 'star',
      formula: 'u = 0; v = 0.5·cos(2π(y − yc)/p(x)), p(x) = 10 + 140·(x + 1)/W, yc = (H − 1)/2 (px)',
      yc,
      periodLeftPx: p0,
      periodRightPx: 150,
      shearBound: (Math.PI * yc * dp) / (p0 * p0),
      shearNote:
        'upper bound of |∂v/∂x| on the image (0.54 for 2000 × 501); where it exceeds about 0.5, v varies within a pixel along x far from the centre row',
      reference:
        'P. L. Reu et al., DIC Challenge 2.0, Experimental Mechanics 62 (2022) 639–654, doi:10.1007/s11340-021-00806-6 (exact for W = 2000, H = 501)',
    },
  };
}

interface Patch {
  cx: number;
  cy: number;
  width: number;
  ax: number;
  ay: number;
}

/**
 * A smooth random field: six Gaussian patches u = Σ (ax_i, ay_i)·exp(−|x − c_i|²/(2w_i²)), centres
 * uniform over the image, widths w_i = U[0.08, 0.2]·min(W, H), amplitudes per component U[−A_i, A_i] with
 * A_i = min(3 px, 0.1·w_i). Each patch then strains at most 0.1/√e ≈ 6 %, all six together below 52 %,
 * so x + u(x) stays one-to-one; on large images the amplitudes reach 3 px with strains near 1 %.
 */
function patchField(width: number, height: number, seed: number): DisplacementField {
  const rng = mulberry32(hashSeed(seed >>> 0, STREAM_FIELD));
  const side = Math.min(width, height);
  const patches: Patch[] = [];
  for (let i = 0; i < PATCH_COUNT; i++) {
    const cx = rng() * (width - 1);
    const cy = rng() * (height - 1);
    const w = side * (0.08 + 0.12 * rng());
    const amp = Math.min(3, 0.1 * w);
    patches.push({ cx, cy, width: w, ax: amp * (2 * rng() - 1), ay: amp * (2 * rng() - 1) });
  }
  const inv2 = patches.map((p) => 1 / (2 * p.width * p.width));
  return {
    kind: 'random-patches',
    constant: null,
    evaluate(x, y, out) {
      let u = 0;
      let v = 0;
      let ux = 0;
      let uy = 0;
      let vx = 0;
      let vy = 0;
      for (let i = 0; i < patches.length; i++) {
        const p = patches[i];
        const dx = x - p.cx;
        const dy = y - p.cy;
        const g = expNeg((dx * dx + dy * dy) * inv2[i]);
        const gx = -2 * inv2[i] * dx * g; // ∂g/∂x
        const gy = -2 * inv2[i] * dy * g;
        u += p.ax * g;
        v += p.ay * g;
        ux += p.ax * gx;
        uy += p.ax * gy;
        vx += p.ay * gx;
        vy += p.ay * gy;
      }
      out[0] = u;
      out[1] = v;
      out[2] = ux;
      out[3] = uy;
      out[4] = vx;
      out[5] = vy;
    },
    description: {
      kind: 'random-patches',
      formula:
        '(u, v) = Σ_i (ax_i, ay_i)·exp(−((x − cx_i)² + (y − cy_i)²)/(2·w_i²)) px; 6 patches, centres uniform on the image, ' +
        'w_i = U[0.08, 0.2]·min(W, H), ax_i, ay_i ~ U[−A_i, A_i], A_i = min(3 px, 0.1·w_i); drawn from the seed',
      patches,
    },
  };
}

const NEWTON_TOL = 1e-9;
const NEWTON_MAX = 50;

/**
 * Solves X + u(X) = y for one deformed point y = (yx, yy) by Newton's method from the guess (gx, gy).
 * On return out = [u, v, ∂u/∂x, ∂u/∂y, ∂v/∂x, ∂v/∂y] at the solution, out[6] = X, out[7] = Y, and the
 * residual |X + u(X) − y| is below 1e-9 px in each component. Newton rather than the plain fixed point
 * X ← y − u(X): the fixed point converges only while |∇u| < 1 and slowly near it (the star's shear reaches
 * 0.54 on the DIC Challenge geometry), Newton needs only det(I + ∇u) > 0 and two or three steps.
 */
export function invertPoint(field: DisplacementField, yx: number, yy: number, gx: number, gy: number, out: Float64Array): void {
  let x = gx;
  let y = gy;
  for (let it = 0; it < NEWTON_MAX; it++) {
    field.evaluate(x, y, out);
    const rx = x + out[0] - yx;
    const ry = y + out[1] - yy;
    if (Math.abs(rx) <= NEWTON_TOL && Math.abs(ry) <= NEWTON_TOL) {
      out[6] = x;
      out[7] = y;
      return;
    }
    const a = 1 + out[2];
    const b = out[3];
    const c = out[4];
    const d = 1 + out[5];
    const det = a * d - b * c;
    if (!(det > 0)) break;
    x -= (d * rx - b * ry) / det;
    y -= (a * ry - c * rx) / det;
  }
  throw new LabError(
    'E_INVALID_INPUT',
    `The ${field.kind} displacement field cannot be inverted at deformed pixel (${yx}, ${yy}): x + u(x) folds or ` +
      'does not converge there; use a smoother or smaller field.',
  );
}

/** Ground truth on the reference grid (Note: Ground-truth grid): u(x), v(x) at every reference pixel, float32. */
export function groundTruth(field: DisplacementField, width: number, height: number): { u: GreyImage; v: GreyImage } {
  const u = new Float32Array(width * height);
  const v = new Float32Array(width * height);
  const e = new Float64Array(6);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      field.evaluate(x, y, e);
      u[y * width + x] = e[0];
      v[y * width + x] = e[1];
    }
  }
  return { u: { width, height, data: u }, v: { width, height, data: v } };
}
