/**
 * @file Ground truth for a job, and the job's errors against it.
 *
 * Note: Finding the truth. A job has a truth when `--truth DIR` names a folder of float32 maps with the
 * job's map names (u.tif, v.tif, alpha_x.tif, …; a 'simulate.pair' result folder is one), or, with no
 * --truth, when its inputs came from the simulator: a 'simulate.pair' result folder — the folder its input
 * paths point into, or a sibling of the job folder — lists files with the sha256 of every input the job
 * records. Matching by sha256 rather than by path means a pair copied elsewhere still counts and a pair
 * regenerated with other settings never does.
 *
 * Errors are measured − true at the points the job measured (its grid, inside the ROI), not on the
 * interpolated pixels between them, in display units. Phase and thickness exist only up to a constant
 * (the integration constant), so both means are removed before comparing them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readImage, type GreyImage } from '../imageio';
import { fieldErrors } from '../metrics';
import type { Rect } from './model';
import { OFFSET_FREE, quantityOf, TRUTH_MAPS, type Quantity } from './quantities';

export interface TruthSource {
  dir: string;
  /** how it was found, for the report */
  how: string;
  maps: Map<string, GreyImage>;
}

interface JobLike {
  dir: string;
  result: Record<string, unknown>;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The truth maps of a folder: every TRUTH_MAPS name it holds as .tif. */
async function readTruthMaps(dir: string, wanted: string[]): Promise<Map<string, GreyImage>> {
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  const maps = new Map<string, GreyImage>();
  for (const key of wanted) if (names.has(`${key}.tif`)) maps.set(key, await readImage(join(dir, `${key}.tif`)));
  return maps;
}

/**
 * The ground truth of a job (Note: Finding the truth), or null, and notes for the report. `truthDir`
 * (--truth) wins where its maps have the job's names and size; one report may hold several kinds of job,
 * so a truth folder that fits none of this job's maps is a note, and the simulator's pair is looked for.
 */
export async function findTruth(job: JobLike, mapNames: string[], size: { width: number; height: number }, truthDir?: string): Promise<{ truth: TruthSource | null; notes: string[] }> {
  const wanted = TRUTH_MAPS.filter((k) => mapNames.includes(k));
  const notes: string[] = [];
  if (wanted.length === 0) return { truth: null, notes };
  if (truthDir) {
    const dir = resolve(truthDir);
    const all = await readTruthMaps(dir, wanted);
    const maps = new Map([...all].filter(([, m]) => m.width === size.width && m.height === size.height));
    if (maps.size) return { truth: { dir, how: 'given with --truth', maps }, notes };
    notes.push(all.size
      ? `The maps of the truth folder ${dir} are ${[...all.values()][0].width}×${[...all.values()][0].height} px, this job's ${size.width}×${size.height} px; not used for this job.`
      : `The truth folder ${dir} has no map named like this job's (${wanted.map((k) => `${k}.tif`).join(', ')}); not used for this job.`);
  }
  return { truth: await simulatorTruth(job, wanted), notes };
}

/** The 'simulate.pair' folder whose files have the sha256 of every input of the job, if any. */
async function simulatorTruth(job: JobLike, wanted: string[]): Promise<TruthSource | null> {
  const inputs = Array.isArray(job.result.inputs) ? (job.result.inputs as { path?: unknown; sha256?: unknown }[]) : [];
  const shas = inputs.map((i) => i.sha256).filter((s): s is string => typeof s === 'string');
  if (shas.length === 0) return null;
  const candidates: string[] = [];
  for (const i of inputs) if (typeof i.path === 'string') candidates.push(dirname(resolve(job.dir, i.path)));
  const parent = dirname(job.dir);
  const siblings = await readdir(parent, { withFileTypes: true }).catch(() => []);
  // A bounded look: a parent holding thousands of jobs should not make a report slow.
  for (const d of siblings.slice(0, 500)) if (d.isDirectory() && join(parent, d.name) !== job.dir) candidates.push(join(parent, d.name));
  for (const dir of [...new Set(candidates)]) {
    const sim = await readJson(join(dir, 'result.json'));
    if (!sim || sim.kind !== 'simulate.pair' || !Array.isArray(sim.files)) continue;
    const simShas = new Set((sim.files as { sha256?: unknown }[]).map((f) => f.sha256));
    if (!shas.every((s) => simShas.has(s))) continue;
    const maps = await readTruthMaps(dir, wanted);
    if (maps.size === 0) continue;
    const names = inputs.map((i) => (typeof i.path === 'string' ? basename(i.path) : '?')).join(' and ');
    return { dir, how: `the simulator's pair (${names} match its files by sha256)`, maps };
  }
  return null;
}

export interface TruthRow {
  quantity: Quantity;
  n: number;
  /** points where the measurement was NaN but the truth was not */
  missing: number;
  bias: number;
  rmse: number;
  mae: number;
  std: number;
  maxAbs: number;
  offsetRemoved: boolean;
}

/** Indices of the points a job measured: its grid (result.json `grid`) or every pixel, inside the ROI. */
export function measuredPoints(width: number, height: number, grid: unknown, roi?: Rect): Int32Array {
  const inRoi = (x: number, y: number) => !roi || (x >= roi.x && x < roi.x + roi.width && y >= roi.y && y < roi.y + roi.height);
  const out: number[] = [];
  const g = grid as { x0?: number; y0?: number; step?: number; nx?: number; ny?: number } | undefined;
  if (g && [g.x0, g.y0, g.step, g.nx, g.ny].every((v) => Number.isInteger(v)) && g.step! > 0) {
    for (let j = 0; j < g.ny!; j++) for (let i = 0; i < g.nx!; i++) {
      const x = g.x0! + i * g.step!, y = g.y0! + j * g.step!;
      if (x < width && y < height && inRoi(x, y)) out.push(y * width + x);
    }
  } else {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inRoi(x, y)) out.push(y * width + x);
  }
  return Int32Array.from(out);
}

