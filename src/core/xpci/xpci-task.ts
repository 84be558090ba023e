/**
 * @file `xpci` as a job: read the reference (no sample) and sample speckle images, track the speckle with
 * UMPA (default), ZNCC or IC-GN, turn the displacement into refraction angles, differential phase and
 * phase (signals.ts, integrate-fc.ts / integrate-ls.ts), thickness when δ is given, and write one result
 * folder: u.tif, v.tif, quality.tif (px, tracker), alpha_x.tif, alpha_y.tif (rad), dphi_dx.tif,
 * dphi_dy.tif (rad per sample-plane pixel), phase.tif (rad), thickness.tif (m, with δ), transmission.tif,
 * darkfield.tif (UMPA), profile.csv (with a profile), preview.png, attenuation.png (UMPA) and result.json.
 * Shared by `lab xpci`, watch `xpci` rules and the compute host, like tasks/track-task.ts; result.json
 * records the model (id, verified sha256) and execution provider of a CNN run (null for the classical ones),
 * and `notProduced` lists the UMPA-only maps a run of another method does not write (also said in messages).
 *
 * Note: xpci tracking methods. UMPA (default), ZNCC, IC-GN, and two CNN trackers: cnn-xst (cade-xst-s,
 * trained for X-ray speckle within ±1 px; the app's "CNN (XST)") and cnn+icgn (a CNN guess refined by
 * IC-GN). cnn-dic is refused: dicnet-s is trained for ±16 px DIC speckle and measures X-ray speckle much
 * less precisely. Measured on the CADE protocol (256², speckle 4 px, visibility 0.2, 10,000 photons/px,
 * T = 0.9; shifts 0.2, 0.5, 0.8 px; RMSE of u, 16 px border excluded): cnn-xst 0.011–0.012 px, cnn-dic
 * (dicnet-s, app defaults) 0.065–0.085 px, cnn+icgn 0.003–0.004 px with either model (as icgn alone).
 * Refraction in a strongly refracting sample can exceed cade-xst-s's ±1 px; cnn+icgn (dicnet-s guess,
 * ±16 px) or the classical methods with a larger search cover that.
 *
 * Note: Phase integrator choice. Frankot–Chellappa is the default: one FFT pair, no iteration, and
 * spectrally accurate on smooth phase (integrate.test.ts: ≤ 0.35% relative RMS on analytic surfaces).
 * Its weakness is NaN regions, which it fills (1.5% error with a large gap in the tests); 'ls' (masked
 * least squares, spectrally preconditioned CG started from the FC answer) removes that error for about
 * 10–40 more FFT pairs, so it is the better choice for maps with holes, e.g. a low-correlation ROI.
 * Every map is written on the detector grid; TIFF pixel sizes are the sample-plane pixel p/M.
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LabError } from '../errors';
import { readImage, writeTiffFloat32, type LoadedImage } from '../imageio';
import { type TaskContext, throwIfCancelled } from '../progress';
import { encodeRgbaPng, montage, robustRange } from '../render/colormap';
import { sha256File, writeResultFolder, type ResultFile } from '../results/result-folder';
import { summarise } from '../results/summary';
import { resolveOptions, trackField } from '../track/track-field';
import { trackerRoi, type RoiSpec } from '../track/roi-region';
import type { AllMethodOptions } from '../track/types';
import { appVersion } from '../version';
import { describeGeometry, effectivePixelUm, validateGeometry, wavelengthM, type XpciGeometry } from './geometry';
import { integrateFc, type IntegrationResult } from './integrate-fc';
import { integrateLs } from './integrate-ls';
import { lineProfile, profilesToCsv, validateProfile, type CsvColumn, type ProfileSpec } from './profile';
import { attenuationSignals, differentialPhasePerPixel, refractionAngles, thickness } from './signals';

export type Integrator = 'fc' | 'ls';

/** The tracking methods xpci runs (Note: xpci tracking methods); UMPA first, the default. */
export const XPCI_METHODS = ['umpa', 'zncc', 'icgn', 'cnn-xst', 'cnn+icgn'] as const;
export type XpciMethod = (typeof XPCI_METHODS)[number];
export function isXpciMethod(method: string): method is XpciMethod {
  return (XPCI_METHODS as readonly string[]).includes(method);
}
/** Why xpci does not run cnn-dic (Note: xpci tracking methods). */
export const XPCI_CNN_DIC_REASON =
  'xpci does not run cnn-dic: its model dicnet-s is trained for DIC speckle shifts up to ±16 px and measures X-ray speckle (±1 px) 6–8× less precisely than cnn-xst; use cnn-xst, or cnn+icgn for larger refraction shifts';
