/**
 * @file Checks of the optical constants: λ(30 keV), δ of PMMA against the paper's value and its E⁻²
 * scaling, attenuation against NIST's tabulated compounds, explicit δ/β and the error messages.
 */
import { describe, expect, it } from 'vitest';
import { opticalIndex, wavelengthM, wavenumberPerM } from './optics';

describe('optics', () => {
  it('λ(30 keV) = 0.0413281 nm and k = 2π/λ', () => {
    const lambda = wavelengthM(30);
    console.log(`λ(30 keV) = ${(lambda * 1e9).toFixed(7)} nm, k = ${wavenumberPerM(30).toExponential(5)} rad/m`);
    expect(lambda * 1e9).toBeCloseTo(0.0413281, 7);
    expect(wavenumberPerM(30)).toBeCloseTo((2 * Math.PI) / lambda, 0);
  });

  it('PMMA: δ(30 keV) ≈ 2.9e-7, scales as E⁻², and β matches NIST μ/ρ = 0.3032 cm²/g', () => {
    const p30 = opticalIndex('pmma', 30);
    const p17 = opticalIndex('pmma', 17.5);
    console.log(`PMMA 30 keV: δ = ${p30.delta.toExponential(4)}, β = ${p30.beta.toExponential(4)}, μ = ${p30.muPerM.toFixed(2)} /m; 17.5 keV: δ = ${p17.delta.toExponential(4)}`);
    expect(Math.abs(p30.delta / 2.9e-7 - 1)).toBeLessThan(0.03);
    expect(Math.abs(p17.delta / 8.5e-7 - 1)).toBeLessThan(0.03);
    expect(p30.delta / p17.delta).toBeCloseTo((17.5 / 30) ** 2, 12);
    expect(p30.muPerM).toBeCloseTo(0.3032 * 1.18 * 100, 1);
    expect(p30.beta).toBeCloseTo((p30.muPerM * wavelengthM(30)) / (4 * Math.PI), 20);
  });

  it('water reproduces NIST Table 4 (μ/ρ = 0.3756 cm²/g at 30 keV, 0.1707 at 100 keV); SiC is denser in δ', () => {
    expect(opticalIndex('water', 30).muPerM).toBeCloseTo(37.56, 1);
    expect(opticalIndex('water', 100).muPerM).toBeCloseTo(17.07, 1);
    const sic = opticalIndex('sic', 30);
    console.log(`SiC 30 keV: δ = ${sic.delta.toExponential(4)}, attenuation length ${(1e3 / sic.muPerM).toFixed(2)} mm`);
    expect(sic.delta / opticalIndex('pmma', 30).delta).toBeGreaterThan(2);
  });

  it('takes explicit δ, β and explains bad input', () => {
    const c = opticalIndex({ delta: 1e-6, beta: 1e-9 }, 20);
    expect(c.delta).toBe(1e-6);
    expect(c.muPerM).toBeCloseTo(2 * wavenumberPerM(20) * 1e-9, 6);
    expect(() => opticalIndex('pmma', 5)).toThrow(/8–100 keV/);
    expect(() => opticalIndex('gold' as never, 30)).toThrow(/Unknown material "gold"/);
    expect(() => opticalIndex({ delta: -1, beta: 0 }, 30)).toThrow(/refractive index/);
  });
});