function errorsAt(meas: Float32Array, truth: Float32Array, points: Int32Array, scale: number, offsetFree: boolean): Omit<TruthRow, 'quantity'> {
  const pairs: [number, number][] = [];
  let missing = 0;
  for (const k of points) {
    const m = meas[k], t = truth[k];
    if (Number.isFinite(m) && Number.isFinite(t)) pairs.push([m * scale, t * scale]);
    else if (Number.isFinite(t)) missing++;
  }
  const n = pairs.length;
  let mOff = 0, tOff = 0;
  if (offsetFree && n) {
    for (const [m, t] of pairs) (mOff += m), (tOff += t);
    (mOff /= n), (tOff /= n);
  }
  let s = 0, s2 = 0, sa = 0, mx = 0;
  for (const [m, t] of pairs) {
    const e = m - mOff - (t - tOff);
    (s += e), (s2 += e * e), (sa += Math.abs(e)), (mx = Math.max(mx, Math.abs(e)));
  }
  const bias = n ? s / n : Number.NaN;
  const rmse = n ? Math.sqrt(s2 / n) : Number.NaN;
  return { n, missing, bias, rmse, mae: n ? sa / n : Number.NaN, std: n ? Math.sqrt(Math.max(0, s2 / n - bias * bias)) : Number.NaN, maxAbs: n ? mx : Number.NaN, offsetRemoved: offsetFree };
}

export interface TruthComparison {
  rows: TruthRow[];
  /** end-point error of (u, v), px, when both have a truth */
  epe?: { n: number; mean: number; rmse: number; p95: number; max: number };
  /** maps the truth has but whose size differs from the job's */
  skipped: string[];
}

/** Errors of every map that has a truth, at `points` (Note: Finding the truth). */
export function compareWithTruth(maps: Map<string, Float32Array>, width: number, height: number, truth: TruthSource, points: Int32Array): TruthComparison {
  const rows: TruthRow[] = [];
  const skipped: string[] = [];
  for (const key of TRUTH_MAPS) {
    const meas = maps.get(key), t = truth.maps.get(key);
    if (!meas || !t) continue;
    if (t.width !== width || t.height !== height) {
      skipped.push(`${key}.tif (${t.width}×${t.height}, the job's maps are ${width}×${height})`);
      continue;
    }
    const q = quantityOf(key);
    rows.push({ quantity: q, ...errorsAt(meas, t.data, points, q.scale, OFFSET_FREE.has(key)) });
  }
  let epe: TruthComparison['epe'];
  const u = maps.get('u'), v = maps.get('v'), tu = truth.maps.get('u'), tv = truth.maps.get('v');
  if (u && v && tu && tv && !skipped.some((s) => s.startsWith('u.tif') || s.startsWith('v.tif'))) {
    const pick = (a: Float32Array) => Float32Array.from(points, (k) => a[k]);
    const e = fieldErrors({ u: pick(u), v: pick(v) }, { u: pick(tu.data), v: pick(tv.data) });
    epe = { n: e.nValid, ...e.epe };
  }
  return { rows, epe, skipped };
}
