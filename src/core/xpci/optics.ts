/**
 * @file X-ray optical constants for the wave-optics simulator: wavelength from photon energy and the
 * complex refractive index n = 1 − δ + iβ of the few materials it uses (PMMA, water, SiC, Si, cellulose).
 *
 * Note: Optical constants. λ = hc/E with hc = 1.23984198 keV·nm (λ(30 keV) = 0.041328 nm), k = 2π/λ.
 *  - δ from the electron density, δ = r_e·λ²·n_e/(2π) (r_e = 2.8179403262e-15 m, n_e in electrons/m³):
 *    exact for the real part far above the absorption edges (Paganin, "Coherent X-ray Optics", OUP 2006,
 *    ch. 2), which holds for H, C, O and Si (K edges ≤ 1.84 keV) over 8–100 keV. It scales as E⁻²; PMMA
 *    (ρ = 1.18 g/cm³) gives δ = 2.94e-7 at 30 keV, close to 8.5e-7·(17.5/30)² = 2.89e-7.
 *  - β from the linear attenuation coefficient, β = μ·λ/(4π) (intensity transmission exp(−μt) =
 *    exp(−2kβt)). μ = (μ/ρ)·ρ with μ/ρ the mass-weighted sum of the elements' NIST values (Hubbell &
 *    Seltzer, NIST Standard Reference Database 126, Table 3: total attenuation with coherent scattering,
 *    which slightly overstates the absorption part of β), interpolated log–log between 8 and 100 keV.
 *    The mixture rule reproduces NIST's Table 4 for water (0.3756 cm²/g at 30 keV) and PMMA (0.3032).
 */
import { LabError } from '../errors';

/** h·c in keV·nm (CODATA 2018). */
export const HC_KEV_NM = 1.23984198;
/** classical electron radius, m */
export const R_E_M = 2.8179403262e-15;
/** Avogadro constant, 1/mol */
export const N_A = 6.02214076e23;
/** the energy range of the attenuation tables, keV */
export const ENERGY_MIN_KEV = 8;
export const ENERGY_MAX_KEV = 100;

/** λ (m) of a photon of energy E (keV): λ = hc/E. */
export function wavelengthM(energyKeV: number): number {
  return (HC_KEV_NM / energyKeV) * 1e-9;
}

/** k = 2π/λ (rad/m). */
export function wavenumberPerM(energyKeV: number): number {
  return (2 * Math.PI) / wavelengthM(energyKeV);
}

const TABLE_KEV = [8, 10, 15, 20, 30, 40, 50, 60, 80, 100];
/** Z, standard atomic weight A (g/mol), and μ/ρ (cm²/g) at TABLE_KEV (NIST SRD 126, Table 3). */
const ELEMENTS = {
  H: { z: 1, a: 1.008, mu: [0.3921, 0.3854, 0.3764, 0.3695, 0.357, 0.3458, 0.3355, 0.326, 0.3091, 0.2944] },
  C: { z: 6, a: 12.011, mu: [4.576, 2.373, 0.8071, 0.442, 0.2562, 0.2076, 0.1871, 0.1753, 0.161, 0.1514] },
  O: { z: 8, a: 15.999, mu: [11.63, 5.952, 1.836, 0.8651, 0.3779, 0.2585, 0.2132, 0.1907, 0.1678, 0.1551] },
  Si: { z: 14, a: 28.085, mu: [64.68, 33.89, 10.34, 4.464, 1.436, 0.7012, 0.4385, 0.3207, 0.2228, 0.1835] },
} as const;
type Element = keyof typeof ELEMENTS;

interface MaterialData {
  label: string;
  /** atoms per formula unit */
  formula: Partial<Record<Element, number>>;
  /** g/cm³ */
  density: number;
}

export const MATERIALS = {
  pmma: { label: 'PMMA (C5H8O2)', formula: { C: 5, H: 8, O: 2 }, density: 1.18 },
  water: { label: 'water (H2O)', formula: { H: 2, O: 1 }, density: 1.0 },
  sic: { label: 'silicon carbide (SiC), sandpaper grit', formula: { Si: 1, C: 1 }, density: 3.21 },
  si: { label: 'silicon', formula: { Si: 1 }, density: 2.33 },
  cellulose: { label: 'cellulose (C6H10O5), filter paper', formula: { C: 6, H: 10, O: 5 }, density: 1.5 },
} satisfies Record<string, MaterialData>;
export type MaterialName = keyof typeof MATERIALS;
export const MATERIAL_NAMES = Object.keys(MATERIALS) as MaterialName[];

