/**
 * @file The restoration calls of the contract (`restore.deblur`, `restore.sr`, `restore.kernelPreview`,
 * `restore.kernels12`), split out of handlers.ts. A run is a job in the app's job store like `track.run`:
 * created, marked running, its progress sent as `task.progress` under the renderer's taskId, cancellable
 * with `task.cancel`, its result folder under the app's results directory unless the caller names one.
 * The answer carries result.json as written and both images (input and the written deblurred.tif /
 * sr.tif) opened through the same path as `image.open`, so the renderer fetches float32 pixels by URL.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallInputParsed, CallOutput } from '../../shared/contract';
import type { ResultFile } from '../results/result-folder';
import type { BackendDeps, RunJob } from './handlers';

type Opened = CallOutput<'image.open'>;
type RunOut = CallOutput<'restore.deblur'>;

export interface RestoreHandlerContext {
  deps: BackendDeps;
  runJob: RunJob;
  newResultDir(kind: string): string;
  openImage(path: string): Promise<Opened>;
}

type RestoreCalls = 'restore.deblur' | 'restore.sr' | 'restore.kernelPreview' | 'restore.kernels12';

export function restoreHandlers(c: RestoreHandlerContext): { [N in RestoreCalls]: (input: CallInputParsed<N>) => Promise<CallOutput<N>> } {
  const { deps } = c;

  /** One restoration job: job row, compute op, result.json, both images opened. */
  async function runJob(
    taskId: string,
    jobKind: string,
    jobParams: Record<string, unknown>,
    op: string,
    opInput: Record<string, unknown>,
    inPath: string,
    imageName: string,
  ): Promise<RunOut> {
    return c.runJob<{ outDir: string; files: ResultFile[]; messages: string[] }, RunOut>(taskId, jobKind, jobParams, op, opInput, async (res, jobId) => {
      const result = JSON.parse(await readFile(join(res.outDir, 'result.json'), 'utf8')) as Record<string, unknown>;
      const [input, output] = await Promise.all([c.openImage(inPath), c.openImage(join(res.outDir, imageName))]);
      const metrics = (result.metrics && typeof result.metrics === 'object' ? result.metrics : {}) as Record<string, unknown>;
      return { jobId, outDir: res.outDir, result, input, output, metrics, messages: res.messages ?? [] };
    });
  }

  return {
    'restore.deblur': async ({ taskId, params }) => {
      const outDir = params.outDir ?? c.newResultDir(`deblur-${params.method}`);
      const options: Record<string, unknown> = { method: params.method };
      for (const [k, v] of Object.entries(params.options)) if (v !== undefined) options[k] = v;
      return runJob(
        taskId,
        'deblur',
        { ...params, outDir },
        'restore.deblur',
        { inPath: params.inPath, ...(params.refPath && { refPath: params.refPath }), options, border: params.border ?? 0, outDir },
        params.inPath,
        'deblurred.tif',
      );
    },

    'restore.sr': async ({ taskId, params }) => {
      const outDir = params.outDir ?? c.newResultDir(`sr-x${params.scale}-${params.method}`);
      const input: Record<string, unknown> = { inPath: params.inPath, scale: params.scale, method: params.method, outDir };
      for (const k of ['kernel', 'noise', 'refPath', 'tile'] as const) if (params[k] !== undefined) input[k] = params[k];
      return runJob(taskId, 'super-resolution', { ...params, outDir }, 'restore.sr', input, params.inPath, 'sr.tif');
    },

    'restore.kernelPreview': async ({ kernel, scale }) => deps.compute.run<CallOutput<'restore.kernelPreview'>>('restore.kernelPreview', { kernel, scale }),

    'restore.kernels12': async () => deps.compute.run<CallOutput<'restore.kernels12'>>('restore.kernels12', {}),
  };
}
