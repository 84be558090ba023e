/**
 * @file Geometry of a speckle-based X-ray phase-contrast set-up (pixel pitch, sample–detector distance,
 * photon energy, optional source–sample distance for a cone beam), its validation, and the relations that
 * turn a speckle displacement on the detector into a refraction angle at the sample.
 *
 * Note: Cone-beam relation. A point source S sits z1 upstream of the sample, the detector d downstream
 * (z1 = ∞ for a plane wave). A sample feature at transverse position X is projected to M·X on the
 * detector, M = (z1 + d)/z1 (M = 1 for a plane wave), so one detector pixel of pitch p covers p/M at the
 * sample. A ray through X deflected by the small angle α leaves along a line tilted by α with respect to
 * the undeflected ray S→X, so on the detector, a distance d further, it lands α·d away from where it would
 * have landed. The speckle pattern carried by that ray moves by the same amount: u·p = α·d, with u the
 * measured displacement in detector pixels (Note: Tracking convention, track/types.ts: the pattern moves
 * by +u from the reference to the sample image, so u and α have the same sign). Hence
 *     α = u·p / d                                  (independent of z1).
 * Check through the Fresnel scaling theorem: the cone beam is equivalent to a plane wave propagating over
 * d_eff = z1·d/(z1 + d) = d/M in sample-plane coordinates, where the shift is u·p/M, so
 * α = (u·p/M)/d_eff = u·p/d, the same. There is no extra 1/M: the magnification changes where things sit
 * (pixel p/M at the sample, used when the phase gradient is integrated, signals.ts), not the angle.
 * Ignored: the diffuser position (the relation holds for a diffuser upstream of the sample, as usual) and
 * the blur of the source; refraction angles are assumed small (µrad), so tan α = α.
 *
 * Validation (validateGeometry): values that cannot describe a set-up (not finite, ≤ 0, or outside hard
 * limits that catch a value given in the wrong unit, e.g. a pixel of 7e-6 µm meant as metres) throw
 * LabError('E_INVALID_INPUT'); values that are possible but unusual for speckle imaging are returned as
 * warning sentences, so the task can go on and record them (scikit-image habit: degenerate but valid input
 * warns, impossible input fails).
 */
import { LabError } from '../errors';
import { wavelengthM } from './optics';

/** λ = hc/E in metres for E in keV (hc = 1.23984198 keV·nm); shared with the simulator (optics.ts). */
export { wavelengthM };

export interface XpciGeometry {
  /** detector pixel pitch, µm */
  pixelUm: number;
  /** sample–detector distance, m */
  distanceM: number;
  /** photon energy, keV (monochromatic or mean energy) */
  energyKeV: number;
  /** source–sample distance for a cone beam, m; omitted = plane wave */
  sourceM?: number;
}

/** Geometric magnification M = (z1 + d)/z1; 1 for a plane wave (sourceM omitted). */
export function magnification(g: XpciGeometry): number {
  return g.sourceM === undefined ? 1 : (g.sourceM + g.distanceM) / g.sourceM;
}

/** Pixel size projected back to the sample plane, p/M, in µm. */
export function effectivePixelUm(g: XpciGeometry): number {
  return g.pixelUm / magnification(g);
}

/** Effective propagation distance d_eff = z1·d/(z1 + d) = d/M (Fresnel scaling theorem), in m. */
export function effectiveDistanceM(g: XpciGeometry): number {
  return g.distanceM / magnification(g);
}

/** Radians of refraction per pixel of detector displacement: p/d (Note: Cone-beam relation). */
export function radPerPixel(g: XpciGeometry): number {
  return (g.pixelUm * 1e-6) / g.distanceM;
}

interface Limit {
  what: string;
  unit: string;
  /** hard limits: outside = error */
  min: number;
  max: number;
  /** usual range: outside = warning */
  lo: number;
  hi: number;
  /** what to say when a value is outside the hard limits, e.g. a likely unit mix-up */
  hintLow: string;
  hintHigh: string;
}