/** A named material, or explicit δ and β (dimensionless) for anything else. */
export type MaterialSpec = MaterialName | { delta: number; beta: number; label?: string };

export interface OpticalIndex {
  label: string;
  /** refractive index decrement, n = 1 − δ + iβ */
  delta: number;
  beta: number;
  /** linear attenuation coefficient of the intensity, μ = 2kβ, 1/m */
  muPerM: number;
  /** electrons per m³ (NaN for explicit δ, β) */
  electronDensityPerM3: number;
  /** how δ and β were obtained */
  source: string;
}

function checkEnergy(energyKeV: number): void {
  if (!(energyKeV >= ENERGY_MIN_KEV && energyKeV <= ENERGY_MAX_KEV)) {
    throw new LabError('E_INVALID_INPUT', `The energy ${energyKeV} keV is outside the ${ENERGY_MIN_KEV}–${ENERGY_MAX_KEV} keV covered by the attenuation tables; choose an energy in that range.`);
  }
}

/** Log–log interpolation of an element's μ/ρ (cm²/g) at E (keV). */
function massAttenuation(el: Element, energyKeV: number): number {
  const mu = ELEMENTS[el].mu;
  let i = 0;
  while (i < TABLE_KEV.length - 2 && energyKeV > TABLE_KEV[i + 1]) i++;
  const t = Math.log(energyKeV / TABLE_KEV[i]) / Math.log(TABLE_KEV[i + 1] / TABLE_KEV[i]);
  return Math.exp(Math.log(mu[i]) + t * (Math.log(mu[i + 1]) - Math.log(mu[i])));
}

/** δ, β and μ of a material at E (keV); see the Note: Optical constants. */
export function opticalIndex(material: MaterialSpec, energyKeV: number): OpticalIndex {
  checkEnergy(energyKeV);
  const lambda = wavelengthM(energyKeV);
  const k = (2 * Math.PI) / lambda;
  if (typeof material === 'object') {
    const { delta, beta } = material;
    if (!(Number.isFinite(delta) && delta >= 0 && delta < 1e-3 && Number.isFinite(beta) && beta >= 0 && beta < 1e-3)) {
      throw new LabError('E_INVALID_INPUT', `The material δ = ${delta}, β = ${beta} is not an X-ray refractive index; give 0 ≤ δ, β < 1e-3 (e.g. δ = 2.9e-7, β = 1.3e-10 for PMMA at 30 keV).`);
    }
    return { label: material.label ?? 'custom', delta, beta, muPerM: 2 * k * beta, electronDensityPerM3: Number.NaN, source: 'given by the caller' };
  }
  const data: MaterialData | undefined = (MATERIALS as Record<string, MaterialData>)[material];
  if (!data) {
    throw new LabError('E_INVALID_INPUT', `Unknown material "${material}"; use one of ${MATERIAL_NAMES.join(', ')} or give δ and β.`);
  }
  let molarMass = 0;
  let electrons = 0;
  for (const [el, n] of Object.entries(data.formula) as [Element, number][]) {
    molarMass += n * ELEMENTS[el].a;
    electrons += n * ELEMENTS[el].z;
  }
  let muRho = 0; // cm²/g, mass-fraction-weighted sum
  for (const [el, n] of Object.entries(data.formula) as [Element, number][]) {
    muRho += ((n * ELEMENTS[el].a) / molarMass) * massAttenuation(el, energyKeV);
  }
  // ρ (g/cm³) · electrons per g → per cm³ → per m³ (×1e6)
  const ne = ((data.density * electrons) / molarMass) * N_A * 1e6;
  const delta = (R_E_M * lambda * lambda * ne) / (2 * Math.PI);
  const muPerM = muRho * data.density * 100; // cm⁻¹ → m⁻¹
  const beta = (muPerM * lambda) / (4 * Math.PI);
  return {
    label: data.label,
    delta,
    beta,
    muPerM,
    electronDensityPerM3: ne,
    source: `δ = r_e λ² n_e/(2π) with ρ = ${data.density} g/cm³; β = μλ/(4π), μ/ρ = ${muRho.toPrecision(4)} cm²/g (NIST SRD 126 element values, mass-weighted, log–log interpolated)`,
  };
}
