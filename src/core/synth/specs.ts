/**
 * @file Noise and displacement-field specifications: the types callers pass to `simulatePair`, the short
 * text forms the CLI and the UI accept ("poisson:1000", "sine:0.5,40", ...), and their validation. A bad
 * spec is a `LabError('E_INVALID_INPUT')` whose one-line message quotes the text and lists the accepted
 * forms, so the user can fix it without reading the code.
 */
import { LabError } from '../errors';

/** Noise added to each image after rendering, independently for the reference and the deformed image. */
export type NoiseSpec =
  | { kind: 'none' }
  /** Photon (shot) noise: the mean grey level of the noise-free reference corresponds to `photons` photons. */
  | { kind: 'poisson'; photons: number }
  /** Additive white Gaussian noise of standard deviation `sigma` grey levels (0–255 scale). */
  | { kind: 'gauss'; sigma: number };

/** Displacement field u(x) in pixels; see fields.ts for the formulas. */
export type FieldSpec =
  | { kind: 'constant'; ux: number; uy: number }
  | { kind: 'random-patches' }
  | { kind: 'star' }
  | { kind: 'sine'; amplitude: number; period: number };

const NOISE_FORMS = '"none", "poisson:PHOTONS" (PHOTONS > 0, e.g. poisson:1000) or "gauss:SIGMA" (SIGMA ≥ 0 grey levels, e.g. gauss:2)';
const FIELD_FORMS =
  '"constant:UX,UY" (px, e.g. constant:0.25,-0.5), "random-patches", "star" or "sine:AMP,PERIOD" (px, e.g. sine:0.5,40)';

/** A number written plainly (no hex, no empty string), since `Number('')` is 0 and would pass silently. */
function parseNumber(text: string): number {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

function badNoise(text: string, why: string): LabError {
  return new LabError('E_INVALID_INPUT', `Cannot use the noise spec "${text}": ${why}; use ${NOISE_FORMS}.`);
}

function badField(text: string, why: string): LabError {
  return new LabError('E_INVALID_INPUT', `Cannot use the field spec "${text}": ${why}; use ${FIELD_FORMS}.`);
}

/** Parses 'none' | 'poisson:PHOTONS' | 'gauss:SIGMA' (case-insensitive, spaces ignored). */
export function parseNoiseSpec(s: string): NoiseSpec {
  const text = String(s);
  const t = text.trim().toLowerCase();
  if (t === 'none') return { kind: 'none' };
  const m = /^(poisson|gauss)\s*:\s*(.*)$/.exec(t);
  if (!m) return throwIt(badNoise(text, 'it is not one of the accepted forms'));
  const value = parseNumber(m[2]);
  const spec: NoiseSpec = m[1] === 'poisson' ? { kind: 'poisson', photons: value } : { kind: 'gauss', sigma: value };
  validateNoiseSpec(spec, text);
  return spec;
}

/** Parses 'constant:UX,UY' | 'random-patches' | 'star' | 'sine:AMP,PERIOD' (case-insensitive). */
export function parseFieldSpec(s: string): FieldSpec {
  const text = String(s);
  const t = text.trim().toLowerCase();
  if (t === 'random-patches') return { kind: 'random-patches' };
  if (t === 'star') return { kind: 'star' };
  const m = /^(constant|sine)\s*:\s*([^,]*),([^,]*)$/.exec(t);
  if (!m) return throwIt(badField(text, 'it is not one of the accepted forms'));
  const a = parseNumber(m[2]);
  const b = parseNumber(m[3]);
  const spec: FieldSpec = m[1] === 'constant' ? { kind: 'constant', ux: a, uy: b } : { kind: 'sine', amplitude: a, period: b };
  validateFieldSpec(spec, text);
  return spec;
}

function throwIt(e: LabError): never {
  throw e;
}

/**
 * Checks a NoiseSpec built in code (not only parsed text), so `simulatePair` can trust its input.
 * `text` is what the message quotes; by default the spec's own text form.
 */
export function validateNoiseSpec(spec: NoiseSpec, text?: string): void {
  if (!spec || typeof spec !== 'object') throw badNoise(String(spec), 'it is not a noise spec');
  text ??= noiseSpecText(spec);
  if (spec.kind === 'none') return;
  if (spec.kind === 'poisson') {
    if (!Number.isFinite(spec.photons) || spec.photons <= 0) {
      throw badNoise(text, 'PHOTONS must be a positive number (the photon count of the mean grey level)');
    }
    return;
  }
  if (spec.kind === 'gauss') {
    if (!Number.isFinite(spec.sigma) || spec.sigma < 0) {
      throw badNoise(text, 'SIGMA must be a number ≥ 0 (grey levels of the 0–255 scale)');
    }
    return;
  }
  throw badNoise(text, `the kind "${(spec as { kind: unknown }).kind}" is unknown`);
}

/** Checks a FieldSpec built in code; rejects sine fields that would fold the image onto itself. */
export function validateFieldSpec(spec: FieldSpec, text?: string): void {
  if (!spec || typeof spec !== 'object') throw badField(String(spec), 'it is not a field spec');
  text ??= fieldSpecText(spec);
  switch (spec.kind) {
    case 'random-patches':
    case 'star':
      return;
    case 'constant':
      if (!Number.isFinite(spec.ux) || !Number.isFinite(spec.uy)) throw badField(text, 'UX and UY must be numbers');
      return;
    case 'sine': {
      if (!Number.isFinite(spec.amplitude) || !Number.isFinite(spec.period)) {
        throw badField(text, 'AMP and PERIOD must be numbers');
      }
      if (spec.period < 2) throw badField(text, 'PERIOD must be at least 2 px (the sampling limit of the pixel grid)');
      // x + A sin(2πx/P) is one-to-one only while its slope 1 + 2πA/P·cos(...) stays positive.
      const slope = (2 * Math.PI * Math.abs(spec.amplitude)) / spec.period;
      if (slope >= 1) {
        throw badField(
          text,
          `2π·|AMP|/PERIOD = ${slope.toFixed(3)} must stay below 1 or the deformed image folds onto itself (lower AMP or lengthen PERIOD)`,
        );
      }
      return;
    }
    default:
      throw badField(text, `the kind "${(spec as { kind: unknown }).kind}" is unknown`);
  }
}

/** The text form of a NoiseSpec (round-trips through parseNoiseSpec). */
export function noiseSpecText(spec: NoiseSpec): string {
  if (spec.kind === 'poisson') return `poisson:${spec.photons}`;
  if (spec.kind === 'gauss') return `gauss:${spec.sigma}`;
  return String((spec as { kind: unknown }).kind);
}

/** The text form of a FieldSpec (round-trips through parseFieldSpec). */
export function fieldSpecText(spec: FieldSpec): string {
  if (spec.kind === 'constant') return `constant:${spec.ux},${spec.uy}`;
  if (spec.kind === 'sine') return `sine:${spec.amplitude},${spec.period}`;
  return String((spec as { kind: unknown }).kind);
}
