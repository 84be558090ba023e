/**
 * @file Geometry and signal chain: validation messages (errors for impossible values, warnings for unusual
 * ones), λ = hc/E, magnification and the cone-beam relation α = u·p/d (Note: Cone-beam relation,
 * geometry.ts), differential phase units, thickness sign and NaN propagation.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { describeGeometry, effectiveDistanceM, effectivePixelUm, magnification, radPerPixel, validateGeometry, wavelengthM, type XpciGeometry } from './geometry';
import { attenuationSignals, differentialPhase, differentialPhasePerPixel, refractionAngles, thickness, wavenumber } from './signals';

const TIEPY: XpciGeometry = { pixelUm: 7, distanceM: 3.5, energyKeV: 17 };

function errorOf(g: XpciGeometry): LabError {
  try {
    validateGeometry(g);
  } catch (e) {
    return e as LabError;
  }
  throw new Error('expected an error');
}

describe('validateGeometry', () => {
  it('accepts a usual set-up without warnings', () => {
    expect(validateGeometry(TIEPY)).toEqual([]);
    expect(validateGeometry({ ...TIEPY, sourceM: 30 })).toEqual([]);
  });

  it('refuses impossible values with a sentence naming value, unit and range', () => {
    const e = errorOf({ ...TIEPY, distanceM: 0 });
    expect(e.code).toBe('E_INVALID_INPUT');
    expect(e.message).toBe('The sample–detector distance 0 m must be greater than 0 m (usually 0.005–200 m).');
    expect(errorOf({ ...TIEPY, energyKeV: Number.NaN }).message).toMatch(/^The photon energy NaN keV is not a finite number; give a value in 0\.1–1000 keV\.$/);
    expect(errorOf({ ...TIEPY, pixelUm: -7 }).message).toMatch(/detector pixel size -7 µm must be greater than 0 µm/);
    expect(errorOf({ ...TIEPY, sourceM: 0 }).message).toMatch(/source–sample distance 0 m must be greater than 0 m/);
    expect(errorOf({ ...TIEPY, sourceM: Infinity }).message).toMatch(/source–sample distance Infinity m is not a finite number/);
  });

  it('catches values given in the wrong unit', () => {
    expect(errorOf({ ...TIEPY, energyKeV: 17000 }).message).toBe(
      'The photon energy 17000 keV is outside the accepted range 0.1–1000 keV; give it in keV (17 keV, not 17000 eV).',
    );
    expect(errorOf({ ...TIEPY, pixelUm: 7e-6 }).message).toMatch(/size 0\.000007 µm is outside the accepted range 0\.001–10000 µm; give it in micrometres/);
    expect(errorOf({ ...TIEPY, pixelUm: 20000 }).message).toMatch(/more than 10 mm is not a detector pixel/);
    expect(errorOf({ ...TIEPY, distanceM: 3500 }).message).toMatch(/3500 m is outside the accepted range 0\.0001–1000 m; give it in metres/);
  });

  it('warns about unusual but possible values', () => {
    const w = validateGeometry({ pixelUm: 0.05, distanceM: 0.002, energyKeV: 300 });
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/pixel size 0\.05 µm is unusual .*usually 0\.1–500 µm/);
    expect(validateGeometry({ ...TIEPY, sourceM: 0.02 })[0]).toMatch(/magnification 176 .* very large/);
  });
});

describe('geometry relations', () => {
  it('λ = hc/E', () => {
    expect(wavelengthM(12.398419843320026)).toBeCloseTo(1e-10, 16);
    expect(wavelengthM(17)).toBeCloseTo(7.2932e-11, 14);
  });

  it('plane wave: M = 1; cone beam: M = (z1 + d)/z1, pixel p/M, d_eff = z1·d/(z1 + d)', () => {
    expect(magnification(TIEPY)).toBe(1);
    const cone = { ...TIEPY, sourceM: 1.5 }; // M = 5/1.5
    expect(magnification(cone)).toBeCloseTo(10 / 3, 12);
    expect(effectivePixelUm(cone)).toBeCloseTo(2.1, 12);
    expect(effectiveDistanceM(cone)).toBeCloseTo((1.5 * 3.5) / 5, 12);
    expect(describeGeometry(cone)).toMatchObject({ beam: 'cone beam (point source)', microradPerPixel: 2 });
  });

  it('α = u·p/d, independent of the source distance (no extra 1/M)', () => {
    const u = new Float32Array([1, -0.5, Number.NaN, 0]);
    const v = new Float32Array([0, 2, 1, Number.NaN]);
    for (const g of [TIEPY, { ...TIEPY, sourceM: 1.5 }, { ...TIEPY, sourceM: 100 }]) {
      const { alphaX, alphaY } = refractionAngles(u, v, g);
      expect(alphaX[0]).toBeCloseTo(2e-6, 12); // 1 px · 7 µm / 3.5 m = 2 µrad
      expect(alphaX[1]).toBeCloseTo(-1e-6, 12);
      expect(alphaY[1]).toBeCloseTo(4e-6, 12);
      expect(Number.isNaN(alphaX[2]) && Number.isNaN(alphaY[3])).toBe(true);
      // and the same through the Fresnel-scaling form (u·p/M)/d_eff
      expect((1 * (g.pixelUm * 1e-6)) / magnification(g) / effectiveDistanceM(g)).toBeCloseTo(radPerPixel(g), 15);
    }
  });
});

describe('signals', () => {
  it('differential phase: (2π/λ)·α in rad/m, and rad per sample-plane pixel', () => {
    const alpha = new Float32Array([1e-6, Number.NaN]);
    const k = (2 * Math.PI) / wavelengthM(17);
    expect(wavenumber(TIEPY)).toBeCloseTo(k, 0);
    const d = differentialPhase(alpha, TIEPY);
    expect(d[0] / (k * 1e-6)).toBeCloseTo(1, 6); // ≈ 8.615e4 rad/m at 17 keV
    expect(d[0]).toBeGreaterThan(8.6e4);
    expect(d[0]).toBeLessThan(8.63e4);
    expect(Number.isNaN(d[1])).toBe(true);
    const perPx = differentialPhasePerPixel(alpha, TIEPY);
    expect(perPx[0] / (k * 1e-6 * 7e-6)).toBeCloseTo(1, 6); // ≈ 0.603 rad/px
    const cone = differentialPhasePerPixel(alpha, { ...TIEPY, sourceM: 3.5 }); // M = 2: half the pixel
    expect(cone[0] / perPx[0]).toBeCloseTo(0.5, 6);
  });

  it('thickness t = −Φλ/(2πδ), with the sign of a phase delay', () => {
    const lambda = wavelengthM(20);
    const t = thickness(new Float32Array([-1, 0, Number.NaN]), lambda, 3.6e-7);
    expect(t[0] / (lambda / (2 * Math.PI * 3.6e-7))).toBeCloseTo(1, 6); // −1 rad ≈ 27.4 µm of PMMA at 20 keV
    expect(t[0] * 1e6).toBeCloseTo(27.41, 1);
    expect(Number.isNaN(t[2])).toBe(true);
    expect(() => thickness(new Float32Array(1), lambda, 0)).toThrow(/decrement δ = 0 must be a positive number/);
  });

  it('passes UMPA transmission and dark-field through; an all-NaN dark-field is left out', () => {
    const T = new Float32Array([0.9]);
    expect(attenuationSignals({ transmission: T, darkfield: new Float32Array([0.8]) }).darkfield?.[0]).toBeCloseTo(0.8);
    expect(attenuationSignals({ transmission: T, darkfield: new Float32Array([Number.NaN]) })).toEqual({ transmission: T });
    expect(attenuationSignals({})).toEqual({});
  });
});
