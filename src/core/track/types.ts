/**
 * @file Types shared by every displacement engine (ZNCC, UMPA, IC-GN, later the CNN trackers).
 *
 * Note: Tracking convention. Displacement u = (u, v) in pixels with I_def(x + u) = I_ref(x): u is the
 * motion of the pattern from the reference to the deformed (sample) image, measured at reference position
 * x. x = column (right), y = row (down), origin at the centre of the top-left pixel. Invalid points (window
 * leaves the image, outside the ROI, not converged, low correlation) are NaN, never 0.
 *
 * Note: Kernels and the framework. A method is a `TrackKernel`: `prepare` does per-image work once
 * (B-spline coefficients, gradients, integral images), `runTile` measures a rectangular block of grid
 * points synchronously. The framework (track-field.ts) builds the grid from ROI and step, splits it into
 * tiles, runs tiles on worker threads (cancellation = terminating workers, progress = tiles done), and
 * interpolates the grid back to full image size. Reliability-guided methods propagate inside a tile from
 * their own seeds, so tiles stay independent.
 *
 * The CNN trackers (`CnnMethod`, cnn.ts) are not kernels: they run an ONNX model over the whole image in
 * the calling process (Note: CNN trackers, cnn.ts) and return the same `DisplacementField`.
 */
import type { GreyImage } from '../imageio/types';

/** The classical methods: each has a `TrackKernel` (kernels.ts). */
export type TrackMethod = 'zncc' | 'umpa' | 'icgn';
/** CNN trackers (cnn.ts): `cnn-dic` = dicnet-s, `cnn-xst` = cade-xst-s, `cnn+icgn` = CNN guess refined by IC-GN. */
export type CnnMethod = 'cnn-dic' | 'cnn-xst' | 'cnn+icgn';
/** Every method `trackField` accepts. */
export type AnyTrackMethod = TrackMethod | CnnMethod;

/** Rectangle in pixels, or a mask (width*height, 1 = measure). */
export type Roi =
  | { kind: 'rect'; x: number; y: number; width: number; height: number }
  | { kind: 'mask'; mask: Uint8Array };

/** Grid point (i, j) sits at pixel x = x0 + i*step, y = y0 + j*step. */
export interface GridSpec {
  x0: number;
  y0: number;
  step: number;
  nx: number;
  ny: number;
}

/** A block of grid points: i in [i0, i0+ni), j in [j0, j0+nj). */
export interface Tile {
  i0: number;
  j0: number;
  ni: number;
  nj: number;
}

/** Per-tile results, row-major ni*nj; NaN marks an invalid point. */
export interface TileOutput {
  u: Float32Array;
  v: Float32Array;
  /** method's confidence: ZNCC coefficient (ZNCC, IC-GN), 1 − normalised cost (UMPA) */
  quality: Float32Array;
  /** method-specific maps named in `TrackKernel.extraOutputs` (e.g. transmission, darkfield, iterations) */
  extra: Record<string, Float32Array>;
}

export interface ZnccOptions {
  /** full window size N = 2M+1 (odd), px */
  window: number;
  /** integer search radius R, px: candidates in [−R, R]² */
  search: number;
  /** sub-pixel peak estimator on the 3×3 neighbourhood */
  subpixel: 'gaussian' | 'newton';
  /** points whose peak coefficient is below this are NaN */
  minQuality: number;
}

export interface UmpaOptions {
  /** full window size N = 2M+1 (odd), px; Hamming-weighted */
  window: number;
  /** integer search radius R, px */
  search: number;
  /** fit the dark-field model I_s ≈ β⟨I⟩ + K·I_r(r − u) instead of I_s ≈ T·I_r(r − u) */
  darkField: boolean;
}

export interface IcgnOptions {
  /** subset size N = 2M+1 (odd), px */
  subset: number;
  /** search radius for the FFT cross-correlation initial guess at seeds, px */
  search: number;
  maxIterations: number;
  /** convergence threshold on |Δp| (displacement part in px; gradient terms scaled by the subset radius) */
  tolerance: number;
  /** points whose final ZNCC is below this are NaN */
  minZncc: number;
  /**
   * Per-point initial guess (set by `cnn+icgn`, not a user option): replaces the FFT seeds and
   * reliability-guided start (Note: Guessed IC-GN, icgn-guess.ts).
   */
  guess?: IcgnGuess;
}

