/**
 * @file Test helper: runs one tracking kernel over a whole grid in this process, as a single tile with
 * every point active, without the worker pool. The grid starts `margin` px from the top-left corner and
 * covers the image at `step`, as grid.ts would lay it out for the whole image.
 */
import type { GreyImage } from '../../imageio/types';
import type { GridSpec, MethodOptions, TileOutput, TrackKernel, TrackMethod } from '../types';

export interface KernelRun {
  grid: GridSpec;
  out: TileOutput;
  /** milliseconds spent in prepare + runTile */
  ms: number;
}

/** Builds the grid (margin from every border, `step` apart), validates, prepares and runs one tile. */
export function runKernel<M extends TrackMethod, P>(
  kernel: TrackKernel<M, P>,
  refs: GreyImage[],
  defs: GreyImage[],
  opts: MethodOptions[M],
  step = 1,
  active?: Uint8Array,
): KernelRun {
  const { width, height } = refs[0];
  kernel.validate(opts, width, height);
  const m = kernel.margin(opts);
  const nx = Math.floor((width - 1 - 2 * m) / step) + 1;
  const ny = Math.floor((height - 1 - 2 * m) / step) + 1;
  const grid: GridSpec = { x0: m, y0: m, step, nx, ny };
  const n = nx * ny;
  const nan = () => new Float32Array(n).fill(Number.NaN);
  const out: TileOutput = { u: nan(), v: nan(), quality: nan(), extra: {} };
  for (const name of kernel.extraOutputs) out.extra[name] = nan();
  const t0 = performance.now();
  const prep = kernel.prepare(refs, defs, opts);
  kernel.runTile(prep, grid, { i0: 0, j0: 0, ni: nx, nj: ny }, active ?? new Uint8Array(n).fill(1), out, opts);
  return { grid, out, ms: performance.now() - t0 };
}

/** Median of the finite values of a list (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** Error statistics of a measured component against a constant truth: median |error|, RMS, bias, valid share. */
export function errorStats(measured: Float32Array, truth: number): { medianAbs: number; rms: number; bias: number; valid: number } {
  const e: number[] = [];
  for (const m of measured) if (Number.isFinite(m)) e.push(m - truth);
  const rms = Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);
  const bias = e.reduce((s, x) => s + x, 0) / e.length;
  return { medianAbs: median(e.map(Math.abs)), rms, bias, valid: e.length / measured.length };
}
