/**
 * @file `simulateXpci`: a wave-optics simulation of single-shot speckle-based X-ray phase-contrast imaging
 * (Bérujon et al., PRL 108, 158102 (2012); Zanette et al., PRL 112, 253903 (2014); review: Zdora,
 * J. Imaging 4, 60 (2018)) with its ground truth. Steps: design the diffuser for the requested speckle
 * size and visibility (wave-diffuser.ts); build it on the full grid; reference = diffuser only,
 * propagated to the detector; sample image = diffuser, (gap,) sample, propagated; both integrated over
 * detector pixels, blurred, counted with Poisson noise (wave-detector.ts); the truth maps come from the
 * phantom analytically (simulate-truth.ts). Geometry and units: simulate-setup.ts; propagation:
 * wave-propagate.ts. The description in the result holds every parameter and formula.
 *
 * Note: Default distance. The paper's sine phantom (PMMA, 30 keV, δ = 2.94e-7, A·w = 1.064) refracts by at
 * most δ·A·w = 0.31 µrad: 0.026 px at d = 1 m with 12 µm pixels, far below what a tracker resolves. Unless
 * the caller gives the distance, d is chosen so that the phantom's typical angle moves the speckle by
 * `autoShiftPx` (default 2 px): d = autoShiftPx·p/(δ·slopeRef), about 82 m for the sine phantom — longer
 * than any real beamline, but the simulation is exact at any d. Give `distanceM` for a physical geometry.
 */
import type { GreyImage } from '../imageio/types';
import { type TaskContext, throwIfCancelled, pacer } from '../progress';
import { hashSeed, mulberry32 } from '../synth/rng';
import { measureSpeckleSize } from '../synth/speckle-size';
import { Fft2 } from './fft2';
import { gridCoord, resolveSetup, type XpciSetup, type XpciSimOptions } from './simulate-setup';
import { truthMaps } from './simulate-truth';
import { describeSimulation } from './simulate-describe';
import { designDiffuser, diffuserThickness, fillWhiteNoise, gaussianField, STREAM_DIFFUSER, transmitThrough } from './wave-diffuser';
import { addPoissonNoise, binIntensity, cropScaled, gaussianBlurWrap, meanAndVisibility } from './wave-detector';
import { type PropagationInfo, propagate } from './wave-propagate';

export interface XpciSimResult {
  /** reference (diffuser only) and sample (diffuser + sample) images, photons per pixel, float32 */
  reference: GreyImage;
  sample: GreyImage;
  /** refraction angles, rad (pixel means, Note: Ground-truth maps in simulate-truth.ts) */
  alphaX: GreyImage;
  alphaY: GreyImage;
  /** speckle displacement, px: I_sample(x + u) = I_ref(x), u = α·d/p */
  ux: GreyImage;
  uy: GreyImage;
  /** sample phase φ = −k·δ·t, rad */
  phase: GreyImage;
  /** sample intensity transmission exp(−2kβt) */
  transmission: GreyImage;
  /** every parameter, derived quantity, formula and measured figure (JSON-serialisable) */
  description: Record<string, unknown>;
}

export const XPCI_GENERATOR = 'speckle-lab xpci/simulateXpci 1';
const STREAM_NOISE = 13;


/** Multiplies ψ by the sample's transmission exp(−ikδt − kβt); returns phase-sampling diagnostics. */
async function applySample(psi: Float64Array, s: XpciSetup, pace: () => Promise<void>): Promise<{ maxStepRad: number; fractionOver: number }> {
  const { nx, ny, k, phantom } = s;
  const { delta, beta } = s.material;
  const xs = new Float64Array(nx);
  for (let j = 0; j < nx; j++) xs[j] = gridCoord(s, j, s.gx);
  let prev = new Float64Array(nx);
  let cur = new Float64Array(nx);
  let maxStep = 0;
  let over = 0;
  const limit = Math.PI / 2 / (k * delta || 1); // thickness step giving a π/2 phase step
  for (let i = 0; i < ny; i++) {
    const y = gridCoord(s, i, s.gy);
    for (let j = 0; j < nx; j++) cur[j] = phantom.thickness(xs[j], y);
    for (let j = 0, o = 2 * i * nx; j < nx; j++, o += 2) {
      const t = cur[j];
      const amp = Math.exp(-k * beta * t);
      const ph = -k * delta * t;
      const c = amp * Math.cos(ph);
      const sn = amp * Math.sin(ph);
      const re = psi[o];
      const im = psi[o + 1];
      psi[o] = re * c - im * sn;
      psi[o + 1] = re * sn + im * c;
      const step = Math.max(j > 0 ? Math.abs(t - cur[j - 1]) : 0, i > 0 ? Math.abs(t - prev[j]) : 0);
      if (step > maxStep) maxStep = step;
      if (step > limit) over++;
    }
    [prev, cur] = [cur, prev];
    if ((i & 63) === 63) await pace();
  }
  return { maxStepRad: k * delta * maxStep, fractionOver: over / (nx * ny) };
}