/** A full-size displacement guess, width*height each, NaN = no guess there (SharedArrayBuffer-backed ideally). */
export interface IcgnGuess {
  width: number;
  height: number;
  u: Float32Array;
  v: Float32Array;
}

export interface MethodOptions {
  zncc: ZnccOptions;
  umpa: UmpaOptions;
  icgn: IcgnOptions;
}

/** Options of `cnn-dic` and `cnn-xst` (Note: CNN trackers, cnn.ts). */
export interface CnnOptions {
  /** model id in models/manifest.json; each method has its default */
  model: string;
  /** largest tile side fed to the model, px (rounded down to the model's stride) */
  tile: number;
  /** least overlap between tiles, px; 0 = chosen from the model (stride and trained displacement range) */
  overlap: number;
  /** side of the window of the quality measure (local ZNCC after warping back), px, odd */
  qualityWindow: number;
  /** network passes, 1–5; each further pass measures the residual on the warped image (Note: CNN refinement passes, cnn-warp.ts) */
  passes: number;
  /** orientations averaged on the last pass: 1, 4 or 8 (Note: Symmetry averaging, cnn-symmetry.ts) */
  symmetry: number;
}

/**
 * Options of `cnn+icgn`: the CNN's (its quality map is not used: IC-GN's ZNCC is the quality), and IC-GN's
 * without its FFT search (the CNN replaces it).
 */
export interface CnnIcgnOptions extends Omit<CnnOptions, 'qualityWindow' | 'passes' | 'symmetry'>, Omit<IcgnOptions, 'search' | 'guess'> {}

export interface CnnMethodOptions {
  'cnn-dic': CnnOptions;
  'cnn-xst': CnnOptions;
  'cnn+icgn': CnnIcgnOptions;
}

/** Options of every method, by name. */
export type AllMethodOptions = MethodOptions & CnnMethodOptions;

/**
 * One method. Implementations live in zncc.ts, umpa.ts, icgn.ts and are registered in kernels.ts.
 * `refs`/`defs` hold one frame each for single-shot methods; UMPA multi-frame uses all of them.
 * Everything here must be structured-clone-friendly and free of closures over main-thread state,
 * because `prepare` and `runTile` run inside worker threads.
 */
export interface TrackKernel<M extends TrackMethod, P = unknown> {
  readonly method: M;
  readonly extraOutputs: readonly string[];
  /** Pixels a grid point needs between itself and the image border (e.g. window half-size + search). */
  margin(opts: MethodOptions[M]): number;
  /** Checks options; throws LabError('E_INVALID_INPUT', sentence naming the option and the fix). */
  validate(opts: MethodOptions[M], width: number, height: number): void;
  prepare(refs: GreyImage[], defs: GreyImage[], opts: MethodOptions[M]): P;
  /** `active[k]` (ni*nj) is 1 where the point is inside the ROI and must be measured; others stay NaN. */
  runTile(prep: P, grid: GridSpec, tile: Tile, active: Uint8Array, out: TileOutput, opts: MethodOptions[M]): void;
}

/** A full-size result: every array is width*height, NaN outside the ROI and at invalid points. */
export interface DisplacementField {
  width: number;
  height: number;
  method: AnyTrackMethod;
  u: Float32Array;
  v: Float32Array;
  quality: Float32Array;
  extra: Record<string, Float32Array>;
  grid: GridSpec;
  /** the grid values before interpolation back to full size (nx*ny each) */
  gridU: Float32Array;
  gridV: Float32Array;
  /** grid points measured (inside ROI) and how many of those are valid */
  measured: number;
  valid: number;
  /** plain-language notes for the user, e.g. "38% of points did not converge: ..." */
  messages: string[];
  timingsMs: Record<string, number>;
  /** CNN methods: the manifest model that ran, its sha256 (as verified), and the execution provider */
  modelId?: string;
  modelSha256?: string;
  provider?: string;
}
