/**
 * @file Runs one kernel over tiles: the part shared by the worker threads and the in-process path.
 */
import type { GreyImage } from '../imageio/types';
import { KERNELS } from './kernels';
import type { GridSpec, MethodOptions, Tile, TileOutput, TrackMethod } from './types';

export interface KernelJob {
  method: TrackMethod;
  opts: MethodOptions[TrackMethod];
  refs: GreyImage[];
  defs: GreyImage[];
  grid: GridSpec;
  /** nx*ny ROI flags */
  active: Uint8Array;
}

export function prepareJob(job: KernelJob): unknown {
  const kernel = KERNELS[job.method];
  return kernel.prepare(job.refs, job.defs, job.opts as never);
}

export function runTileOf(job: KernelJob, prep: unknown, tile: Tile): TileOutput {
  const kernel = KERNELS[job.method];
  const n = tile.ni * tile.nj;
  const nan = () => new Float32Array(n).fill(Number.NaN);
  const out: TileOutput = { u: nan(), v: nan(), quality: nan(), extra: {} };
  for (const name of kernel.extraOutputs) out.extra[name] = nan();
  const active = new Uint8Array(n);
  for (let j = 0; j < tile.nj; j++) {
    for (let i = 0; i < tile.ni; i++) active[j * tile.ni + i] = job.active[(tile.j0 + j) * job.grid.nx + tile.i0 + i];
  }
  kernel.runTile(prep as never, job.grid, tile, active, out, job.opts as never);
  return out;
}
