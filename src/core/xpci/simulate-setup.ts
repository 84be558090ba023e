/**
 * @file Options of the X-ray speckle phase-contrast simulator, their defaults and checks, and the
 * geometry derived from them (magnification, effective distances, computational grid, guard band).
 *
 * Note: Simulated set-up. A point source (or a plane wave) illuminates a random diffuser (sandpaper), the
 * sample sits `diffuserGapM` downstream of it (default 0: in contact), the detector `distanceM` = d
 * downstream of the sample (Bérujon et al., PRL 108, 158102 (2012); Zanette et al., PRL 112, 253903 (2014);
 * Zdora, J. Imaging 4, 60 (2018)). With a source at z1 upstream of the sample the Fresnel scaling theorem
 * (Paganin 2006) turns the cone beam into a plane-wave problem: everything is computed in
 * SAMPLE-PLANE coordinates on a grid of pitch Δ = p/(M·os), with M = (z1 + d)/z1, and propagated over
 * d_eff = z1·d/(z1 + d) = d/M; a detector pixel (pitch p) is os×os grid samples (its footprint p/M at the
 * sample). A diffuser–sample gap g becomes g_eff = g·z1/(z1 − g) in the same frame (Fresnel scaling from
 * the diffuser plane, magnification z1/(z1 − g), then rescaled to sample coordinates). Plane wave: M = 1,
 * d_eff = d, g_eff = g.
 *
 * Note: Angle–displacement relation. A ray refracted by α (rad) at the sample lands α·d further on the
 * detector, whatever M: in the scaled frame it moves α·d_eff = α·d/M, and the frame is magnified by M on
 * the way to the detector. Hence u = α·d/p (px) and α = u·p/d, with p the DETECTOR pixel pitch and d the
 * SAMPLE–DETECTOR distance; equivalently α = u·(p/M)/(d/M) with the effective pixel p/M and the effective
 * distance d/M. u is attached to the reference pixel X whose ray crosses the sample at x = X·p/M.
 */
import { LabError } from '../errors';
import { nextPowerOfTwo } from './fft2';
import { type MaterialSpec, type OpticalIndex, opticalIndex, wavelengthM } from './optics';
import { type Phantom, type SampleSpec, makePhantom } from './phantoms';

export interface XpciSimOptions {
  /** detector size in px (16 … 4096); default 512 × 256 */
  width?: number;
  height?: number;
  /** detector pixel pitch, µm; default 12 */
  pixelUm?: number;
  /** photon energy, keV (8 … 100); default 30 */
  energyKeV?: number;
  /** sample–detector distance d, m; default: the distance at which the sample's typical refraction angle
   *  moves the speckle by `autoShiftPx` (Note: Default distance in simulate-xpci.ts) */
  distanceM?: number;
  /** displacement (px) that fixes the default distance; default 2 */
  autoShiftPx?: number;
  /** source–sample distance z1, m, for a cone beam; null or absent: plane wave */
  sourceM?: number | null;
  /** diffuser–sample distance, m (diffuser upstream); default 0 (in contact) */
  diffuserGapM?: number;
  /** diffuser material; default 'sic' (sandpaper grit) */
  diffuserMaterial?: MaterialSpec;
  /** target speckle size (FWHM of the autocovariance, speckle-size.ts) in detector px, 2 … 10; default 4 */
  speckleSizePx?: number;
  /** target speckle visibility (std/mean of the noise-free reference), 0.01 … 0.8; default 0.2 */
  visibility?: number;
  /** the sample; default the paper's PMMA sine phantom */
  sample?: SampleSpec;
  /** open-beam photons per detector pixel (Poisson noise); 0: noise-free; default 10000 */
  photons?: number;
  /** Gaussian detector PSF σ, px; default 0 */
  blurPx?: number;
  /** grid samples per detector pixel along each axis, 2 … 8; default 4 */
  oversample?: number;
  /** any integer; same seed and options, same images */
  seed?: number;
}

export const XPCI_DEFAULTS = {
  width: 512,
  height: 256,
  pixelUm: 12,
  energyKeV: 30,
  autoShiftPx: 2,
  diffuserGapM: 0,
  diffuserMaterial: 'sic' as MaterialSpec,
  speckleSizePx: 4,
  visibility: 0.2,
  sample: { kind: 'sine' } as SampleSpec,
  photons: 10000,
  blurPx: 0,
  oversample: 4,
  seed: 1,
};

/** Largest computational grid (points): 2^24 complex float64 values are 268 MB. */
const MAX_GRID_POINTS = 2 ** 24;
const MAX_GRID_SIDE = 16384;

