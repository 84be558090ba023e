/**
 * @file The analytic speckle pattern: randomly placed Gaussian spots defined on the whole plane, the
 * pixel response that turns it into grey levels, and a point evaluator. Rendering whole images fast is in
 * render.ts; both follow the same formulas, written once here in "Note: Speckle model".
 *
 * Note: Speckle model.
 *  - Spots. Centres c_k form a Poisson point process of density n = 1/(2πσ_b²) spots/px², amplitudes
 *    a_k ~ U[0.5, 1]. Each spot is a_k·exp(−|x−c_k|²/(2σ_b²)). With this density the discs inside each
 *    spot's half maximum cover 1 − exp(−n·2π·ln2·σ_b²) = 50 % of the surface.
 *  - Cells. The plane is cut into square cells of side 6σ_eff (the cut-off radius below); the spots of
 *    cell (i, j) are drawn from their own stream `hashSeed(seed, SPOTS, i, j)` (Note: Random streams in
 *    rng.ts). The pattern is therefore defined everywhere, identical however the image is cut into bands,
 *    and one evaluation only visits the few cells around the point ("spatial hashing").
 *  - Pixel response. A pixel records the irradiance weighted by a Gaussian of variance σ_p² = 1/12 px²
 *    (the variance of the uniform square aperture; it also stands in for a slight optical blur). A
 *    Gaussian spot seen through a Gaussian response is again a Gaussian, so every pixel is an exact,
 *    closed-form integral, with no supersampling and no interpolation. In the deformed image the response
 *    is pulled back to the reference plane through the local affine map at the pixel centre: with
 *    B = (I + ∇u(X))⁻¹, spot k contributes a_k·σ_b²/√det Σ · exp(−½ dᵀΣ⁻¹d), d = X − c_k,
 *    Σ = σ_b²·I + σ_p²·B·Bᵀ. For constant (and affine) fields this is exact; for curved fields it omits
 *    a second-order term of about σ_p²·|∇²u|/2 px (4e-3 px for a sine of 1 px amplitude and 20 px
 *    period), so the content of each deformed pixel sits exactly at the ground-truth u of its centre.
 *    Terms with dᵀΣ⁻¹d ≥ 36 (below 1.5e-8 of a spot's peak, under float32 resolution) are skipped;
 *    the exponentials come from `expNeg` (exp-neg.ts), within 2e-14 of Math.exp.
 *  - Grey levels. The sum V(x) of the spot terms (mean 0.75) goes through a smooth saturating tone curve
 *    G = 255·(0.1 + 0.8·(1 − exp(−V))), grey levels of an 8-bit-like 0–255 scale: background 25.5, spots
 *    saturating towards 229.5, mean ≈ 0.47·255 ≈ 120, standard deviation ≈ 45–48. No value is clipped and
 *    nothing is quantised (float32), so noise statistics and sub-pixel shifts stay exact.
 *  - Speckle size S is the full width at half maximum of the autocorrelation peak of the noise-free
 *    image (see speckle-size.ts). For the linear sum V it is 4·√ln2·σ_eff with σ_eff² = σ_b² + σ_p²;
 *    the tone curve widens it by 3.5 % (measured on 512² patterns at S = 2, 4, 8), so
 *    σ_eff = S / (4·√ln2 · 1.035). An isolated spot of this size looks about S px across.
 */
import { LabError } from '../errors';
import { expNeg } from './exp-neg';
import { hashSeed, hashSeed3, mulberry32, poisson } from './rng';

export const SPECKLE_SIZE_MIN = 2;
export const SPECKLE_SIZE_MAX = 10;
/** Grey scale of the output images: 0–255 like an 8-bit camera, but float32 and never clipped. */
export const FULL_SCALE = 255;
const DARK = 0.1;
const WHITE = 0.9;
const AMP_MIN = 0.5;
const AMP_MAX = 1.0;
const SIGMA_P2 = 1 / 12;
/** Mahalanobis cut-off: exp(−36/2) = 1.5e-8 of a spot's peak. */
export const CUTOFF_Q = 36;
/** Widening of the autocorrelation FWHM by the tone curve (Note: Speckle model). */
const TONE_WIDENING = 1.035;
/** Stream id of the spot cells (Note: Random streams). */
const STREAM_SPOTS = 1;

