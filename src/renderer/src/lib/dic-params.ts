/**
 * @file The DIC method panel's logic: validation of the typed parameters of every method (with sentences
 * that say how to fix them, mirroring the core's own checks in src/core/track, cnn-method.ts
 * validateCnnOptions included, so that a run the UI allows is one the core accepts), the grid the core will
 * measure (same rule as src/core/track/grid.ts buildGrid; every pixel for the dense CNN methods) and the
 * `track.run` params. The methods themselves, with defaults and explanations, are in lib/dic-methods.ts.
 */
import type { CallInput } from '../../../shared/contract';
import type { Size } from '../composables/useViewport';
import { METHODS, MODEL_ID_PATTERN, PASSES_MAX, PASSES_MIN, SYMMETRY_COUNTS, usesIcgn, type TrackMethod } from './dic-methods';
import type { RoiRect } from './roi';

export { METHOD_IDS, METHODS, SYMMETRY_COUNTS, SYMMETRY_LABELS, isTrackMethod, trackerModels, type MethodInfo, type TrackMethod } from './dic-methods';
export type TrackParams = CallInput<'track.run'>['params'];

export const DEFAULT_STEP = 4;
export const STEP_HELP = 'Distance between measured points; the map is interpolated between them. 1 = every pixel (slow).';
export const DENSE_STEP_NOTE = 'Every pixel of the ROI is measured: the network gives a dense field, so there is no grid step.';
export const STRAIN_HELP = 'Optional virtual strain gauge: a plane is fitted to u, v over this square. Empty = no strain.';
/** Limits of the contract's TrackParamsSchema. */
export const STEP_MAX = 1000;
export const STRAIN_MIN = 3;
export const STRAIN_MAX = 401;

/**
 * The typed text of the method-specific fields (kept per method, so switching back restores them). A field
 * the method does not have is '' (search for the CNNs, model, passes and symmetry for the classical methods,
 * symmetry for cnn+icgn).
 */
export interface MethodForm {
  /** window, subset or quality window, px */
  window: string;
  search: string;
  /** model id from models.list */
  model: string;
  passes: string;
  /** orientations averaged on the last CNN pass: '1', '4' or '8' */
  symmetry: string;
}
/** The typed text of the fields every method shares. */
export interface CommonForm {
  step: string;
  /** '' = no strain */
  strainWindow: string;
}
export type ParamField = 'window' | 'search' | 'model' | 'passes' | 'symmetry' | 'step' | 'strainWindow';