export interface XpciSetup {
  width: number;
  height: number;
  pixelM: number;
  energyKeV: number;
  lambdaM: number;
  /** wavenumber 2π/λ, rad/m */
  k: number;
  distanceM: number;
  distanceAuto: boolean;
  /** the displacement (px) that fixed the default distance, or null when the distance was given */
  autoShiftPx: number | null;
  sourceM: number | null;
  magnification: number;
  /** propagation distances in the sample-plane frame, m */
  dEffM: number;
  gapM: number;
  gapEffM: number;
  oversample: number;
  /** grid pitch in the sample plane, m */
  stepM: number;
  nx: number;
  ny: number;
  /** detector px between the grid edge and the field of view (left/top) */
  gx: number;
  gy: number;
  /** the guard the geometry needs, px, and its diffraction part */
  guardPx: number;
  spreadPx: number;
  diffuser: OpticalIndex;
  material: OpticalIndex;
  phantom: Phantom;
  speckleSizePx: number;
  visibility: number;
  photons: number;
  blurPx: number;
  seed: number;
  sampleSpec: SampleSpec;
}

function num(name: string, v: number, min: number, max: number, hint = ''): number {
  if (!(Number.isFinite(v) && v >= min && v <= max)) {
    throw new LabError('E_INVALID_INPUT', `The ${name} ${v} is outside ${min} … ${max}${hint ? `; ${hint}` : ''}.`);
  }
  return v;
}

function int(name: string, v: number, min: number, max: number): number {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw new LabError('E_INVALID_INPUT', `The ${name} ${v} must be a whole number from ${min} to ${max}.`);
  }
  return v;
}