/** Why a tracking method that xpci does not run is refused, or null when xpci runs it. */
export function xpciMethodProblem(method: string): string | null {
  if (isXpciMethod(method)) return null;
  const list = XPCI_METHODS.join(', ');
  return method === 'cnn-dic' ? `${XPCI_CNN_DIC_REASON} (methods: ${list})` : `The tracking method "${method}" is not one xpci runs; use one of ${list}`;
}
/** The maps only UMPA produces: a run of another method says that it has none of them. */
const UMPA_ONLY = ['transmission.tif', 'darkfield.tif', 'attenuation.png'];

export interface XpciTaskParams {
  /** reference (no sample) frames; several = UMPA multi-frame, same diffuser positions as the sample frames */
  refPaths: string[];
  samplePaths: string[];
  geometry: XpciGeometry;
  /** default 'umpa' (Note: xpci tracking methods) */
  method?: XpciMethod;
  /** the method's options (kernels.ts DEFAULT_OPTIONS / CNN_DEFAULT_OPTIONS: CNN model, passes, symmetry, ...) */
  options?: Partial<AllMethodOptions[XpciMethod]>;
  /** grid step in px (default 1 = every pixel) */
  step?: number;
  /** a rectangle or a region of polygons (Note: ROI shapes, in src/shared/contract.ts); recorded as given */
  roi?: RoiSpec;
  /** refractive-index decrement δ of the sample material at this energy: adds thickness.tif */
  delta?: number;
  /** default 'fc' (Note: Phase integrator choice) */
  integrator?: Integrator;
  /** line profile in detector pixels; the CSV's s_um is in sample-plane µm */
  profile?: Omit<ProfileSpec, 'pixelUm'>;
  threads?: number;
  outDir: string;
}

export interface XpciTaskResult {
  outDir: string;
  files: ResultFile[];
  messages: string[];
  /** the summary written to result.json */
  summary: Record<string, unknown>;
}

async function readFrames(paths: string[], role: string): Promise<LoadedImage[]> {
  if (paths.length === 0) throw new LabError('E_INVALID_INPUT', `No ${role} image was given.`);
  return Promise.all(paths.map((p) => readImage(p)));
}

const scale = (a: Float32Array, f: number) => a.map((x) => x * f);

/** TIFF descriptions are ASCII fields: spell out the few symbols the map descriptions use. */
const ascii = (t: string) =>
  t.replace(/[·πλδ−]/g, (c) => ({ '·': '*', π: 'pi', λ: 'lambda', δ: 'delta', '−': '-' })[c] ?? c).replace(/[^\x20-\x7e\n]/g, '?');

/** Symmetric display range about zero for signed maps (angles), from the 1st–99th percentiles. */
function symmetricRange(values: Float32Array): [number, number] {
  const [lo, hi] = robustRange(values);
  const r = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  return [-r, r];
}

