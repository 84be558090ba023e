/**
 * @file Pure helpers of the X-ray phase workspace: the geometry form (text fields → numbers with one message
 * per wrong field), geometry remembered per image folder, tracking methods with one-line explanations, the
 * maps shown (unit, display factor, signed or not), the persisted settings (localStorage `speckle-lab.xray`),
 * the line tool's snapping, and the profile CSV.
 */
import { z } from 'zod';

export type XrayMethod = 'umpa' | 'zncc' | 'icgn' | 'cnn-xst' | 'cnn+icgn';
export const XRAY_METHODS: readonly { id: XrayMethod; label: string; line: string }[] = [
  { id: 'umpa', label: 'UMPA', line: 'Unified modulated pattern analysis: angles plus transmission and dark-field; the default.' },
  { id: 'zncc', label: 'ZNCC', line: 'Zero-normalised cross-correlation with sub-pixel peak fit: fast, angles only.' },
  { id: 'icgn', label: 'IC-GN', line: 'Inverse-compositional Gauss–Newton subsets: most precise for smooth samples.' },
  // sent with no options, so the core's defaults apply (kernels.ts CNN_DEFAULT_OPTIONS: cade-xst-s, 3 passes, symmetry 8)
  {
    id: 'cnn-xst',
    label: 'CNN (XST)',
    line: 'Speckle-tracking network cade-xst-s: shifts within ±1 px only; 3 passes, 8 orientations averaged: RMSE 0.012 px on the CADE protocol (ZNCC there: 0.011 px).',
  },
  {
    id: 'cnn+icgn',
    label: 'CNN + IC-GN',
    line: 'The network’s field (dicnet-s, up to ±16 px) refined by IC-GN subsets: IC-GN’s precision (RMSE 0.004 px on the CADE protocol) where refraction moves the speckle by more than 1 px.',
  },
];
export const methodLabel = (m: string): string => XRAY_METHODS.find((x) => x.id === m)?.label ?? m;

export type XrayIntegrator = 'fc' | 'ls';
export const XRAY_INTEGRATORS: readonly { id: XrayIntegrator; label: string; line: string }[] = [
  { id: 'fc', label: 'Frankot–Chellappa', line: 'Fourier integration of both gradients: one step, accurate on smooth phase; fills unmeasured holes.' },
  { id: 'ls', label: 'Least squares', line: 'Masked least squares over the measured pixels only: slower, better for maps with holes (low-correlation areas).' },
];

/** The geometry form as typed (text, so a half-typed number is kept as is). */
export interface GeometryForm {
  pixelUm: string;
  distanceM: string;
  energyKeV: string;
  /** empty = plane wave */
  sourceDistanceM: string;
  /** empty = no thickness map */
  delta: string;
}
export const DEFAULT_GEOMETRY: GeometryForm = { pixelUm: '12', distanceM: '1', energyKeV: '30', sourceDistanceM: '', delta: '' };

export interface Geometry {
  pixelUm: number;
  distanceM: number;
  energyKeV: number;
  sourceDistanceM?: number;
  delta?: number;
}
export type GeometryErrors = Partial<Record<keyof GeometryForm, string>>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses the form: the geometry when every field is right, and a message for each field that is not. */
export function parseGeometry(f: GeometryForm): { geometry: Geometry | null; errors: GeometryErrors } {
  const errors: GeometryErrors = {};
  const num = (k: keyof GeometryForm, what: string, optional: boolean): number | undefined => {
    const t = f[k].trim();
    if (t === '') {
      if (!optional) errors[k] = `Enter the ${what}.`;
      return undefined;
    }
    const v = Number(t);
    if (!NUMBER.test(t) || !Number.isFinite(v)) errors[k] = `"${t}" is not a number; write it like 3.5 or 2e-7.`;
    else if (!(v > 0)) errors[k] = `The ${what} must be greater than 0.`;
    else return v;
    return undefined;
  };
  const pixelUm = num('pixelUm', 'pixel pitch', false);
  const distanceM = num('distanceM', 'sample–detector distance', false);
  const energyKeV = num('energyKeV', 'energy', false);
  const sourceDistanceM = num('sourceDistanceM', 'source distance', true);
  const delta = num('delta', 'decrement δ', true);
  if (energyKeV !== undefined && (energyKeV < 1 || energyKeV > 500)) errors.energyKeV = `${energyKeV} keV is outside 1–500 keV; is it in keV?`;
  if (delta !== undefined && delta >= 1e-3) errors.delta = `δ = ${delta} is far too large for X-rays (typically 1e-8 … 1e-5).`;
  if (Object.keys(errors).length || pixelUm === undefined || distanceM === undefined || energyKeV === undefined) return { geometry: null, errors };
  return {
    geometry: { pixelUm, distanceM, energyKeV, ...(sourceDistanceM !== undefined && { sourceDistanceM }), ...(delta !== undefined && { delta }) },
    errors,
  };
}

/** The folder of a path (either separator); '' for a bare name. */
export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : '';
}

/** The geometry form of a number geometry (what the simulator answers). */
export function geometryToForm(g: { pixelUm: number; distanceM: number; energyKeV: number; sourceDistanceM?: number | null; delta?: number | null }): GeometryForm {
  const t = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(10))));
  return { pixelUm: t(g.pixelUm), distanceM: t(g.distanceM), energyKeV: t(g.energyKeV), sourceDistanceM: t(g.sourceDistanceM), delta: t(g.delta) };
}

// ---------- maps ----------