/** Checks the options and derives the geometry; see the file notes. Throws E_INVALID_INPUT naming the fix. */
export function resolveSetup(o: XpciSimOptions): XpciSetup {
  const d0 = XPCI_DEFAULTS;
  const width = int('detector width (px)', o.width ?? d0.width, 16, 4096);
  const height = int('detector height (px)', o.height ?? d0.height, 16, 4096);
  const pixelM = num('pixel pitch (µm)', o.pixelUm ?? d0.pixelUm, 0.05, 1000) * 1e-6;
  const energyKeV = o.energyKeV ?? d0.energyKeV;
  const lambdaM = wavelengthM(energyKeV);
  const os = int('oversampling factor', o.oversample ?? d0.oversample, 2, 8);
  const speckleSizePx = num('speckle size (px)', o.speckleSizePx ?? d0.speckleSizePx, 2, 10);
  const visibility = num('speckle visibility', o.visibility ?? d0.visibility, 0.01, 0.8);
  const photons = o.photons ?? d0.photons;
  if (!(photons === 0 || (Number.isFinite(photons) && photons >= 1 && photons <= 1e9))) {
    throw new LabError('E_INVALID_INPUT', `The photon count ${photons} must be 0 (noise-free) or 1 … 1e9 photons per pixel.`);
  }
  const blurPx = num('detector blur σ (px)', o.blurPx ?? d0.blurPx, 0, 5);
  if (2.3548 * blurPx > 0.9 * speckleSizePx) {
    throw new LabError('E_INVALID_INPUT', `A blur of σ = ${blurPx} px (FWHM ${(2.3548 * blurPx).toFixed(2)} px) alone is about as wide as the requested ${speckleSizePx} px speckle; ask for larger speckles or less blur.`);
  }
  const seed = o.seed ?? d0.seed;
  if (!Number.isSafeInteger(seed)) throw new LabError('E_INVALID_INPUT', `The seed ${seed} is not an integer; use a whole number such as 1.`);
  const sourceM = o.sourceM ?? null;
  if (sourceM !== null) num('source–sample distance (m)', sourceM, 0.01, 1e4, 'leave it out for a plane wave');
  const gapM = num('diffuser–sample gap (m)', o.diffuserGapM ?? d0.diffuserGapM, 0, 100);
  if (sourceM !== null && gapM >= 0.9 * sourceM) {
    throw new LabError('E_INVALID_INPUT', `The diffuser (${gapM} m upstream of the sample) must sit well downstream of the source (${sourceM} m upstream); shorten the gap.`);
  }

  const sampleSpec = o.sample ?? d0.sample;
  const material = opticalIndex(sampleSpec.material ?? 'pmma', energyKeV);
  const diffuser = opticalIndex(o.diffuserMaterial ?? d0.diffuserMaterial, energyKeV);
  // The phantom lives in the sample plane, whose scale depends on M, which depends on d: for the default
  // distance we need the phantom's slope first, which does not depend on the scale for any kind except the
  // default sphere/cylinder radius — so build it once with M = 1 to get slopeRef, then rebuild.
  const fovAt = (m: number) => ({
    widthM: (width * pixelM) / m,
    heightM: (height * pixelM) / m,
    centreX: (((width - 1) / 2) * pixelM) / m,
    centreY: (((height - 1) / 2) * pixelM) / m,
  });
  const slopeRef = makePhantom(sampleSpec, fovAt(1)).slopeRef;
  const distanceAuto = o.distanceM === undefined;
  let distanceM: number;
  let autoShiftPx: number | null = null;
  if (distanceAuto) {
    const shift = num('automatic displacement (px)', o.autoShiftPx ?? d0.autoShiftPx, 0.01, 50);
    if (!(material.delta > 0 && slopeRef > 0)) {
      throw new LabError('E_INVALID_INPUT', 'The sample does not refract (δ = 0), so no default distance follows from it; give the distance.');
    }
    distanceM = (shift * pixelM) / (material.delta * slopeRef);
    autoShiftPx = shift;
  } else {
    distanceM = o.distanceM as number;
  }
  num('sample–detector distance (m)', distanceM, 1e-3, 1e4);
  const magnification = sourceM === null ? 1 : (sourceM + distanceM) / sourceM;
  const dEffM = distanceM / magnification;
  const gapEffM = sourceM === null ? gapM : (gapM * sourceM) / (sourceM - gapM);
  const stepM = pixelM / (magnification * os);
  const phantom = makePhantom(sampleSpec, fovAt(magnification));

  // The grid carries directions up to the Nyquist angle λ/(2Δ) only: a phase step above π/2 per sample
  // (α above half of it) at the phantom's typical slope would alias the refracted wave.
  const stepRad = (2 * Math.PI * material.delta * phantom.slopeRef * stepM) / lambdaM;
  if (stepRad > Math.PI / 2) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The sample refracts by ${(material.delta * phantom.slopeRef * 1e6).toPrecision(3)} µrad, a phase step of ${stepRad.toFixed(2)} rad per grid sample: more than the ${os}× oversampled grid resolves (π/2); raise the oversampling or use a gentler sample.`,
    );
  }

  // Guard band (px): diffraction walk-off of the finest grid frequency, λ·z/(2Δ), over the whole path, plus
  // twice the typical refraction shift, the blur kernel and a margin. The field is periodic on the grid,
  // so this keeps what wraps around (e.g. the sine's jump at the grid edge) out of the field of view.
  const zTot = dEffM + gapEffM;
  const spreadPx = (lambdaM * zTot) / (2 * stepM) / (pixelM / magnification);
  const uRef = (material.delta * phantom.slopeRef * distanceM) / pixelM;
  const guardPx = Math.ceil(8 + 4 * blurPx + 2 * Math.min(uRef, 64) + spreadPx);
  let nx = nextPowerOfTwo(os * (width + 2 * guardPx));
  let ny = nextPowerOfTwo(os * (height + 2 * guardPx));
  // Angular-spectrum sampling condition λ·z ≤ N·Δ² (the transfer function's chirp is resolved and the
  // impulse response fits the grid); the guard already implies it, kept as a safety net.
  while (lambdaM * zTot > Math.min(nx, ny) * stepM * stepM) {
    if (nx <= ny) nx *= 2;
    else ny *= 2;
  }
  if (nx > MAX_GRID_SIDE || ny > MAX_GRID_SIDE || nx * ny > MAX_GRID_POINTS) {
    throw new LabError(
      'E_INVALID_INPUT',
      `This set-up needs a ${nx}×${ny} computational grid (detector ${width}×${height} px × oversampling ${os}, plus a ${guardPx} px guard band for d = ${distanceM.toPrecision(3)} m${sourceM === null ? '' : ` at magnification ${magnification.toPrecision(3)}`}), more than the ${MAX_GRID_POINTS} points allowed; use a smaller image, less oversampling or a shorter distance${distanceAuto ? ' (give the distance: the default one suits plane-wave set-ups)' : ''}.`,
    );
  }
  return {
    width,
    height,
    pixelM,
    energyKeV,
    lambdaM,
    k: (2 * Math.PI) / lambdaM,
    distanceM,
    distanceAuto,
    autoShiftPx,
    sourceM,
    magnification,
    dEffM,
    gapM,
    gapEffM,
    oversample: os,
    stepM,
    nx,
    ny,
    gx: Math.floor((nx - os * width) / (2 * os)),
    gy: Math.floor((ny - os * height) / (2 * os)),
    guardPx,
    spreadPx,
    diffuser,
    material,
    phantom,
    speckleSizePx,
    visibility,
    photons,
    blurPx,
    seed,
    sampleSpec,
  };
}

/** Sample-plane position (m) of grid column j (or row i with gy): ((j − os·g + ½)/os − ½)·p/M. */
export function gridCoord(s: XpciSetup, index: number, guard: number): number {
  return ((index - s.oversample * guard + 0.5) / s.oversample - 0.5) * s.stepM * s.oversample;
}