/** Everything that defines the pattern; the same model renders the reference and the deformed image. */
export interface SpeckleModel {
  speckleSize: number;
  seed: number;
  /** σ of one spot, px */
  sigmaBlob: number;
  /** σ_p² of the pixel response, px² */
  sigmaPixel2: number;
  /** σ of a spot as a pixel sees it, √(σ_b² + σ_p²), px */
  sigmaEff: number;
  /** spots per px² */
  density: number;
  /** side of a hash cell = cut-off radius 6·σ_eff, px */
  cellSize: number;
  /** per-cell seed of the spot streams */
  cellSeed: number;
}

/** Builds the pattern for a requested speckle size (px, 2–10) and seed. */
export function makeSpeckleModel(speckleSize: number, seed: number): SpeckleModel {
  if (!Number.isFinite(speckleSize) || speckleSize < SPECKLE_SIZE_MIN || speckleSize > SPECKLE_SIZE_MAX) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The speckle size ${speckleSize} px is outside the supported range ${SPECKLE_SIZE_MIN}–${SPECKLE_SIZE_MAX} px ` +
        '(full width at half maximum of the autocorrelation peak); choose a size in that range.',
    );
  }
  const sigmaEff = speckleSize / (4 * Math.sqrt(Math.LN2) * TONE_WIDENING);
  const sigmaBlob2 = sigmaEff * sigmaEff - SIGMA_P2; // > 0.25 for S ≥ 2
  return {
    speckleSize,
    seed: seed >>> 0,
    sigmaBlob: Math.sqrt(sigmaBlob2),
    sigmaPixel2: SIGMA_P2,
    sigmaEff,
    density: 1 / (2 * Math.PI * sigmaBlob2),
    cellSize: Math.sqrt(CUTOFF_Q) * sigmaEff,
    cellSeed: hashSeed(seed >>> 0, STREAM_SPOTS),
  };
}

/** Growable arrays of spots (centres in px, amplitudes), reused across bands to avoid garbage. */
export class SpotList {
  x = new Float64Array(1024);
  y = new Float64Array(1024);
  a = new Float64Array(1024);
  count = 0;
  clear(): void {
    this.count = 0;
  }
  push(x: number, y: number, a: number): void {
    if (this.count === this.x.length) {
      const grow = (old: Float64Array) => {
        const next = new Float64Array(old.length * 2);
        next.set(old);
        return next;
      };
      this.x = grow(this.x);
      this.y = grow(this.y);
      this.a = grow(this.a);
    }
    this.x[this.count] = x;
    this.y[this.count] = y;
    this.a[this.count] = a;
    this.count += 1;
  }
}

/**
 * Appends the spots of cell (i, j), which covers [i·s, (i+1)·s) × [j·s, (j+1)·s). Always the same spots, in
 * the same order, for a given model: the cell's stream is a pure function of (seed, i, j).
 */
export function appendCellSpots(model: SpeckleModel, i: number, j: number, out: SpotList): void {
  const s = model.cellSize;
  const rng = mulberry32(hashSeed3(model.cellSeed, i, j));
  const n = poisson(rng, model.density * s * s);
  for (let k = 0; k < n; k++) {
    const x = (i + rng()) * s;
    const y = (j + rng()) * s;
    out.push(x, y, AMP_MIN + (AMP_MAX - AMP_MIN) * rng());
  }
}

/** The tone curve from the spot sum V to grey levels (Note: Speckle model). */
export function toneCurve(v: number): number {
  return FULL_SCALE * (DARK + (WHITE - DARK) * -Math.expm1(-v));
}

/**
 * Response parameters of one pixel whose centre maps to reference point X with Jacobian ∇u(X) =
 * [[j11, j12], [j21, j22]] (∂u/∂x, ∂u/∂y, ∂v/∂x, ∂v/∂y). Writes into `out` at `o`:
 * [P11, P12, P22] = Σ⁻¹, the amplitude factor σ_b²/√det Σ, and the cut-off radius 6·√λmax(Σ).
 * The reference image uses the same function with a zero Jacobian, so u = 0 renders bit-identically.
 */
export function pixelResponse(
  model: SpeckleModel,
  j11: number,
  j12: number,
  j21: number,
  j22: number,
  out: Float64Array,
  o: number,
): void {
  const a = 1 + j11;
  const d = 1 + j22;
  const det = a * d - j12 * j21;
  // B = (I + J)⁻¹ = [[d, −j12], [−j21, a]] / det; Σ = σ_b² I + σ_p² B Bᵀ.
  const b11 = d / det;
  const b12 = -j12 / det;
  const b21 = -j21 / det;
  const b22 = a / det;
  const sb2 = model.sigmaBlob * model.sigmaBlob;
  const sp2 = model.sigmaPixel2;
  const s11 = sb2 + sp2 * (b11 * b11 + b12 * b12);
  const s12 = sp2 * (b11 * b21 + b12 * b22);
  const s22 = sb2 + sp2 * (b21 * b21 + b22 * b22);
  const detS = s11 * s22 - s12 * s12;
  out[o] = s22 / detS;
  out[o + 1] = -s12 / detS;
  out[o + 2] = s11 / detS;
  out[o + 3] = sb2 / Math.sqrt(detS);
  const half = 0.5 * (s11 + s22);
  const lmax = half + Math.sqrt(Math.max(0, 0.25 * (s11 - s22) * (s11 - s22) + s12 * s12));
  out[o + 4] = Math.sqrt(CUTOFF_Q * lmax);
}

/**
 * The spot sum V seen by a pixel whose centre maps to reference point (x, y) with Jacobian `jac` (zero:
 * a reference pixel centred at (x, y)). A direct, slow evaluator for tests and spot checks: it regenerates
 * the cells it needs on every call.
 */
export function spotSumAt(model: SpeckleModel, x: number, y: number, jac: readonly number[] = [0, 0, 0, 0]): number {
  const p = new Float64Array(5);
  pixelResponse(model, jac[0], jac[1], jac[2], jac[3], p, 0);
  const r = p[4];
  const s = model.cellSize;
  const spots = new SpotList();
  for (let j = Math.floor((y - r) / s); j <= Math.floor((y + r) / s); j++) {
    for (let i = Math.floor((x - r) / s); i <= Math.floor((x + r) / s); i++) appendCellSpots(model, i, j, spots);
  }
  let acc = 0;
  for (let k = 0; k < spots.count; k++) {
    const dx = x - spots.x[k];
    const dy = y - spots.y[k];
    const q = p[0] * dx * dx + 2 * p[1] * dx * dy + p[2] * dy * dy;
    if (q < CUTOFF_Q) acc += spots.a[k] * expNeg(0.5 * q);
  }
  return p[3] * acc;
}

/** Grey level of a pixel centred at reference point (x, y) (see `spotSumAt`). */
export function greyAt(model: SpeckleModel, x: number, y: number, jac?: readonly number[]): number {
  return toneCurve(spotSumAt(model, x, y, jac));
}

/** The constants of the model, for `description` (formulas in Note: Speckle model). */
export function describeSpeckle(model: SpeckleModel): Record<string, unknown> {
  return {
    model: 'Poisson field of Gaussian spots, evaluated analytically (no interpolation, no supersampling)',
    spot: 'a_k·exp(−|x − c_k|²/(2σ_b²)), a_k ~ U[0.5, 1], centres Poisson with density 1/(2πσ_b²) per px² (50 % coverage by half-maximum discs)',
    sigmaBlobPx: model.sigmaBlob,
    pixelResponse:
      'Gaussian pixel response of variance 1/12 px² (that of the square aperture), pulled back through the local affine inverse map: ' +
      'spot k adds a_k·σ_b²/√det Σ·exp(−½(X−c_k)ᵀΣ⁻¹(X−c_k)), Σ = σ_b²I + σ_p²BBᵀ, B = (I + ∇u(X))⁻¹; terms beyond Mahalanobis² 36 skipped',
    sigmaPixelPx: Math.sqrt(model.sigmaPixel2),
    sigmaEffectivePx: model.sigmaEff,
    densityPerPx2: model.density,
    cellSizePx: model.cellSize,
    toneCurve: 'grey = 255·(0.1 + 0.8·(1 − exp(−V))), V = sum of spot terms; float32, not clipped, not quantised',
    greyScale: { fullScale: FULL_SCALE, unit: 'grey levels of an 8-bit-like 0–255 scale', dark: FULL_SCALE * DARK, white: FULL_SCALE * WHITE },
    speckleSizeDefinition:
      'full width at half maximum of the autocorrelation peak of the noise-free image (mean of x and y); σ_eff = S/(4·√ln2·1.035), the 1.035 compensating the widening by the tone curve',
  };
}
