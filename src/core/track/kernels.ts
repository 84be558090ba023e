/**
 * @file The registry of tracking kernels by method name, and each method's defaults. Worker threads import
 * this too, so it must stay free of main-thread state.
 */
import type { MethodOptions, TrackKernel, TrackMethod } from './types';
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
