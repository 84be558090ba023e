/**
 * @file Runs a tracking job's tiles on worker threads (see Note: Kernels and the framework, in types.ts).
 * Images are copied once into SharedArrayBuffers; each worker prepares the kernel itself (cheap next to
 * tracking) and takes the next tile when it finishes one, so uneven tiles still balance. Cancelling
 * terminates the workers at once: a synchronous kernel cannot be interrupted any other way.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tsxExecArgv } from '../compute/ts-loader';
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import type { TaskContext } from '../progress';
import { throwIfCancelled } from '../progress';
import { prepareJob, runTileOf, type KernelJob } from './tile-runner';
import type { Tile, TileOutput } from './types';
import type { WorkerReply, WorkerRequest } from './worker';

function shared(img: GreyImage): GreyImage {
  if (img.data.buffer instanceof SharedArrayBuffer) return img;
  const data = new Float32Array(new SharedArrayBuffer(img.data.byteLength));
  data.set(img.data);
  return { width: img.width, height: img.height, data };
}

/** The worker entry: a built .js beside the bundle (Electron sets LAB_TRACK_WORKER), else the .ts via tsx. */
function workerEntry(): { file: string; execArgv: string[] } {
  if (process.env.LAB_TRACK_WORKER) return { file: process.env.LAB_TRACK_WORKER, execArgv: [] };
  return { file: fileURLToPath(new URL('./worker.ts', import.meta.url)), execArgv: tsxExecArgv() };
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Measures every tile. `threads` 0 runs in this thread (tests, tiny jobs), yielding between tiles so a
 * cancel is noticed; otherwise up to `threads` workers.
 */
export async function runTiles(job: KernelJob, tiles: Tile[], ctx: TaskContext, threads = defaultThreads()): Promise<TileOutput[]> {
  const results: TileOutput[] = new Array(tiles.length);
  let done = 0;
  const tick = () => ctx.progress.report(++done / tiles.length, `${done} of ${tiles.length} tiles`);

  if (threads === 0 || tiles.length === 1) {
    const prep = prepareJob(job);
    for (let k = 0; k < tiles.length; k++) {
      throwIfCancelled(ctx.signal);
      results[k] = runTileOf(job, prep, tiles[k]);
      tick();
      await new Promise((r) => setImmediate(r));
    }
    return results;
  }

  throwIfCancelled(ctx.signal);
  const sharedJob: KernelJob = { ...job, refs: job.refs.map(shared), defs: job.defs.map(shared) };
  const entry = workerEntry();
  const n = Math.min(threads, tiles.length);
  const workers: Worker[] = [];
  let next = 0;

  return new Promise<TileOutput[]>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(results);
    };
    const onAbort = () => finish(Object.assign(new Error('The task was cancelled.'), { name: 'AbortError' }));
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const feed = (w: Worker) => {
      if (next < tiles.length) {
        const index = next++;
        w.postMessage({ type: 'tile', index, tile: tiles[index] } satisfies WorkerRequest);
      }
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(entry.file, { execArgv: entry.execArgv });
      workers.push(w);
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') feed(w);
        else if (m.type === 'error') finish(new LabError(m.code as never, m.message));
        else {
          results[m.index] = m.out;
          tick();
          if (done === tiles.length) finish();
          else feed(w);
        }
      });
      w.on('error', (e) => finish(new LabError('E_INTERNAL', `A tracking worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!settled && code !== 0) finish(new LabError('E_INTERNAL', `A tracking worker stopped (exit code ${code}).`));
      });
      w.postMessage({ type: 'init', job: sharedJob } satisfies WorkerRequest);
    }
  });
}
