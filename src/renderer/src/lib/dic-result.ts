/**
 * @file Reading a DIC result for display: which maps it has and how each is shown (label, unit, signed or
 * not, colour map), and the provenance in its result.json (method, parameters, inputs, timings, points),
 * parsed leniently so that an older or foreign result folder still opens with whatever it has.
 * Result folders are written by src/core/tasks/track-task.ts; the convention is I_def(x + u) = I_ref(x),
 * x = column (right), y = row (down), px, NaN = not measured.
 */
import { z } from 'zod';
import type { ColourMapName } from './colormap';
import { defaultCommonForm, defaultMethodForm, isTrackMethod, METHODS, type CommonForm, type MethodForm, type TrackMethod } from './dic-params';
import { formatNumber } from './format';
import type { RoiShapes } from './roi-polygon';
import type { RoiRect } from './roi';
import { describeRoi, roiFromParameters } from './roi-shapes';

/** Name of the |u| map the renderer derives from u and v. */
export const MAGNITUDE = 'mag';

export interface MapInfo {
  name: string;
  /** short label for selects and the readout, e.g. "u", "|u|", "εxx" */
  label: string;
  /** one line saying what it is */
  title: string;
  /** unit as shown after numbers: "px", "strain", "" for dimensionless */
  unit: string;
  /** signed quantities get a diverging map on a range symmetric about 0 */
  signed: boolean;
  colourMap: ColourMapName;
}

/** Display order of the maps a result may hold; others follow in the order they come. */
const ORDER = ['u', 'v', MAGNITUDE, 'quality', 'exx', 'eyy', 'exy', 'transmission', 'darkfield', 'iterations'];

/** How map `name` (with the back end's `unit`) is shown; `method` refines what "quality" means. */
export function describeMap(name: string, unit = '', method: string | null = null): MapInfo {
  const signed = (label: string, title: string, u: string): MapInfo => ({ name, label, title, unit: u, signed: true, colourMap: 'diverging' });
  const plain = (label: string, title: string, u: string, colourMap: ColourMapName = 'viridis'): MapInfo => ({ name, label, title, unit: u, signed: false, colourMap });
  switch (name) {
    case 'u':
      return signed('u', 'u: horizontal displacement, + to the right', 'px');
    case 'v':
      return signed('v', 'v: vertical displacement, + downwards', 'px');
    case MAGNITUDE:
      return plain('|u|', '|u| = √(u² + v²): displacement magnitude', 'px');
    case 'quality':
      return plain(
        'quality',
        method === 'umpa'
          ? 'quality: 1 − normalised cost of the fit (1 = perfect)'
          : method === 'cnn-dic' || method === 'cnn-xst'
            ? 'quality: ZNCC of the deformed image warped back by the predicted field (1 = perfect)'
            : 'quality: zero-normalised correlation of the match (1 = perfect)',
        '',
      );
    case 'exx':
      return signed('εxx', 'εxx = ∂u/∂x: normal strain along x', 'strain');
    case 'eyy':
      return signed('εyy', 'εyy = ∂v/∂y: normal strain along y', 'strain');
    case 'exy':
      return signed('εxy', 'εxy = ½(∂u/∂y + ∂v/∂x): shear strain (tensor)', 'strain');
    case 'transmission':
      return plain('transmission', 'transmission: sample / reference intensity', '');
    case 'darkfield':
      return plain('dark-field', 'dark-field: loss of speckle visibility (1 = none)', '');
    case 'iterations':
      return plain('iterations', 'IC-GN iterations to converge', '');
    case 'reference':
    case 'deformed':
    case 'sample':
      return plain(name, `${name} image`, '', 'grey');
    default:
      return plain(name, name, unit === '1' ? '' : unit);
  }
}

/** Map names in display order. */
export function orderMaps(names: readonly string[]): string[] {
  const known = ORDER.filter((n) => names.includes(n));
  return [...known, ...names.filter((n) => !ORDER.includes(n))];
}

/** A value with its unit for the readout and summary: 4 decimals for px, 3 significant digits × 10ⁿ for strain. */
export function formatValue(v: number | null, info: Pick<MapInfo, 'unit'>, digits = 4): string {
  if (v === null) return '—';
  if (!Number.isFinite(v)) return 'not measured';
  const unit = info.unit ? ` ${info.unit}` : '';
  if (info.unit === 'strain') return `${formatNumber(v, 3)}${unit}`;
  const a = Math.abs(v);
  const text = a !== 0 && (a < 10 ** -digits || a >= 1e6) ? formatNumber(v, digits) : v.toFixed(digits);
  return `${text}${unit}`;
}

// ---------- provenance (result.json) ----------

