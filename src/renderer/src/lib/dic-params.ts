/**
 * @file The DIC method panel's logic: the three classical methods with their defaults and one-line
 * explanations, validation of the typed parameters (with sentences that say how to fix them, mirroring the
 * core's own checks in src/core/track so that a run the UI allows is one the core accepts), the grid the
 * core will measure (same rule as src/core/track/grid.ts buildGrid) and the `track.run` params.
 */
import type { CallInput } from '../../../shared/contract';
import type { Size } from '../composables/useViewport';
import type { RoiRect } from './roi';

/**
 * The classical methods this panel offers (the contract's TrackMethodSchema may list more, e.g. CNN
 * trackers; they need their own options and are not offered here yet).
 */
export type TrackMethod = 'icgn' | 'zncc' | 'umpa';
export type TrackParams = CallInput<'track.run'>['params'];

export interface MethodInfo {
  id: TrackMethod;
  /** short name for the select */
  label: string;
  /** one line: what it is and when to use it */
  summary: string;
  /** the core's option name for the window: IC-GN calls it a subset */
  windowOption: 'subset' | 'window';
  windowLabel: string;
  windowHelp: string;
  searchHelp: string;
  defaults: { window: number; search: number };
  minWindow: number;
  maxWindow: number;
  maxSearch: number;
}

export const METHODS: Record<TrackMethod, MethodInfo> = {
  icgn: {
    id: 'icgn',
    label: 'IC-GN (subset DIC)',
    summary: 'Subset DIC, inverse-compositional Gauss-Newton: most accurate, sub-0.01 px.',
    windowOption: 'subset',
    windowLabel: 'Subset',
    windowHelp: 'Square subset matched around each point. Larger: less noise, less detail.',
    searchHelp: 'Largest displacement the FFT initial guess finds at seed points.',
    defaults: { window: 21, search: 32 },
    minWindow: 5,
    maxWindow: 201,
    maxSearch: 1024,
  },
  zncc: {
    id: 'zncc',
    label: 'ZNCC (correlation)',
    summary: 'Zero-normalised cross-correlation with a 3×3 peak fit: fast, robust, pixel-locking bias ~0.02–0.05 px.',
    windowOption: 'window',
    windowLabel: 'Window',
    windowHelp: 'Square window correlated around each point. Larger: less noise, less detail.',
    searchHelp: 'Every whole shift up to ± this is tried: set above the largest displacement.',
    defaults: { window: 21, search: 8 },
    minWindow: 3,
    maxWindow: Number.POSITIVE_INFINITY,
    maxSearch: Number.POSITIVE_INFINITY,
  },
  umpa: {
    id: 'umpa',
    label: 'UMPA (X-ray speckle)',
    summary: 'X-ray speckle: also gives transmission and dark-field.',
    windowOption: 'window',
    windowLabel: 'Window',
    windowHelp: 'Hamming-weighted window around each point. Larger: less noise, less detail.',
    searchHelp: 'Every whole shift up to ± this is tried: set above the largest displacement.',
    defaults: { window: 11, search: 5 },
    minWindow: 3,
    maxWindow: Number.POSITIVE_INFINITY,
    maxSearch: Number.POSITIVE_INFINITY,
  },
};

export const METHOD_IDS = Object.keys(METHODS) as TrackMethod[];
export const DEFAULT_STEP = 4;
export const STEP_HELP = 'Distance between measured points; the map is interpolated between them. 1 = every pixel (slow).';
export const STRAIN_HELP = 'Optional virtual strain gauge: a plane is fitted to u, v over this square. Empty = no strain.';
/** Limits of the contract's TrackParamsSchema. */
export const STEP_MAX = 1000;
export const STRAIN_MIN = 3;
export const STRAIN_MAX = 401;

/** The typed text of the method-specific fields (kept per method, so switching back restores them). */
export interface MethodForm {
  window: string;
  search: string;
}
/** The typed text of the fields every method shares. */
export interface CommonForm {
  step: string;
  /** '' = no strain */
  strainWindow: string;
}
export type ParamField = 'window' | 'search' | 'step' | 'strainWindow';

export interface ParamValues {
  window: number;
  search: number;
  step: number;
  strainWindow: number | null;
}

export interface Validation {
  /** why a field cannot be used, shown next to it */
  errors: Partial<Record<ParamField, string>>;
  /** advice that does not block a run */
  notes: Partial<Record<ParamField, string>>;
  /** parsed values when there is no error */
  values: ParamValues | null;
}

export function defaultMethodForm(method: TrackMethod): MethodForm {
  const d = METHODS[method].defaults;
  return { window: String(d.window), search: String(d.search) };
}

export function defaultCommonForm(): CommonForm {
  return { step: String(DEFAULT_STEP), strainWindow: '' };
}

/** A whole number from typed text, or null (empty, fractional, not a number). */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  return Number(t);
}

/** Border each grid point needs, px: as the kernels' `margin` in src/core/track. */
export function methodMargin(method: TrackMethod, window: number, search: number): number {
  return method === 'icgn' ? (window - 1) / 2 + 2 : (window - 1) / 2 + search;
}

/**
 * Checks the form for `method`. With the image size (and ROI), also whether the window fits, as the core
 * will check. Errors are sentences naming the field's value and a fix.
 */