const LIMITS: Record<keyof XpciGeometry, Limit> = {
  pixelUm: {
    what: 'The detector pixel size', unit: 'µm', min: 1e-3, max: 1e4, lo: 0.1, hi: 500,
    hintLow: 'give it in micrometres (7 µm, not 7e-6)', hintHigh: 'give it in micrometres; more than 10 mm is not a detector pixel',
  },
  distanceM: {
    what: 'The sample–detector distance', unit: 'm', min: 1e-4, max: 1e3, lo: 0.005, hi: 200,
    hintLow: 'give it in metres (0.5 m, not 5e-4)', hintHigh: 'give it in metres (3.5 m, not 3500 mm)',
  },
  energyKeV: {
    what: 'The photon energy', unit: 'keV', min: 0.1, max: 1000, lo: 5, hi: 150,
    hintLow: 'give it in keV (17 keV, not 0.017 MeV)', hintHigh: 'give it in keV (17 keV, not 17000 eV)',
  },
  sourceM: {
    what: 'The source–sample distance', unit: 'm', min: 1e-4, max: 1e5, lo: 0.01, hi: 1e4,
    hintLow: 'give it in metres', hintHigh: 'give it in metres, or leave it out for a plane wave',
  },
};

const fmt = (v: number) => (Number.isFinite(v) ? String(+v.toPrecision(6)) : String(v));

/**
 * Checks a geometry. Throws LabError('E_INVALID_INPUT') naming the value, its unit and the accepted range
 * when a value is impossible; returns warnings (full sentences) for values that are unusual but possible.
 */
export function validateGeometry(g: XpciGeometry): string[] {
  if (!g || typeof g !== 'object') throw new LabError('E_INVALID_INPUT', 'The X-ray geometry is missing; give the pixel size, distance and energy.');
  const warnings: string[] = [];
  for (const key of Object.keys(LIMITS) as (keyof XpciGeometry)[]) {
    const v = g[key];
    if (key === 'sourceM' && v === undefined) continue;
    const L = LIMITS[key];
    const range = `${fmt(L.min)}–${fmt(L.max)} ${L.unit}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new LabError('E_INVALID_INPUT', `${L.what} ${String(v)} ${L.unit} is not a finite number; give a value in ${range}.`);
    }
    if (v <= 0) {
      throw new LabError('E_INVALID_INPUT', `${L.what} ${fmt(v)} ${L.unit} must be greater than 0 ${L.unit} (usually ${fmt(L.lo)}–${fmt(L.hi)} ${L.unit}).`);
    }
    if (v < L.min || v > L.max) {
      const hint = v < L.min ? L.hintLow : L.hintHigh;
      throw new LabError('E_INVALID_INPUT', `${L.what} ${fmt(v)} ${L.unit} is outside the accepted range ${range}; ${hint}.`);
    }
    if (v < L.lo || v > L.hi) {
      warnings.push(`${L.what} ${fmt(v)} ${L.unit} is unusual for speckle-based imaging (usually ${fmt(L.lo)}–${fmt(L.hi)} ${L.unit}); check its unit.`);
    }
  }
  const M = magnification(g);
  if (M > 100) {
    warnings.push(`The magnification ${fmt(M)} (source–sample ${fmt(g.sourceM!)} m, sample–detector ${fmt(g.distanceM)} m) is very large; check the source distance.`);
  }
  return warnings;
}

/** Derived quantities for result files and reports. */
export function describeGeometry(g: XpciGeometry): Record<string, unknown> {
  return {
    pixelUm: g.pixelUm,
    distanceM: g.distanceM,
    energyKeV: g.energyKeV,
    sourceM: g.sourceM ?? null,
    beam: g.sourceM === undefined ? 'plane wave' : 'cone beam (point source)',
    wavelengthM: wavelengthM(g.energyKeV),
    magnification: magnification(g),
    effectivePixelUm: effectivePixelUm(g),
    effectiveDistanceM: effectiveDistanceM(g),
    microradPerPixel: radPerPixel(g) * 1e6,
    relation:
      'alpha = u·p/d (rad; u in detector px, p pixel pitch, d sample–detector distance, independent of the source distance); ' +
      'dPhi/dX = (2π/λ)·alpha at the sample plane, whose pixel is p/M, M = (z1 + d)/z1',
  };
}
