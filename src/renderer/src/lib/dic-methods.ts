/**
 * @file The tracking methods the DIC method panel offers (every method of the contract's TrackMethodSchema:
 * the classical kernels and the CNN trackers), each with its defaults (src/core/track/kernels.ts
 * DEFAULT_OPTIONS and CNN_DEFAULT_OPTIONS), a one-line summary that is honest about accuracy, and a short
 * explanation of every parameter it takes. What the CNN methods do is explained in the core's notes:
 * "CNN trackers" (cnn.ts), "CNN refinement passes" (cnn-warp.ts), "Symmetry averaging" (cnn-symmetry.ts),
 * "CNN-seeded IC-GN" (cnn-icgn.ts).
 */
import type { CallInput } from '../../../shared/contract';

export type TrackMethod = 'icgn' | 'zncc' | 'umpa' | 'cnn-dic' | 'cnn-xst' | 'cnn+icgn';
// Fails to compile when the contract gains or loses a method, so the panel cannot silently fall behind.
type ContractMethod = CallInput<'track.run'>['params']['method'];
const sameMethods: [TrackMethod, ContractMethod] extends [ContractMethod, TrackMethod] ? true : never = true;
void sameMethods;

export interface MethodInfo {
  id: TrackMethod;
  /** the method's name, as the method select and the result summary show it */
  label: string;
  /** one line: what it is, how accurate, when to use it */
  summary: string;
  /** the core's option name for the window field (IC-GN calls it a subset; the CNNs' window only rates the field) */
  windowOption: 'subset' | 'window' | 'qualityWindow';
  windowLabel: string;
  windowHelp: string;
  /** null: the method has no search radius (a CNN predicts the displacement at every pixel) */
  searchHelp: string | null;
  /** null: no network to choose */
  modelHelp: string | null;
  /** null: a single network pass, no refinement to set */
  passesHelp: string | null;
  /** null: no symmetry averaging to set (the classical methods; cnn+icgn's IC-GN does the fine work) */
  symmetryHelp: string | null;
  /** true: every pixel of the ROI is measured and the grid step is not used (src/core/track/cnn.ts) */
  dense: boolean;
  defaults: { window: number; search: number | null; model: string | null; passes: number | null; symmetry: number | null };
  minWindow: number;
  maxWindow: number;
  maxSearch: number;
}

/** Limits of the CNN options, as src/core/track/cnn-method.ts validateCnnOptions checks them. */
export const PASSES_MIN = 1;
export const PASSES_MAX = 5;
/** The orientation counts of the symmetry averaging (src/core/track/cnn-symmetry.ts SYMMETRY_COUNTS). */
export const SYMMETRY_COUNTS = [1, 4, 8] as const;
/** How each count is named in the method panel's select (short: it is a narrow one). */
export const SYMMETRY_LABELS: Record<string, string> = { '1': '1 (off)', '4': '4 (flips)', '8': '8 (all)' };
/** The manifest's model ids, as the core accepts them. */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const IC_GN_SUBSET_HELP = 'Square subset matched around each point. Larger: less noise, less detail.';
const QUALITY_WINDOW_HELP = 'Only rates the field: warp-back ZNCC over this square (quality map). Does not change u, v. 0 = no quality map (a fifth faster in one pass).';
const PASSES_HELP = 'Network runs, 1–5: each pass after the first measures what is left on the image warped back by the field so far.';
const SYMMETRY_HELP =
  'Average the answers for the pair’s 8 orientations (flips, transposes) on the last pass: about half the noise of one, 8× the network time for that pass. 1 = off.';

