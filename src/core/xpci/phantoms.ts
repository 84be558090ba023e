/**
 * @file Sample phantoms of the X-ray phase-contrast simulator: analytic projected-thickness maps t(x, y)
 * (metres) in the sample plane. Coordinates: x right (detector columns), y down (rows), in metres in the
 * SAMPLE plane, origin on the ray through the centre of detector pixel (0, 0); a detector pixel spans
 * p/M there (p detector pitch, M geometric magnification). Every phantom is evaluated on the fine
 * computational grid (for the wave field) and on pixel edges (for the ground truth), never rasterised
 * coarsely. `slopeRef` is a typical |∇t| used to pick a default propagation distance (simulate-setup.ts).
 *
 * - sine: t = b + A·sin(w·x), varying along x only (the PMMA phantom of the seed paper: b = 1000 µm,
 *   A = 800 µm, w = 1.33e-3 µm⁻¹, period 2π/w = 4.72 mm), |∇t| ≤ A·w = 1.064.
 * - sphere of radius R centred in the field of view: t = 2√(R² − ρ²) for ρ < R, else 0. |∇t| = 2ρ/√(R² − ρ²)
 *   diverges at the rim; slopeRef is its value at ρ = R/2, 2/√3.
 * - cylinder of radius R, axis along y through the centre: t = 2√(R² − (x − xc)²).
 * - wedge (a prism, i.e. a pure phase ramp): t = t0 + sx·(x − xc) + sy·(y − yc), t0 = 0 by default.
 *   Negative values are allowed and mean "thinner than at the centre": only ∇t = (sx, sy) matters for
 *   refraction, and the transmission is then relative to the centre. It exists to check the displacement
 *   relation exactly: a linear phase moves the whole speckle pattern rigidly.
 */
import { LabError } from '../errors';
import type { MaterialSpec } from './optics';

export type SampleSpec =
  | { kind: 'sine'; baseUm?: number; amplitudeUm?: number; frequencyPerUm?: number; material?: MaterialSpec }
  | { kind: 'sphere'; radiusUm?: number; material?: MaterialSpec }
  | { kind: 'cylinder'; radiusUm?: number; material?: MaterialSpec }
  | { kind: 'wedge'; slopeX?: number; slopeY?: number; offsetUm?: number; material?: MaterialSpec };
export type SampleKind = SampleSpec['kind'];
export const SAMPLE_KINDS: readonly SampleKind[] = ['sine', 'sphere', 'cylinder', 'wedge'];

/** The paper's sine phantom (µm, µm, 1/µm). */
export const SINE_DEFAULTS = { baseUm: 1000, amplitudeUm: 800, frequencyPerUm: 1.33e-3 } as const;
/** Default sphere/cylinder radius as a fraction of the smaller side of the field of view. */
const RADIUS_FRACTION = 0.35;

export interface Phantom {
  kind: SampleKind;
  /** projected thickness (m) at sample-plane position (x, y) (m) */
  thickness(x: number, y: number): number;
  /** a typical |∇t| (dimensionless) for the default distance */
  slopeRef: number;
  /** resolved parameters and the formula, for result.json */
  description: Record<string, unknown>;
}

/** Field of view in the sample plane: size (m) and centre (m), same origin as the phantoms. */
export interface SampleFov {
  widthM: number;
  heightM: number;
  centreX: number;
  centreY: number;
}

function positive(name: string, v: number, hint: string): number {
  if (!(Number.isFinite(v) && v > 0)) throw new LabError('E_INVALID_INPUT', `The ${name} ${v} must be a positive number; ${hint}.`);
  return v;
}

/** Builds the thickness function of `spec` for a field of view; see the file note. */
export function makePhantom(spec: SampleSpec, fov: SampleFov): Phantom {
  const { centreX: xc, centreY: yc } = fov;
  switch (spec.kind) {
    case 'sine': {
      const b = (spec.baseUm ?? SINE_DEFAULTS.baseUm) * 1e-6;
      const a = (spec.amplitudeUm ?? SINE_DEFAULTS.amplitudeUm) * 1e-6;
      const w = positive('sine frequency (1/µm)', spec.frequencyPerUm ?? SINE_DEFAULTS.frequencyPerUm, 'the paper uses 1.33e-3') * 1e6;
      if (!(Number.isFinite(a) && a >= 0 && Number.isFinite(b) && b >= a)) {
        throw new LabError('E_INVALID_INPUT', `The sine phantom needs 0 ≤ A ≤ b so the thickness never goes negative (got b = ${b * 1e6} µm, A = ${a * 1e6} µm).`);
      }
      return {
        kind: 'sine',
        thickness: (x) => b + a * Math.sin(w * x),
        slopeRef: a * w,
        description: {
          formula: 't(x) = b + A·sin(w·x), x in the sample plane from the ray through the centre of pixel column 0',
          baseUm: b * 1e6,
          amplitudeUm: a * 1e6,
          frequencyPerUm: w * 1e-6,
          periodUm: ((2 * Math.PI) / w) * 1e6,
          maxSlope: a * w,
        },
      };
    }
    case 'sphere':
    case 'cylinder': {
      const r = positive(`${spec.kind} radius (µm)`, spec.radiusUm ?? RADIUS_FRACTION * Math.min(fov.widthM, fov.heightM) * 1e6, 'give it in µm') * 1e-6;
      const r2 = r * r;
      const sphere = spec.kind === 'sphere';
      return {
        kind: spec.kind,
        thickness: sphere
          ? (x, y) => {
              const q = r2 - (x - xc) * (x - xc) - (y - yc) * (y - yc);
              return q > 0 ? 2 * Math.sqrt(q) : 0;
            }
          : (x) => {
              const q = r2 - (x - xc) * (x - xc);
              return q > 0 ? 2 * Math.sqrt(q) : 0;
            },
        slopeRef: 2 / Math.sqrt(3),
        description: {
          formula: sphere ? 't = 2·√(R² − (x − xc)² − (y − yc)²) inside, 0 outside' : 't = 2·√(R² − (x − xc)²) inside, 0 outside (axis along y)',
          radiusUm: r * 1e6,
          centreUm: sphere ? [xc * 1e6, yc * 1e6] : [xc * 1e6, null],
        },
      };
    }
    case 'wedge': {
      const sx = spec.slopeX ?? 0;
      const sy = spec.slopeY ?? 0;
      if (!(Number.isFinite(sx) && Number.isFinite(sy) && (sx !== 0 || sy !== 0) && Math.hypot(sx, sy) <= 100)) {
        throw new LabError('E_INVALID_INPUT', `The wedge slopes (${sx}, ${sy}) must be finite, not both 0, and at most 100 in magnitude (thickness change per unit length).`);
      }
      const t0 = (spec.offsetUm ?? 0) * 1e-6;
      return {
        kind: 'wedge',
        thickness: (x, y) => t0 + sx * (x - xc) + sy * (y - yc),
        slopeRef: Math.hypot(sx, sy),
        description: {
          formula: 't = t0 + sx·(x − xc) + sy·(y − yc) (relative thickness; only the gradient matters)',
          slopeX: sx,
          slopeY: sy,
          offsetUm: t0 * 1e6,
          centreUm: [xc * 1e6, yc * 1e6],
        },
      };
    }
    default:
      throw new LabError('E_INVALID_INPUT', `Unknown sample "${(spec as { kind: string }).kind}"; use one of ${SAMPLE_KINDS.join(', ')}.`);
  }
}