export async function runXpciTask(p: XpciTaskParams, ctx: TaskContext): Promise<XpciTaskResult> {
  const t0 = performance.now();
  const messages = validateGeometry(p.geometry);
  const method = p.method ?? 'umpa';
  const methodProblem = xpciMethodProblem(method);
  if (methodProblem) throw new LabError('E_INVALID_INPUT', `${methodProblem}.`);
  const integrator = p.integrator ?? 'fc';
  if (integrator !== 'fc' && integrator !== 'ls') {
    throw new LabError('E_INVALID_INPUT', `The phase integrator "${String(integrator)}" is not known; use "fc" (Frankot–Chellappa) or "ls" (least squares).`);
  }
  if (p.delta !== undefined) thickness(new Float32Array(0), wavelengthM(p.geometry.energyKeV), p.delta); // validates δ early
  const refs = await readFrames(p.refPaths, 'reference');
  const samples = await readFrames(p.samplePaths, 'sample');
  const { width, height } = refs[0];
  if (p.profile) validateProfile(p.profile, width, height);
  const declared = refs[0].meta.pixelSize;
  if (declared && Math.abs(declared.x - p.geometry.pixelUm) > 0.01 * p.geometry.pixelUm) {
    messages.push(`${basename(p.refPaths[0])} says its pixel is ${declared.x} µm (${declared.source}) but ${p.geometry.pixelUm} µm was given; the given value is used.`);
  }
  const tRead = performance.now();

  const roi = trackerRoi(p.roi, width, height);
  const step = p.step ?? 1;
  const field = await trackField(
    refs,
    samples,
    { method, options: p.options, step, roi, threads: p.threads, names: { ref: p.refPaths[0], def: p.samplePaths[0] } },
    { signal: ctx.signal, progress: ctx.progress.sub(0, 0.8) },
  );
  messages.push(...field.messages);
  throwIfCancelled(ctx.signal);
  const tTrack = performance.now();

  const g = p.geometry;
  const { alphaX, alphaY } = refractionAngles(field.u, field.v, g);
  const gx = differentialPhasePerPixel(alphaX, g);
  const gy = differentialPhasePerPixel(alphaY, g);
  ctx.progress.report(0.82, `integrating the phase (${integrator === 'fc' ? 'Frankot–Chellappa' : 'least squares'})`);
  const integ: IntegrationResult & { iterations?: number; relativeResidual?: number; converged?: boolean } =
    integrator === 'fc' ? integrateFc(gx, gy, width, height) : integrateLs(gx, gy, width, height);
  if (integ.converged === false) {
    messages.push(`The least-squares phase stopped after ${integ.iterations} iterations at a relative residual of ${integ.relativeResidual?.toExponential(1)}; it may be slightly smoothed.`);
  }
  const lambda = wavelengthM(g.energyKeV);
  const thick = p.delta !== undefined ? thickness(integ.phase, lambda, p.delta) : undefined;
  const att = attenuationSignals(field.extra);
  const notProduced = method === 'umpa' ? [] : UMPA_ONLY;
  if (notProduced.length) {
    messages.push(`${method} measures the displacement only: no transmission or dark-field (transmission.tif, darkfield.tif, attenuation.png come from UMPA, method "umpa").`);
  }
  throwIfCancelled(ctx.signal);
  const tSignals = performance.now();

  // Every map, its file name, its unit and what it is (TIFF description and result.json).
  const maps: { name: string; data: Float32Array; unit: string; what: string }[] = [
    { name: 'u', data: field.u, unit: 'px', what: 'displacement along x (detector pixels), I_sample(x + u) = I_ref(x)' },
    { name: 'v', data: field.v, unit: 'px', what: 'displacement along y (detector pixels)' },
    { name: 'quality', data: field.quality, unit: '1', what: `tracking quality (${method})` },
    { name: 'alpha_x', data: alphaX, unit: 'rad', what: 'refraction angle along x, alpha = u·p/d' },
    { name: 'alpha_y', data: alphaY, unit: 'rad', what: 'refraction angle along y, alpha = v·p/d' },
    { name: 'dphi_dx', data: gx, unit: 'rad/px', what: 'differential phase along x per sample-plane pixel, (2π/λ)·alpha·p/M' },
    { name: 'dphi_dy', data: gy, unit: 'rad/px', what: 'differential phase along y per sample-plane pixel' },
    { name: 'phase', data: integ.phase, unit: 'rad', what: `phase shift Phi (${integrator}), zero mean over valid pixels` },
  ];
  if (thick) maps.push({ name: 'thickness', data: thick, unit: 'm', what: `projected thickness −Phi·λ/(2π·δ), δ = ${p.delta}, zero mean` });
  if (att.transmission) maps.push({ name: 'transmission', data: att.transmission, unit: '1', what: 'transmission T (UMPA)' });
  if (att.darkfield) maps.push({ name: 'darkfield', data: att.darkfield, unit: '1', what: 'dark-field D, speckle visibility ratio (UMPA)' });

  const summary: Record<string, unknown> = {
    validFraction: field.measured ? field.valid / field.measured : 0,
    u_px: summarise(field.u),
    v_px: summarise(field.v),
    alpha_x_urad: summarise(scale(alphaX, 1e6)),
    alpha_y_urad: summarise(scale(alphaY, 1e6)),
    phase_rad: summarise(integ.phase),
  };
  if (thick) summary.thickness_um = summarise(scale(thick, 1e6));
  if (att.transmission) summary.transmission = summarise(att.transmission);
  if (att.darkfield) summary.darkfield = summarise(att.darkfield);

  const pixelSample = effectivePixelUm(g);
  let csv: string | undefined;
  if (p.profile) {
    const spec = { ...p.profile, pixelUm: pixelSample };
    const cols: CsvColumn[] = [];
    // Angles in µrad and thickness in µm, as people read them; phase stays in rad.
    const unitOf = (m: (typeof maps)[number]): [string, number] => (m.name.startsWith('alpha') ? ['urad', 1e6] : m.unit === 'm' ? ['um', 1e6] : [m.unit, 1]);
    let first = true;
    for (const m of maps) {
      if (m.name === 'quality' || m.name.startsWith('dphi')) continue;
      const prof = lineProfile(m.data, width, height, spec);
      if (first) {
        cols.push({ quantity: 's', unit: 'px', values: prof.s }, { quantity: 's', unit: 'um', values: prof.sUm! });
        cols.push({ quantity: 'x', unit: 'px', values: prof.x }, { quantity: 'y', unit: 'px', values: prof.y }, { quantity: 'n', unit: '1', values: prof.n });
        first = false;
      }
      const [unit, f] = unitOf(m);
      const tag = ['u', 'v', 'alpha_x', 'alpha_y', 'transmission', 'darkfield'].includes(m.name) ? method : integrator;
      cols.push({ quantity: m.name, unit, tag, values: prof.value.map((x) => x * f) });
      cols.push({ quantity: `${m.name}_std`, unit, tag, values: prof.std.map((x) => x * f) });
    }
    csv = profilesToCsv(cols);
  }

  const inputs = await Promise.all(
    [...p.refPaths.map((f) => ['reference', f]), ...p.samplePaths.map((f) => ['sample', f])].map(async ([role, f], k) => {
      const img = k < refs.length ? refs[k] : samples[k - refs.length];
      return { role, path: f, name: basename(f), width: img.width, height: img.height, sha256: await sha256File(f), pixelSize: img.meta.pixelSize ?? null };
    }),
  );
  ctx.progress.report(0.9, 'writing results');
  const res = await writeResultFolder(
    p.outDir,
    async (dir) => {
      const pixelSize = { x: pixelSample, y: pixelSample };
      for (const m of maps) {
        await writeTiffFloat32(join(dir, `${m.name}.tif`), { width, height, data: m.data }, { description: ascii(`${m.name} [${m.unit}]: ${m.what}; NaN = not measured`), pixelSize });
      }
      const panel = (values: Float32Array, signed: boolean) => ({ values, map: signed ? ('diverging' as const) : ('viridis' as const), range: signed ? symmetricRange(values) : robustRange(values) });
      const main = montage(width, height, [panel(alphaX, true), panel(alphaY, true), panel(integ.phase, false)]);
      await writeFile(join(dir, 'preview.png'), encodeRgbaPng(main.width, main.height, main.rgba));
      if (att.transmission) {
        const a = montage(width, height, [panel(att.transmission, false), ...(att.darkfield ? [panel(att.darkfield, false)] : [])]);
        await writeFile(join(dir, 'attenuation.png'), encodeRgbaPng(a.width, a.height, a.rgba));
      }
      if (csv) await writeFile(join(dir, 'profile.csv'), csv);
    },
    (files: ResultFile[]) => ({
      kind: 'xpci',
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      method,
      model: field.modelId ? { id: field.modelId, sha256: field.modelSha256 ?? null } : null,
      executionProvider: field.provider ?? null,
      parameters: { ...resolveOptions(method, p.options), step, roi: p.roi ?? null, delta: p.delta ?? null, integrator, profile: p.profile ?? null },
      geometry: describeGeometry(g),
      convention: 'I_sample(x + u) = I_ref(x); x = column (right), y = row (down); alpha = u·p/d has the sign of u; NaN = not measured',
      maps: Object.fromEntries(maps.map((m) => [`${m.name}.tif`, { unit: m.unit, description: m.what }])),
      notProduced,
      inputs,
      grid: field.grid,
      points: { measured: field.measured, valid: field.valid },
      integration: { integrator, filledPixels: integ.filled, iterations: integ.iterations ?? null, relativeResidual: integ.relativeResidual ?? null },
      summary,
      messages,
      previews: {
        'preview.png': 'alpha_x, alpha_y (blue–white–red, symmetric 1st–99th percentile range), phase (viridis); dark grey = NaN',
        ...(att.transmission ? { 'attenuation.png': 'transmission and dark-field (viridis, 1st–99th percentile)' } : {}),
      },
      timingsMs: {
        read: Math.round(tRead - t0),
        track: Math.round(tTrack - tRead),
        signalsAndPhase: Math.round(tSignals - tTrack),
        write: Math.round(performance.now() - tSignals),
        total: Math.round(performance.now() - t0),
      },
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  ctx.progress.report(1, 'done');
  return { ...res, messages, summary };
}