export const METHODS: Record<TrackMethod, MethodInfo> = {
  icgn: {
    id: 'icgn',
    label: 'IC-GN (subset DIC)',
    summary: 'Subset DIC, inverse-compositional Gauss-Newton: most accurate, sub-0.01 px.',
    windowOption: 'subset',
    windowLabel: 'Subset',
    windowHelp: IC_GN_SUBSET_HELP,
    searchHelp: 'Largest displacement the FFT initial guess finds at seed points.',
    modelHelp: null,
    passesHelp: null,
    symmetryHelp: null,
    dense: false,
    defaults: { window: 21, search: 32, model: null, passes: null, symmetry: null },
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
    modelHelp: null,
    passesHelp: null,
    symmetryHelp: null,
    dense: false,
    defaults: { window: 21, search: 8, model: null, passes: null, symmetry: null },
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
    modelHelp: null,
    passesHelp: null,
    symmetryHelp: null,
    dense: false,
    defaults: { window: 11, search: 5, model: null, passes: null, symmetry: null },
    minWindow: 3,
    maxWindow: Number.POSITIVE_INFINITY,
    maxSearch: Number.POSITIVE_INFINITY,
  },
  'cnn-dic': {
    id: 'cnn-dic',
    label: 'CNN-DIC (DICNet, large displacements)',
    summary: 'DIC speckle network: dense, displacements up to ±16 px; by default 3 passes with 8 orientations averaged on the last: MAE 0.045 px on the large-displacement bench (1 pass, the fast mode: 0.22 px, about 0.9 s per megapixel on 2 CPU cores).',
    windowOption: 'qualityWindow',
    windowLabel: 'Quality window',
    windowHelp: QUALITY_WINDOW_HELP,
    searchHelp: null,
    modelHelp: 'Trained network from the model list; dicnet-s is trained for DIC speckle within ±16 px.',
    passesHelp: PASSES_HELP,
    symmetryHelp: SYMMETRY_HELP,
    dense: true,
    defaults: { window: 15, search: null, model: 'dicnet-s', passes: 3, symmetry: 8 },
    minWindow: 3,
    maxWindow: 101,
    maxSearch: 0,
  },
  'cnn-xst': {
    id: 'cnn-xst',
    label: 'CNN-XST (X-ray speckle, CADE-style)',
    summary:
      'X-ray speckle network: dense, sub-pixel within ±1 px only; by default 3 refinement passes (remove the shipped model’s ~0.2 px mid-range bias) and 8 orientations averaged: RMSE 0.012 px on the CADE protocol (ZNCC there: 0.011 px).',
    windowOption: 'qualityWindow',
    windowLabel: 'Quality window',
    windowHelp: QUALITY_WINDOW_HELP,
    searchHelp: null,
    modelHelp: 'Trained network from the model list; cade-xst-s is trained for X-ray speckle within ±1 px.',
    passesHelp: PASSES_HELP,
    symmetryHelp: SYMMETRY_HELP,
    dense: true,
    defaults: { window: 15, search: null, model: 'cade-xst-s', passes: 3, symmetry: 8 },
    minWindow: 3,
    maxWindow: 101,
    maxSearch: 0,
  },
  'cnn+icgn': {
    id: 'cnn+icgn',
    label: 'CNN+IC-GN (CNN-seeded IC-GN)',
    summary: 'CNN guess at every point, IC-GN accuracy: reaches large or fast-varying fields where IC-GN’s own search fails.',
    windowOption: 'subset',
    windowLabel: 'Subset',
    windowHelp: IC_GN_SUBSET_HELP,
    searchHelp: null,
    modelHelp: 'Network that gives IC-GN its starting guess; dicnet-s reaches ±16 px.',
    passesHelp: null,
    symmetryHelp: null,
    dense: false,
    defaults: { window: 21, search: null, model: 'dicnet-s', passes: null, symmetry: null },
    minWindow: 5,
    maxWindow: 201,
    maxSearch: 0,
  },
};

export const METHOD_IDS = Object.keys(METHODS) as TrackMethod[];

export function isTrackMethod(m: unknown): m is TrackMethod {
  return typeof m === 'string' && (METHOD_IDS as string[]).includes(m);
}

/** The subset methods (IC-GN, alone or seeded by a CNN) share IC-GN's border and fit rules. */
export function usesIcgn(method: TrackMethod): boolean {
  return method === 'icgn' || method === 'cnn+icgn';
}

/** Manifest task of the models a CNN tracker can run (src/core/track/cnn-model.ts openTrackerModel). */
export const TRACKER_MODEL_TASK = 'displacement';

/** The models of a `models.list` answer that can serve as trackers, in the order listed. */
export function trackerModels<M extends { id: string; task: string }>(models: readonly M[]): M[] {
  return models.filter((m) => m.task === TRACKER_MODEL_TASK);
}
