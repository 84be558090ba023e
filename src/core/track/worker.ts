/**
 * @file Worker-thread entry for tracking (see Note: Kernels and the framework, in types.ts). Receives the
 * job once (images in SharedArrayBuffers, so N threads do not copy them N times), prepares the kernel,
 * then measures tiles on request until the pool terminates it.
 */
import { parentPort } from 'node:worker_threads';
import { toLabError } from '../errors';
import { prepareJob, runTileOf, type KernelJob } from './tile-runner';
import type { Tile } from './types';

export type WorkerRequest = { type: 'init'; job: KernelJob } | { type: 'tile'; index: number; tile: Tile };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'tile'; index: number; out: import('./types').TileOutput }
  | { type: 'error'; code: string; message: string };

if (parentPort) {
  const port = parentPort;
  let job: KernelJob | null = null;
  let prep: unknown = null;
  port.on('message', (msg: WorkerRequest) => {
    try {
      if (msg.type === 'init') {
        job = msg.job;
        prep = prepareJob(job);
        port.postMessage({ type: 'ready' } satisfies WorkerReply);
      } else if (msg.type === 'tile' && job) {
        const out = runTileOf(job, prep, msg.tile);
        const buffers = [out.u, out.v, out.quality, ...Object.values(out.extra)].map((a) => a.buffer as ArrayBuffer);
        port.postMessage({ type: 'tile', index: msg.index, out } satisfies WorkerReply, buffers);
      }
    } catch (err) {
      const e = toLabError(err);
      port.postMessage({ type: 'error', code: e.code, message: e.message } satisfies WorkerReply);
    }
  });
}
