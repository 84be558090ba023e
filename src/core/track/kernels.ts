/**
 * @file The registry of tracking kernels by method name, and each method's defaults (the CNN trackers'
 * too, though they are not kernels: cnn.ts). Worker threads import this too, so it must stay free of
 * main-thread state, and must not import ONNX Runtime.
 */
import type { AnyTrackMethod, CnnMethod, CnnMethodOptions, MethodOptions, TrackKernel, TrackMethod } from './types';
import { icgnKernel } from './icgn';
import { umpaKernel } from './umpa';
import { znccKernel } from './zncc';

export const KERNELS: { [M in TrackMethod]: TrackKernel<M, any> } = {
  zncc: znccKernel,
  umpa: umpaKernel,
  icgn: icgnKernel,
};

/** Defaults a lab user can start from; the CLI and the UI show them. */
export const DEFAULT_OPTIONS: MethodOptions = {
  zncc: { window: 21, search: 8, subpixel: 'gaussian', minQuality: 0.5 },
  umpa: { window: 11, search: 5, darkField: true },
  icgn: { subset: 21, search: 32, maxIterations: 30, tolerance: 1e-3, minZncc: 0.7 },
};

export const TRACK_METHODS = Object.keys(KERNELS) as TrackMethod[];

/**
 * Defaults of the CNN trackers (Note: CNN trackers, cnn.ts). overlap 0 = chosen from the model
 * (cnn-model.ts `autoOverlap`); cnn+icgn's IC-GN settings are IC-GN's own defaults. Tiles of 1024 px: the
 * blended overlap (96 px for dicnet-s) is computed twice, so 512 px tiles recomputed 2.25× the pixels of a
 * 1024² image and took about 3× as long on CPU as one 1024 px tile (measured: 13.1 s vs 4.0 s inference,
 * dicnet-s); a 1024² tile of dicnet-s needs about 0.7 GB. Smaller tiles remain an option for small GPUs.
 * Both trackers run 3 passes with 8 orientations on the last by default: on the bench's large-displacement
 * section dicnet-s goes from MAE 0.22 px in one pass to 0.045 px (DICNet's paper: 0.064), cade-xst-s on the
 * CADE protocol from RMSE 0.125 to 0.012 px, each for 10 network runs instead of 1 (`passes: 1, symmetry: 1`
 * is the fast mode).
 */
export const CNN_DEFAULT_OPTIONS: CnnMethodOptions = {
  'cnn-dic': { model: 'dicnet-s', tile: 1024, overlap: 0, qualityWindow: 15, passes: 3, symmetry: 8 },
  'cnn-xst': { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 15, passes: 3, symmetry: 8 },
  'cnn+icgn': {
    model: 'dicnet-s',
    tile: 1024,
    overlap: 0,
    subset: DEFAULT_OPTIONS.icgn.subset,
    maxIterations: DEFAULT_OPTIONS.icgn.maxIterations,
    tolerance: DEFAULT_OPTIONS.icgn.tolerance,
    minZncc: DEFAULT_OPTIONS.icgn.minZncc,
  },
};

export const CNN_METHODS = Object.keys(CNN_DEFAULT_OPTIONS) as CnnMethod[];
/** Every method `trackField` accepts: the classical kernels, then the CNN trackers. */
export const ALL_TRACK_METHODS: AnyTrackMethod[] = [...TRACK_METHODS, ...CNN_METHODS];

export function isCnnMethod(method: string): method is CnnMethod {
  return (CNN_METHODS as string[]).includes(method);
}
