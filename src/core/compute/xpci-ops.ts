/**
 * @file The compute host's X-ray phase ops (registered in ops.ts): `xpci.run` and `xpci.simulate` run the
 * core's task functions (the same ones `lab xpci` / `lab simulate xpci` run), and `xpci.profile` samples a
 * line through an xpci result folder's maps, plus the simulator's ground truth when the sample image came
 * from a `simulate.xpci` folder (its alpha_x.tif, alpha_y.tif, phase.tif on the same grid).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LabError, toLabError } from '../errors';
import { readImage } from '../imageio';
import type { TaskContext } from '../progress';
import { lineProfile } from '../xpci/profile';
import { runSimulateXpciTask, type SimulateXpciTaskParams } from '../xpci/simulate-task';
import { runXpciTask, type XpciTaskParams } from '../xpci/xpci-task';

export interface XpciProfileInput {
  dir: string;
  line: { x0: number; y0: number; x1: number; y1: number; width: number };
}

export interface XpciProfileSeries {
  name: string;
  unit: string;
  source: 'measured' | 'truth';
  values: (number | null)[];
}

export interface XpciProfileOutput {
  s: number[];
  sUm: number[] | null;
  series: XpciProfileSeries[];
  truthDir: string | null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The simulation folder holding the ground truth of an xpci result, when its sample image came from one. */
export async function truthDirOf(result: Record<string, unknown>): Promise<string | null> {
  const inputs = Array.isArray(result.inputs) ? (result.inputs as { role?: unknown; path?: unknown }[]) : [];
  const sample = inputs.find((i) => i.role === 'sample' && typeof i.path === 'string');
  if (!sample) return null;
  const dir = dirname(resolve(sample.path as string));
  const sim = await readJson(join(dir, 'result.json'));
  return sim?.kind === 'simulate.xpci' ? dir : null;
}

/** Display unit and factor of a map in profiles: angles in µrad, thickness in µm, the rest as stored. */
function unitOf(name: string, unit: string): [string, number] {
  if (name.startsWith('alpha')) return ['µrad', 1e6];
  if (unit === 'm') return ['µm', 1e6];
  return [unit, 1];
}

const PROFILE_MAPS = ['alpha_x', 'alpha_y', 'phase', 'thickness', 'transmission', 'darkfield'];
const TRUTH_MAPS = ['alpha_x', 'alpha_y', 'phase', 'transmission'];

function zeroMean(data: Float32Array): Float32Array {
  let sum = 0, n = 0;
  for (const v of data) if (Number.isFinite(v)) { sum += v; n++; }
  const m = n ? sum / n : 0;
  return data.map((v) => v - m);
}

/** Op `xpci.profile`. */
export async function xpciProfileOp(input: unknown): Promise<XpciProfileOutput> {
  const { dir, line } = input as XpciProfileInput;
  const abs = resolve(dir);
  const result = await readJson(join(abs, 'result.json'));
  if (!result) throw new LabError('E_NOT_FOUND', `${abs} is not a result folder (it has no readable result.json).`, abs);
  if (result.kind !== 'xpci') throw new LabError('E_INVALID_INPUT', `${abs} holds a "${String(result.kind)}" result, not an X-ray phase result.`, abs);
  const maps = (result.maps ?? {}) as Record<string, { unit?: string }>;
  const geometry = (result.geometry ?? {}) as Record<string, unknown>;
  const pixelUm = typeof geometry.effectivePixelUm === 'number' ? geometry.effectivePixelUm : typeof geometry.pixelUm === 'number' ? geometry.pixelUm : undefined;
  const spec = { x0: line.x0, y0: line.y0, x1: line.x1, y1: line.y1, widthPx: line.width, ...(pixelUm !== undefined && { pixelUm }) };
  const series: XpciProfileSeries[] = [];
  let s: number[] = [];
  let sUm: number[] | null = null;
  const toList = (a: Float64Array, f: number) => Array.from(a, (v) => (Number.isFinite(v) ? v * f : null));
  for (const name of PROFILE_MAPS) {
    const file = `${name}.tif`;
    if (!maps[file]) continue;
    const img = await readImage(join(abs, file));
    const prof = lineProfile(img.data, img.width, img.height, spec);
    if (!s.length) {
      s = Array.from(prof.s);
      sUm = prof.sUm ? Array.from(prof.sUm) : null;
    }
    const [unit, f] = unitOf(name, maps[file].unit ?? '');
    series.push({ name, unit, source: 'measured', values: toList(prof.value, f) });
  }
  const truthDir = await truthDirOf(result);
  if (truthDir) {
    for (const name of TRUTH_MAPS) {
      try {
        const img = await readImage(join(truthDir, `${name}.tif`));
        // the measured phase has zero mean over valid pixels; give the truth the same offset convention
        const data = name === 'phase' ? zeroMean(img.data) : img.data;
        const prof = lineProfile(data, img.width, img.height, spec);
        const [unit, f] = unitOf(name, name === 'phase' ? 'rad' : '1');
        series.push({ name, unit, source: 'truth', values: toList(prof.value, f) });
      } catch (err) {
        if (toLabError(err).code !== 'E_NOT_FOUND') throw err;
      }
    }
  }
  return { s, sUm, series, truthDir };
}

export const xpciOps = {
  'xpci.run': async (input: unknown, ctx: TaskContext) => runXpciTask(input as XpciTaskParams, ctx),
  'xpci.simulate': async (input: unknown, ctx: TaskContext) => runSimulateXpciTask(input as SimulateXpciTaskParams, ctx),
  'xpci.profile': async (input: unknown) => xpciProfileOp(input),
  /** the simulation folder with the ground truth of an xpci result folder, or null */
  'xpci.truthDir': async (input: unknown) => {
    const result = await readJson(join(resolve((input as { dir: string }).dir), 'result.json'));
    return { truthDir: result ? await truthDirOf(result) : null };
  },
};