const num = z.number();
const InputSchema = z.object({
  role: z.string().catch('input'),
  path: z.string().catch(''),
  name: z.string().catch(''),
  width: num.optional().catch(undefined),
  height: num.optional().catch(undefined),
  sha256: z.string().nullable().optional().catch(null),
});
const ProvenanceSchema = z.object({
  kind: z.string().catch('unknown'),
  method: z.string().nullable().catch(null),
  createdAt: z.string().nullable().catch(null),
  appVersion: z.string().nullable().catch(null),
  parameters: z.record(z.string(), z.unknown()).catch({}),
  timingsMs: z.record(z.string(), num).catch({}),
  points: z.object({ measured: num, valid: num }).nullable().catch(null),
  inputs: z.array(InputSchema).catch([]),
  messages: z.array(z.string()).catch([]),
  grid: z.object({ x0: num, y0: num, step: num, nx: num, ny: num }).nullable().catch(null),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** The parts of a result.json the DIC workspace shows; missing or odd fields become empty. */
export function parseProvenance(result: Record<string, unknown>): Provenance {
  return ProvenanceSchema.parse({
    kind: result.kind,
    method: result.method ?? null,
    createdAt: result.createdAt ?? null,
    appVersion: result.appVersion ?? null,
    parameters: result.parameters ?? {},
    timingsMs: result.timingsMs ?? {},
    points: result.points ?? null,
    inputs: result.inputs ?? [],
    messages: result.messages ?? [],
    grid: result.grid ?? null,
  });
}

/** Milliseconds as "850 ms" or "12.3 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "prepare 12 ms · track 840 ms · total 0.90 s", in the order the core wrote them. */
export function timingText(t: Record<string, number>): string {
  return Object.entries(t)
    .map(([k, v]) => `${k} ${formatMs(v)}`)
    .join(' · ');
}

/** Share of measured grid points that gave a value: "97.3 % (681 of 700 points)". */
export function validText(points: Provenance['points']): string {
  if (!points) return '—';
  if (points.measured === 0) return 'no point measured';
  const pct = (100 * points.valid) / points.measured;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} % (${points.valid} of ${points.measured} points)`;
}

const SYMMETRY_TEXT: Record<string, string> = { '1': '1 orientation (off)', '4': '4 orientations (flips)', '8': '8 orientations (flips, transposes)' };

/** The parameters as label/value rows, each value with its unit. */
export function parameterRows(p: Provenance): { label: string; value: string }[] {
  const par = p.parameters;
  const rows: { label: string; value: string }[] = [];
  const add = (label: string, v: unknown, unit = '') => {
    if (v === undefined) return;
    const text = v === null ? 'none' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' ? `${formatNumber(v, 6)}${unit}` : String(v);
    rows.push({ label, value: text });
  };
  add('Subset', par.subset, ' px');
  add('Window', par.window, ' px');
  add('Search radius', par.search, ' px');
  add('Model', par.model);
  add('Passes', par.passes);
  // orientations of the pair averaged on the last CNN pass (src/core/track/cnn-symmetry.ts)
  if (par.symmetry !== undefined) rows.push({ label: 'Symmetry', value: SYMMETRY_TEXT[String(par.symmetry)] ?? String(par.symmetry) });
  add('Quality window', par.qualityWindow, ' px');
  add('Grid step', par.step, ' px');
  if ('roi' in par) rows.push({ label: 'ROI', value: describeRoi(par.roi) ?? 'not readable' });
  add('Strain window', par.strainWindow, ' px');
  add('Max iterations', par.maxIterations);
  add('Tolerance', par.tolerance, ' px');
  add('Min ZNCC', par.minZncc);
  add('Min quality', par.minQuality);
  add('Sub-pixel fit', par.subpixel);
  add('Dark-field model', par.darkField);
  add('CNN tile', par.tile, ' px');
  // 0 is the core's "chosen from the model", not an overlap of nothing
  if (par.overlap !== undefined) rows.push({ label: 'CNN tile overlap', value: par.overlap === 0 ? 'from the model' : `${formatNumber(Number(par.overlap), 6)} px` });
  const known = new Set([
    'subset', 'window', 'search', 'model', 'passes', 'symmetry', 'qualityWindow', 'step', 'roi', 'strainWindow',
    'maxIterations', 'tolerance', 'minZncc', 'minQuality', 'subpixel', 'darkField', 'tile', 'overlap',
  ]);
  for (const [k, v] of Object.entries(par)) if (!known.has(k) && (typeof v !== 'object' || v === null)) add(k, v);
  return rows;
}

/**
 * The form values a result was made with, to run it again or change one thing; null when not a DIC run of
 * a method this panel offers, or when the parameters lack what the method needs. `base` is the form's
 * current common fields, kept where the result has nothing to say. Options the form does not show (the CNN tile and overlap, IC-GN's iteration limits) are not carried back.
 * `roi` is the rectangle and polygons the result was measured in (none: the whole image), or null when its
 * recorded ROI is not one the contract knows (the caller then leaves the drawing alone).
 */
export function formFromProvenance(
  p: Provenance,
  base: CommonForm = defaultCommonForm(),
): { method: TrackMethod; methodForm: MethodForm; common: CommonForm; roi: { rect: RoiRect | null; shapes: RoiShapes } | null } | null {
  const method = p.method;
  if (!isTrackMethod(method)) return null;
  const info = METHODS[method];
  const par = p.parameters;
  const form = defaultMethodForm(method);
  const w = par[info.windowOption];
  if (typeof w !== 'number') return null;
  form.window = String(w);
  if (info.searchHelp !== null) {
    if (typeof par.search !== 'number') return null;
    form.search = String(par.search);
  }
  if (info.modelHelp !== null) {
    if (typeof par.model !== 'string') return null;
    form.model = par.model;
  }
  // a CNN result made before the passes option existed ran one pass, whatever today's default is
  if (info.passesHelp !== null) form.passes = typeof par.passes === 'number' ? String(par.passes) : '1';
  // likewise one made before symmetry averaging existed saw the pair in one orientation
  if (info.symmetryHelp !== null) form.symmetry = typeof par.symmetry === 'number' ? String(par.symmetry) : '1';
  const common = { ...base };
  // a dense CNN run records step 1, which it never used: the step typed for the other methods stays
  if (typeof par.step === 'number' && !info.dense) common.step = String(par.step);
  common.strainWindow = typeof par.strainWindow === 'number' ? String(par.strainWindow) : '';
  // the ROI's one reader (lib/roi-shapes.ts): null when it is not an ROI the contract knows
  return { method, methodForm: form, common, roi: roiFromParameters(par.roi) };
}