export interface XrayMapInfo {
  name: string;
  label: string;
  /** unit as shown (after `factor`) */
  unit: string;
  /** display value = stored value · factor (rad → µrad, m → µm) */
  factor: number;
  /** signed maps get a diverging colour map on a range symmetric about 0 */
  signed: boolean;
}
export const XRAY_MAPS: readonly XrayMapInfo[] = [
  { name: 'alpha_x', label: 'α_x', unit: 'µrad', factor: 1e6, signed: true },
  { name: 'alpha_y', label: 'α_y', unit: 'µrad', factor: 1e6, signed: true },
  { name: 'phase', label: 'Phase', unit: 'rad', factor: 1, signed: true },
  { name: 'thickness', label: 'Thickness', unit: 'µm', factor: 1e6, signed: true },
  { name: 'transmission', label: 'Transmission', unit: '', factor: 1, signed: false },
  { name: 'darkfield', label: 'Dark-field', unit: '', factor: 1, signed: false },
];
export const mapInfo = (name: string): XrayMapInfo | undefined => XRAY_MAPS.find((m) => m.name === name);

/** The stored values scaled for display (a copy; NaN stays NaN). */
export function displayValues(data: Float32Array, factor: number): Float32Array {
  return factor === 1 ? data : data.map((v) => v * factor);
}

// ---------- line tool ----------

export interface ProfileLine {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
}

/** A continuous image point → the centre of the pixel under it, as profile coordinates (pixel centres are integers). */
export function snapToPixel(p: { x: number; y: number }, size: { width: number; height: number }): { x: number; y: number } {
  const c = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor(v)));
  return { x: c(p.x, size.width), y: c(p.y, size.height) };
}

/** Whether a line is long enough and inside the image. */
export function lineError(l: ProfileLine, size: { width: number; height: number }): string | null {
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= size.width - 1 && y <= size.height - 1;
  if (!inside(l.x0, l.y0) || !inside(l.x1, l.y1)) return 'Both ends of the line must lie on the map.';
  if (Math.hypot(l.x1 - l.x0, l.y1 - l.y0) < 2) return 'Draw a line at least 2 pixels long.';
  if (!Number.isInteger(l.width) || l.width < 1 || l.width > 501) return 'The band width must be a whole number of pixels, 1–501.';
  return null;
}

// ---------- profiles ----------

export interface ProfileSeries {
  name: string;
  unit: string;
  source: 'measured' | 'truth';
  values: (number | null)[];
}
/** One profile in the chart: a run's line through its maps. */
export interface ProfileEntry {
  /** e.g. "#2 ZNCC" */
  label: string;
  method: string;
  s: number[];
  sUm: number[] | null;
  series: ProfileSeries[];
}

/** CSV of one quantity over several profiles: s, then one column per profile (and the truth once). */
export function profilesCsv(entries: readonly ProfileEntry[], quantity: string): string {
  const cols: { head: string; values: (number | null)[] }[] = [];
  const first = entries[0];
  if (!first) return '';
  cols.push({ head: 's_px', values: first.s });
  if (first.sUm) cols.push({ head: 's_um', values: first.sUm });
  let truthDone = false;
  for (const e of entries) {
    for (const s of e.series) {
      if (s.name !== quantity) continue;
      if (s.source === 'truth') {
        if (truthDone) continue;
        truthDone = true;
      }
      const unit = s.unit ? `_${s.unit.replace('µ', 'u')}` : '';
      cols.push({ head: `${s.source === 'truth' ? 'truth' : e.label.replace(/[\s,]+/g, '_')}_${quantity}${unit}`, values: s.values });
    }
  }
  const rows = Math.max(...cols.map((c) => c.values.length));
  const lines = [cols.map((c) => c.head).join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push(cols.map((c) => { const v = c.values[i]; return v === null || v === undefined ? 'NaN' : String(v); }).join(','));
  }
  return `${lines.join('\n')}\n`;
}

// ---------- persisted settings ----------

export const SETTINGS_KEY = 'speckle-lab.xray';
const GeometryFormSchema = z.object({
  pixelUm: z.string().catch(DEFAULT_GEOMETRY.pixelUm),
  distanceM: z.string().catch(DEFAULT_GEOMETRY.distanceM),
  energyKeV: z.string().catch(DEFAULT_GEOMETRY.energyKeV),
  sourceDistanceM: z.string().catch(''),
  delta: z.string().catch(''),
});
const SettingsSchema = z.object({
  version: z.literal(1).catch(1),
  refPath: z.string().catch(''),
  samplePath: z.string().catch(''),
  method: z.enum(['umpa', 'zncc', 'icgn', 'cnn-xst', 'cnn+icgn']).catch('umpa'),
  step: z.number().int().min(1).max(64).catch(2),
  /** phase integration: Frankot–Chellappa (Fourier) or least squares (Note: Phase integrator choice, core) */
  integrator: z.enum(['fc', 'ls']).catch('fc'),
  geometry: GeometryFormSchema.catch(() => ({ ...DEFAULT_GEOMETRY })),
  /** folder of the sample image → its geometry */
  geometryByFolder: z.record(z.string(), GeometryFormSchema).catch(() => ({})),
  map: z.string().catch('alpha_x'),
  lineWidth: z.number().int().min(1).max(501).catch(5),
});
export type XraySettings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): XraySettings {
  return SettingsSchema.parse({});
}

export function loadSettings(storage: Pick<Storage, 'getItem'> | null): XraySettings {
  let raw: unknown = {};
  try {
    const text = storage?.getItem(SETTINGS_KEY);
    if (text) raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  if (!raw || typeof raw !== 'object') raw = {};
  return SettingsSchema.parse(raw);
}

export function saveSettings(storage: Pick<Storage, 'setItem'> | null, s: XraySettings): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(s));
  } catch {
    /* full or unavailable storage: keep going */
  }
}

export function newTaskId(now = Date.now(), random = Math.random()): string {
  return `xpci-${now.toString(36)}-${Math.floor(random * 1e9).toString(36)}`;
}