/** Pixel integration, blur and crop of the current field (expected photons, noise-free). */
function detectorImage(psi: Float64Array, s: XpciSetup): GreyImage {
  const b = s.blurPx > 0 ? Math.ceil(4 * s.blurPx) + 1 : 0;
  const w = s.width + 2 * b;
  const h = s.height + 2 * b;
  const os = s.oversample;
  const binned = binIntensity(psi, s.nx, s.ny, os, os * (s.gx - b), os * (s.gy - b), w, h);
  const blurred = gaussianBlurWrap(binned, w, h, s.blurPx);
  return cropScaled(blurred, w, b, b, s.width, s.height, s.photons > 0 ? s.photons : 1);
}

function centralCrop(img: GreyImage, side: number): GreyImage {
  const w = Math.min(side, img.width);
  const h = Math.min(side, img.height);
  const x0 = (img.width - w) >> 1;
  const y0 = (img.height - h) >> 1;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + w), y * w);
  return { width: w, height: h, data };
}

/** Simulates a reference/sample speckle pair and its ground truth; see the file note and XpciSimOptions. */
export async function simulateXpci(opts: XpciSimOptions, ctx: TaskContext): Promise<XpciSimResult> {
  const s = resolveSetup(opts);
  throwIfCancelled(ctx.signal);
  const pace = pacer(ctx.signal);
  const times: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    times[name] = Math.round(t - t0);
    t0 = t;
  };

  ctx.progress.report(0.01, 'designing the diffuser');
  const design = await designDiffuser(s, pace);
  lap('designDiffuser');

  ctx.progress.report(0.12, `diffuser on the ${s.nx}×${s.ny} grid`);
  const fft = new Fft2(s.nx, s.ny);
  const psi = new Float64Array(2 * s.nx * s.ny);
  fillWhiteNoise(psi, s.nx * s.ny, hashSeed(s.seed >>> 0, STREAM_DIFFUSER));
  await fft.forwardPaced(psi, pace);
  const field = await gaussianField(fft, psi, design.sigmaSamples, pace);
  const td = diffuserThickness(field, design.rmsM, design.meanM);
  lap('diffuser');

  ctx.progress.report(0.3, 'propagating the reference');
  transmitThrough(psi, td, s.k, s.diffuser.delta, s.diffuser.beta);
  const propRef = await propagate(psi, fft, s.stepM, s.lambdaM, s.dEffM + s.gapEffM, pace);
  const refClean = detectorImage(psi, s);
  lap('reference');

  ctx.progress.report(0.55, 'propagating through the sample');
  transmitThrough(psi, td, s.k, s.diffuser.delta, s.diffuser.beta);
  const propagations: PropagationInfo[] = [propRef];
  if (s.gapEffM > 0) propagations.push(await propagate(psi, fft, s.stepM, s.lambdaM, s.gapEffM, pace));
  const sampling = await applySample(psi, s, pace);
  propagations.push(await propagate(psi, fft, s.stepM, s.lambdaM, s.dEffM, pace));
  const sampleClean = detectorImage(psi, s);
  lap('sample');

  ctx.progress.report(0.85, 'ground truth');
  const truth = truthMaps(s);
  lap('truth');
  await pace();

  const refStats = meanAndVisibility(refClean.data);
  const sampleMean = meanAndVisibility(sampleClean.data).mean;
  const speckle = measureSpeckleSize(centralCrop(refClean, 256));
  const noiseSeeds = [hashSeed(s.seed >>> 0, STREAM_NOISE, 0), hashSeed(s.seed >>> 0, STREAM_NOISE, 1)];
  if (s.photons > 0) {
    ctx.progress.report(0.92, 'Poisson noise');
    addPoissonNoise(refClean, mulberry32(noiseSeeds[0]));
    await pace();
    addPoissonNoise(sampleClean, mulberry32(noiseSeeds[1]));
    lap('noise');
  }
  ctx.progress.report(1, 'done');

  const description = describeSimulation(s, {
    design,
    propagations,
    sampling,
    truth,
    measured: {
      speckleSizePx: speckle.size,
      speckleSizeXPx: speckle.sizeX,
      speckleSizeYPx: speckle.sizeY,
      visibility: refStats.visibility,
      meanReferencePhotons: refStats.mean,
      meanSamplePhotons: sampleMean,
    },
    noiseSeeds,
    timingsMs: times,
    generator: XPCI_GENERATOR,
  });
  return { reference: refClean, sample: sampleClean, ...truth, description };
}
