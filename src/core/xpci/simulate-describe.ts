/**
 * @file The `description` of a simulated X-ray speckle pair: every option as resolved, the derived
 * geometry, the formulas used (with units), the diffuser design, what was measured on the result, the
 * ground-truth ranges and plain-language warnings. It is written to result.json, so the phase-retrieval
 * side reads the exact angle–displacement relation from it (`geometry.angleFromDisplacement`).
 */
import type { TruthMaps } from './simulate-truth';
import type { XpciSetup } from './simulate-setup';
import type { DiffuserDesign } from './wave-diffuser';
import type { PropagationInfo } from './wave-propagate';

export interface DescribeInputs {
  design: DiffuserDesign;
  propagations: PropagationInfo[];
  sampling: { maxStepRad: number; fractionOver: number };
  truth: TruthMaps;
  measured: Record<string, number>;
  noiseSeeds: number[];
  timingsMs: Record<string, number>;
  generator: string;
}

export const REFERENCES = [
  'S. Bérujon, E. Ziegler, R. Cerbino, L. Peverini, Phys. Rev. Lett. 108, 158102 (2012): two-dimensional X-ray beam phase sensing',
  'I. Zanette, T. Zhou, A. Burvall, U. Lundström, D. H. Larsson, M. Zdora, P. Thibault, F. Pfeiffer, H. M. Hertz, Phys. Rev. Lett. 112, 253903 (2014): speckle-based X-ray phase-contrast and dark-field imaging with a laboratory source',
  'M.-C. Zdora, J. Imaging 4, 60 (2018): State of the art of multimodal X-ray imaging using speckle-based methods',
  'D. M. Paganin, Coherent X-ray Optics, Oxford University Press (2006): angular-spectrum propagation (ch. 1), projection approximation (ch. 2), Fresnel scaling theorem',
  'J. H. Hubbell, S. M. Seltzer, NIST Standard Reference Database 126: X-ray mass attenuation coefficients',
];

function range(data: Float32Array): { min: number; max: number; maxAbs: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < min) min = data[i];
    if (data[i] > max) max = data[i];
  }
  return { min, max, maxAbs: Math.max(Math.abs(min), Math.abs(max)) };
}

const sig = (v: number, n = 4) => Number(v.toPrecision(n));