export interface ParamValues {
  window: number;
  /** null for the methods without a search radius */
  search: number | null;
  /** the step the core uses: 1 for the dense CNN methods, whatever the common form says */
  step: number;
  strainWindow: number | null;
  model: string | null;
  passes: number | null;
  symmetry: number | null;
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
  const text = (v: number | string | null) => (v === null ? '' : String(v));
  return { window: text(d.window), search: text(d.search), model: text(d.model), passes: text(d.passes), symmetry: text(d.symmetry) };
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

/** Border each grid point needs, px: as the kernels' `margin` in src/core/track; 0 for the dense CNN field. */
export function methodMargin(method: TrackMethod, v: Pick<ParamValues, 'window' | 'search'>): number {
  if (METHODS[method].dense) return 0;
  return usesIcgn(method) ? (v.window - 1) / 2 + 2 : (v.window - 1) / 2 + (v.search ?? 0);
}

/**
 * What the panel knows of the installed tracker models (lib/dic-methods.ts trackerModels of `models.list`):
 * their ids, or null while the list is not known (then only the id's spelling is checked; the core checks
 * the rest).
 */
export type KnownModels = readonly string[] | null;

function checkModel(method: TrackMethod, text: string, models: KnownModels): string | undefined {
  const model = text.trim();
  const example = METHODS[method].defaults.model;
  if (models && models.length === 0) {
    return 'No displacement model is installed (the model list has none), so the CNN methods cannot run; add one under Settings → Models or use a classical method.';
  }
  if (model === '') return `Choose a model, e.g. ${example}.`;
  if (!MODEL_ID_PATTERN.test(model)) return `The model "${model}" of ${method} must be a model id from models/manifest.json, e.g. "${example}".`;
  if (models && !models.includes(model)) return `The model "${model}" is not installed; choose one of ${models.join(', ')}.`;
  return undefined;
}

/**
 * Checks the form for `method`. With the image size, also whether the window fits, as the core will
 * check; with the installed tracker models, whether the chosen one is among them. Errors are sentences
 * naming the field's value and a fix.
 */
export function validateParams(method: TrackMethod, m: MethodForm, c: CommonForm, img: Size | null, models: KnownModels = null): Validation {
  const info = METHODS[method];
  const errors: Validation['errors'] = {};
  const notes: Validation['notes'] = {};
  const name = info.windowLabel.toLowerCase();

  const window = wholeNumber(m.window);
  if (m.window.trim() === '') errors.window = `Enter the ${name} size in px, e.g. ${info.defaults.window}.`;
  else if (window === null) errors.window = `The ${name} size must be a whole number of pixels, e.g. ${info.defaults.window}.`;
  else if (window === 0 && info.windowOption === 'qualityWindow') notes.window = 'No quality map: the field alone, a little faster (quality.tif is all NaN).';
  else if (window % 2 === 0) errors.window = `The ${name} size must be odd so it has a centre pixel: use ${window - 1} or ${window + 1}.`;
  else if (window < info.minWindow) errors.window = `The ${name} size must be at least ${info.minWindow} px.`;
  else if (window > info.maxWindow) errors.window = `The ${name} size must be at most ${info.maxWindow} px.`;

  let search: number | null = null;
  if (info.searchHelp !== null) {
    search = wholeNumber(m.search);
    if (m.search.trim() === '') errors.search = `Enter the search radius in px, e.g. ${info.defaults.search}.`;
    else if (search === null || search < 1) errors.search = 'The search radius must be a whole number of pixels, at least 1.';
    else if (search > info.maxSearch) errors.search = `The search radius must be at most ${info.maxSearch} px.`;
  }

  let model: string | null = null;
  if (info.modelHelp !== null) {
    const e = checkModel(method, m.model, models);
    if (e) errors.model = e;
    else model = m.model.trim();
  }

  let passes: number | null = null;
  if (info.passesHelp !== null) {
    passes = wholeNumber(m.passes);
    if (m.passes.trim() === '') errors.passes = `Enter the number of passes, e.g. ${info.defaults.passes}.`;
    else if (passes === null || passes < PASSES_MIN || passes > PASSES_MAX) {
      errors.passes = `The number of CNN passes must be a whole number from ${PASSES_MIN} to ${PASSES_MAX}; each pass after the first refines the field on the warped image.`;
    }
  }

  let symmetry: number | null = null;
  if (info.symmetryHelp !== null) {
    symmetry = wholeNumber(m.symmetry);
    if (m.symmetry.trim() === '') errors.symmetry = `Choose the symmetry averaging, e.g. ${info.defaults.symmetry}.`;
    else if (symmetry === null || !(SYMMETRY_COUNTS as readonly number[]).includes(symmetry)) {
      errors.symmetry = `The symmetry averaging ${m.symmetry.trim()} must be 1 (off), 4 (flips) or 8 (flips and transposes).`;
    }
  }

  // the dense methods measure every pixel: the typed step is kept for the other methods but not used
  let step: number | null = 1;
  if (!info.dense) {
    step = wholeNumber(c.step);
    if (c.step.trim() === '') errors.step = `Enter the grid step in px, e.g. ${DEFAULT_STEP}.`;
    else if (step === null || step < 1 || step > STEP_MAX) errors.step = `The grid step must be a whole number of pixels from 1 to ${STEP_MAX}.`;
  }

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

  if (img && window !== null && !errors.window && !errors.search) {
    const side = Math.min(img.width, img.height);
    if (usesIcgn(method)) {
      if (window + 4 > side) {
        errors.window = `A ${window} px subset plus its 2 px gradient border does not fit the ${img.width} × ${img.height} px image; use at most ${largestOdd(side - 4)} px.`;
      }
    } else if (search !== null && window + 2 * search > side) {
      errors.search = `The ${window} px window plus twice the ${search} px search needs ${window + 2 * search} px, more than the ${img.width} × ${img.height} px image; reduce one of them.`;
    }
  }

  const ok = Object.keys(errors).length === 0;
  return {
    errors,
    notes,
    values: ok ? { window: window!, search, step: step!, strainWindow: strain, model, passes, symmetry } : null,
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

/**
 * The grid the core will measure (src/core/track/grid.ts buildGrid): every `step` px, inside the margin
 * and ROI; for the dense CNN methods every pixel of the ROI (src/core/track/cnn.ts: step 1, no margin).
 */
export function gridEstimate(method: TrackMethod, v: ParamValues, img: Size, roi: RoiRect | null): GridEstimate {
  const margin = methodMargin(method, v);
  const step = METHODS[method].dense ? 1 : v.step;
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

/** The method's options for `track.run`, named as the core names them; tile and overlap are left to the core. */
export function methodOptions(method: TrackMethod, v: ParamValues): Record<string, number | string> {
  const info = METHODS[method];
  const options: Record<string, number | string> = { [info.windowOption]: v.window };
  if (info.searchHelp !== null && v.search !== null) options.search = v.search;
  if (info.modelHelp !== null && v.model !== null) options.model = v.model;
  if (info.passesHelp !== null && v.passes !== null) options.passes = v.passes;
  if (info.symmetryHelp !== null && v.symmetry !== null) options.symmetry = v.symmetry;
  return options;
}

/** The `track.run` params for a validated form. */
export function toTrackParams(method: TrackMethod, v: ParamValues, refPath: string, defPath: string, roi: RoiRect | null): TrackParams {
  const params: TrackParams = {
    refPath,
    defPath,
    method,
    options: methodOptions(method, v),
    // the dense methods send 1, so the core does not report a step it could not use
    step: METHODS[method].dense ? 1 : v.step,
  };
  if (roi) params.roi = { x: roi.x, y: roi.y, width: roi.width, height: roi.height };
  if (v.strainWindow !== null) params.strainWindow = v.strainWindow;
  return params;
}

/** A fresh task id for `track.run` (the contract allows up to 64 characters). */
export function newTaskId(now = Date.now(), random = Math.random()): string {
  return `dic-${now.toString(36)}-${Math.floor(random * 36 ** 6).toString(36).padStart(6, '0')}`;
}