export function validateParams(method: TrackMethod, m: MethodForm, c: CommonForm, img: Size | null): Validation {
  const info = METHODS[method];
  const errors: Validation['errors'] = {};
  const notes: Validation['notes'] = {};
  const name = info.windowLabel.toLowerCase();

  const window = wholeNumber(m.window);
  if (m.window.trim() === '') errors.window = `Enter the ${name} size in px, e.g. ${info.defaults.window}.`;
  else if (window === null) errors.window = `The ${name} size must be a whole number of pixels, e.g. ${info.defaults.window}.`;
  else if (window % 2 === 0) errors.window = `The ${name} size must be odd so it has a centre pixel: use ${window - 1} or ${window + 1}.`;
  else if (window < info.minWindow) errors.window = `The ${name} size must be at least ${info.minWindow} px.`;
  else if (window > info.maxWindow) errors.window = `The ${name} size must be at most ${info.maxWindow} px.`;

  const search = wholeNumber(m.search);
  if (m.search.trim() === '') errors.search = `Enter the search radius in px, e.g. ${info.defaults.search}.`;
  else if (search === null || search < 1) errors.search = 'The search radius must be a whole number of pixels, at least 1.';
  else if (search > info.maxSearch) errors.search = `The search radius must be at most ${info.maxSearch} px.`;

  const step = wholeNumber(c.step);
  if (c.step.trim() === '') errors.step = `Enter the grid step in px, e.g. ${DEFAULT_STEP}.`;
  else if (step === null || step < 1 || step > STEP_MAX) errors.step = `The grid step must be a whole number of pixels from 1 to ${STEP_MAX}.`;

  let strain: number | null = null;
  if (c.strainWindow.trim() !== '') {
    strain = wholeNumber(c.strainWindow);
    if (strain === null || strain < STRAIN_MIN || strain > STRAIN_MAX || strain % 2 === 0) {
      errors.strainWindow = `The strain window must be an odd whole number of pixels from ${STRAIN_MIN} to ${STRAIN_MAX} (e.g. 15), or empty for no strain.`;
      strain = null;
    } else if (step !== null && step >= 1 && strain < 2 * step + 1) {
      notes.strainWindow = `Smaller than 2 grid steps + 1 (${2 * step + 1} px): the strain would mostly see the interpolation between points.`;
    }
  }

  if (img && window !== null && search !== null && !errors.window && !errors.search) {
    const side = Math.min(img.width, img.height);
    if (method === 'icgn' && window + 4 > side) {
      errors.window = `A ${window} px subset plus its 2 px gradient border does not fit the ${img.width} × ${img.height} px image; use at most ${largestOdd(side - 4)} px.`;
    } else if (method !== 'icgn' && window + 2 * search > side) {
      errors.search = `The ${window} px window plus twice the ${search} px search needs ${window + 2 * search} px, more than the ${img.width} × ${img.height} px image; reduce one of them.`;
    }
  }

  const ok = Object.keys(errors).length === 0;
  return {
    errors,
    notes,
    values: ok ? { window: window!, search: search!, step: step!, strainWindow: strain } : null,
  };
}

function largestOdd(n: number): number {
  const k = Math.floor(n);
  return k % 2 === 1 ? k : k - 1;
}

export interface GridEstimate {
  nx: number;
  ny: number;
  points: number;
  /** the border each point needs, px */
  margin: number;
}

/** The grid the core will measure (src/core/track/grid.ts buildGrid): every `step` px, inside the margin and ROI. */
export function gridEstimate(method: TrackMethod, v: ParamValues, img: Size, roi: RoiRect | null): GridEstimate {
  const margin = methodMargin(method, v.window, v.search);
  const step = v.step;
  const [bx0, by0, bx1, by1] = roi ? [roi.x, roi.y, roi.x + roi.width - 1, roi.y + roi.height - 1] : [0, 0, img.width - 1, img.height - 1];
  const firstOnGrid = (lo: number, origin: number) => origin + Math.ceil(Math.max(0, lo - origin) / step) * step;
  const x0 = firstOnGrid(Math.max(bx0, margin), bx0);
  const y0 = firstOnGrid(Math.max(by0, margin), by0);
  const xEnd = Math.min(bx1, img.width - 1 - margin);
  const yEnd = Math.min(by1, img.height - 1 - margin);
  const nx = xEnd >= x0 ? Math.floor((xEnd - x0) / step) + 1 : 0;
  const ny = yEnd >= y0 ? Math.floor((yEnd - y0) / step) + 1 : 0;
  return { nx, ny, points: nx * ny, margin };
}

/** The `track.run` params for a validated form. */
export function toTrackParams(method: TrackMethod, v: ParamValues, refPath: string, defPath: string, roi: RoiRect | null): TrackParams {
  const params: TrackParams = {
    refPath,
    defPath,
    method,
    options: { [METHODS[method].windowOption]: v.window, search: v.search },
    step: v.step,
  };
  if (roi) params.roi = { x: roi.x, y: roi.y, width: roi.width, height: roi.height };
  if (v.strainWindow !== null) params.strainWindow = v.strainWindow;
  return params;
}

/** A fresh task id for `track.run` (the contract allows up to 64 characters). */
export function newTaskId(now = Date.now(), random = Math.random()): string {
  return `dic-${now.toString(36)}-${Math.floor(random * 36 ** 6).toString(36).padStart(6, '0')}`;
}
