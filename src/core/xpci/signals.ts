/**
 * @file The X-ray speckle signal chain after tracking (Zanette et al., Phys. Rev. Lett. 112, 253903
 * (2014); Zdora, J. Imaging 4, 60 (2018) review; Zdora et al., Phys. Rev. Lett. 118, 203903 (2017) for
 * UMPA): displacement u, v (detector px) → refraction angles α_x, α_y (rad) → differential phase
 * ∂Φ/∂X = (2π/λ)·α (rad per metre at the sample plane, or rad per sample-plane pixel for the integrators)
 * → phase Φ (integrate-fc.ts, integrate-ls.ts) → projected thickness t = −Φλ/(2πδ).
 * Transmission and dark-field are UMPA's own outputs ('transmission', 'darkfield' in field.extra) and are
 * passed through unchanged.
 *
 * Note: Signs and units. Refractive index n = 1 − δ + iβ; the sample adds the phase Φ = −(2π/λ)·δ·t to the
 * wave, and deflects rays by α = (λ/2π)·∂Φ/∂X = −δ·∂t/∂X: towards thinner material. u and α have the
 * same sign (Note: Cone-beam relation, geometry.ts), x = column (right), y = row (down). Every array is
 * float32, row-major, width·height; NaN (not measured) stays NaN through every step.
 */
import { LabError } from '../errors';
import { effectivePixelUm, radPerPixel, wavelengthM, type XpciGeometry } from './geometry';

export interface RefractionAngles {
  /** refraction angle along x (columns), rad */
  alphaX: Float32Array;
  /** refraction angle along y (rows), rad */
  alphaY: Float32Array;
}

function scaled(a: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] * factor; // NaN·factor = NaN
  return out;
}

/** α = u·p/d for both components (Note: Cone-beam relation, geometry.ts); rad, NaN preserved. */
export function refractionAngles(u: Float32Array, v: Float32Array, g: XpciGeometry): RefractionAngles {
  if (u.length !== v.length) {
    throw new LabError('E_SIZE_MISMATCH', `The displacement maps u and v have ${u.length} and ${v.length} values; they must have the same size.`);
  }
  const f = radPerPixel(g);
  return { alphaX: scaled(u, f), alphaY: scaled(v, f) };
}

/** Wavenumber k = 2π/λ in rad per metre. */
export function wavenumber(g: XpciGeometry): number {
  return (2 * Math.PI) / wavelengthM(g.energyKeV);
}

/** Differential phase ∂Φ/∂X = (2π/λ)·α in rad per metre of the sample plane. */
export function differentialPhase(alpha: Float32Array, g: XpciGeometry): Float32Array {
  return scaled(alpha, wavenumber(g));
}

/**
 * Differential phase per sample-plane pixel, ∂Φ/∂i = (2π/λ)·α·p/M (rad/px): the gradient the integrators
 * take, since the detector grid samples the sample plane every p/M.
 */
export function differentialPhasePerPixel(alpha: Float32Array, g: XpciGeometry): Float32Array {
  return scaled(alpha, wavenumber(g) * effectivePixelUm(g) * 1e-6);
}

/**
 * Projected thickness t = −Φ·λ/(2π·δ) in metres, for a sample of one material with decrement δ at the
 * energy used. Φ is known up to a constant (the integrators fix its mean to zero), so t is too.
 */
export function thickness(phase: Float32Array, lambdaM: number, delta: number): Float32Array {
  if (!(Number.isFinite(delta) && delta > 0 && delta < 0.1)) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The refractive-index decrement δ = ${delta} must be a positive number below 0.1 (X-ray δ is typically 1e-8 to 1e-5, e.g. 3.6e-7 for PMMA at 20 keV).`,
    );
  }
  if (!(Number.isFinite(lambdaM) && lambdaM > 0)) {
    throw new LabError('E_INVALID_INPUT', `The wavelength ${lambdaM} m must be a positive number.`);
  }
  return scaled(phase, -lambdaM / (2 * Math.PI * delta));
}

/** UMPA's transmission and dark-field maps, when the tracker produced them (other methods: empty). */
export function attenuationSignals(extra: Record<string, Float32Array>): { transmission?: Float32Array; darkfield?: Float32Array } {
  const out: { transmission?: Float32Array; darkfield?: Float32Array } = {};
  if (extra.transmission) out.transmission = extra.transmission;
  if (extra.darkfield && extra.darkfield.some((x) => Number.isFinite(x))) out.darkfield = extra.darkfield;
  return out;
}