/** Builds the JSON-serialisable description (see the file note). */
export function describeSimulation(s: XpciSetup, x: DescribeInputs): Record<string, unknown> {
  const os = s.oversample;
  const pUm = s.pixelM * 1e6;
  const ux = range(x.truth.ux.data);
  const uy = range(x.truth.uy.data);
  const ax = range(x.truth.alphaX.data);
  const ay = range(x.truth.alphaY.data);
  const warnings: string[] = [];
  const sizeErr = x.measured.speckleSizePx / s.speckleSizePx - 1;
  if (!(Math.abs(sizeErr) < 0.15)) {
    warnings.push(`The reference's speckle size is ${x.measured.speckleSizePx.toFixed(2)} px, ${(100 * sizeErr).toFixed(0)}% off the requested ${s.speckleSizePx} px: this distance and energy do not allow that size with this diffuser model.`);
  }
  const visErr = x.measured.visibility / s.visibility - 1;
  if (!(Math.abs(visErr) < 0.15)) {
    warnings.push(`The reference's visibility is ${x.measured.visibility.toFixed(3)}, ${(100 * visErr).toFixed(0)}% off the requested ${s.visibility}.`);
  }
  if (x.sampling.fractionOver > 0) {
    warnings.push(
      `${(100 * x.sampling.fractionOver).toPrecision(2)}% of the grid samples see a sample phase step above π/2 (largest ${x.sampling.maxStepRad.toFixed(2)} rad), e.g. at the rim of a sphere or cylinder: the grid does not resolve the refraction there and the intensity next to those places is approximate; raise the oversampling to shrink the zone.`,
    );
  }
  if (s.distanceAuto) {
    warnings.push(
      `No distance was given: d = ${sig(s.distanceM, 3)} m was chosen so that the sample's typical refraction angle (${sig(s.material.delta * s.phantom.slopeRef * 1e6, 3)} µrad) moves the speckle by ${s.autoShiftPx} px (see "geometry.distanceRule"); give the distance for a physical set-up.`,
    );
  }
  return {
    generator: x.generator,
    convention:
      'I_sample(x + u) = I_ref(x); x = column (right), y = row (down), origin at the centre of the top-left pixel; u, v in px; angles in rad; truth maps on the REFERENCE pixel grid',
    options: {
      width: s.width,
      height: s.height,
      pixelUm: pUm,
      energyKeV: s.energyKeV,
      distanceM: s.distanceM,
      distanceAuto: s.distanceAuto,
      autoShiftPx: s.autoShiftPx,
      sourceM: s.sourceM,
      diffuserGapM: s.gapM,
      speckleSizePx: s.speckleSizePx,
      visibility: s.visibility,
      photons: s.photons,
      blurPx: s.blurPx,
      oversample: os,
      seed: s.seed,
      sample: s.sampleSpec,
    },
    physics: {
      wavelengthNm: s.lambdaM * 1e9,
      wavelengthFormula: 'λ = hc/E, hc = 1.23984198 keV·nm',
      wavenumberPerM: s.k,
      transmission: 'object multiplies the field by exp(−i·k·δ·t − k·β·t) (projection approximation, ψ ∝ exp(i(kz − ωt)))',
      refraction: 'α = (1/k)·∇φ = −δ·∇t (rad) with φ = −k·δ·t: X-rays bend towards the thinner side (where φ increases)',
      propagation: 'angular spectrum, H = exp(i·k·z·√(1 − λ²(fx² + fy²))) with the constant exp(ikz) dropped; separable paraxial form when the omitted term k·z·q²/8 < 1e-6 rad',
      propagations: x.propagations,
    },
    geometry: {
      mode: s.sourceM === null ? 'plane wave' : 'cone beam from a point source (Fresnel scaling theorem)',
      magnification: s.magnification,
      magnificationFormula: 'M = (z1 + d)/z1 (1 for a plane wave)',
      effectiveDistanceM: s.dEffM,
      effectiveDistanceFormula: 'd_eff = z1·d/(z1 + d) = d/M',
      effectiveGapM: s.gapEffM,
      effectiveGapFormula: 'g_eff = g·z1/(z1 − g) (diffuser g upstream of the sample), in the sample-plane frame',
      angleFromDisplacement: 'α = u·p/d (rad), p = detector pixel pitch (m), d = sample–detector distance (m); independent of M, equivalently α = u·(p/M)/(d/M)',
      radPerPx: s.pixelM / s.distanceM,
      distanceRule: s.distanceAuto ? 'd = autoShiftPx·p/(δ·slopeRef) (Note: Default distance, simulate-xpci.ts)' : 'given',
      sampleFramePixelUm: pUm / s.magnification,
      gridStepUm: s.stepM * 1e6,
      grid: [s.nx, s.ny],
      guardPx: { left: s.gx, top: s.gy, needed: s.guardPx, diffractionSpreadPx: sig(s.spreadPx) },
      fieldOfViewAtSampleUm: [(s.width * pUm) / s.magnification, (s.height * pUm) / s.magnification],
    },
    diffuser: {
      material: s.diffuser.label,
      delta: s.diffuser.delta,
      beta: s.diffuser.beta,
      muPerM: s.diffuser.muPerM,
      opticalConstants: s.diffuser.source,
      model: 't_d = max(0, T0 + σ_t·n), n = unit Gaussian random field (white noise ∗ Gaussian kernel σ_k), periodic on the grid (Note: Diffuser model, wave-diffuser.ts)',
      kernelSigmaUm: x.design.sigmaSamples * s.stepM * 1e6,
      correlationFwhmUm: 3.3302 * x.design.sigmaSamples * s.stepM * 1e6,
      rmsThicknessUm: x.design.rmsM * 1e6,
      meanThicknessUm: x.design.meanM * 1e6,
      calibration: {
        rounds: x.design.rounds,
        converged: x.design.converged,
        patchPx: x.design.patchSizePx,
        patchSpeckleSizePx: x.design.patchSpecklePx,
        patchVisibility: x.design.patchVisibility,
      },
    },
    sample: {
      kind: s.phantom.kind,
      material: s.material.label,
      delta: s.material.delta,
      beta: s.material.beta,
      muPerM: s.material.muPerM,
      opticalConstants: s.material.source,
      placement: s.gapM > 0 ? `${s.gapM} m downstream of the diffuser` : 'immediately downstream of the diffuser (same plane)',
      phantom: s.phantom.description,
      maxPhaseStepPerGridSampleRad: x.sampling.maxStepRad,
    },
    detector: {
      pixelUm: pUm,
      integration: `mean |ψ|² over ${os}×${os} grid samples per pixel`,
      blurSigmaPx: s.blurPx,
      photonsPerPixelOpenBeam: s.photons,
      noise: s.photons > 0 ? 'Poisson(expected photons), independent streams for reference and sample' : 'none; images in units of the open-beam intensity',
      noiseSeeds: s.photons > 0 ? x.noiseSeeds : null,
    },
    measured: x.measured,
    measuredOn: 'the noise-free images; speckle size (FWHM of the autocovariance, synth/speckle-size.ts) on the central ≤ 256×256 px of the reference; visibility = std/mean of the whole reference',
    truth: {
      rule: 'pixel means over the pixel footprint (Note: Ground-truth maps, simulate-truth.ts): alpha = −δ⟨∇t⟩, u = α·d/p, phase = −kδ⟨t⟩, transmission = ⟨exp(−2kβt)⟩',
      maxAbsUxPx: ux.maxAbs,
      maxAbsUyPx: uy.maxAbs,
      maxAbsAlphaXurad: ax.maxAbs * 1e6,
      maxAbsAlphaYurad: ay.maxAbs * 1e6,
      phaseRangeRad: [range(x.truth.phase.data).min, range(x.truth.phase.data).max],
      transmissionRange: [range(x.truth.transmission.data).min, range(x.truth.transmission.data).max],
    },
    warnings,
    references: REFERENCES,
    timingsMs: x.timingsMs,
  };
}
