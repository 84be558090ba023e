/**
 * @file The X-ray phase calls of the contract (`xpci.run`, `xpci.profile`, `xpci.simulate`), split out of
 * handlers.ts like restore-handlers.ts. A run or a simulation is a job in the app's job store like
 * `track.run`: created, marked running, its progress sent as `task.progress` under the renderer's taskId,
 * cancellable with `task.cancel`, its result folder under the app's results directory unless named. A run
 * answers with the result folder opened like `result.open` (maps fetched by URL) and, when the sample image
 * came from `simulate.xpci`, the simulation folder holding the ground truth.
 */
import { join } from 'node:path';
import type { CallInputParsed, CallOutput } from '../../shared/contract';
import type { ResultFile } from '../results/result-folder';
import type { ResultMap } from '../results/open-result';
import type { BackendDeps, RunJob } from './handlers';

type Opened = { dir: string; kind: string; result: Record<string, unknown>; maps: ResultMap[] };

export interface XpciHandlerContext {
  deps: BackendDeps;
  runJob: RunJob;
  newResultDir(kind: string): string;
  publishResult(r: Opened): CallOutput<'result.open'>;
  /** tracker threads from Settings (undefined = every core), as track.run uses them */
  trackerThreads(): Promise<number | undefined>;
}

type XpciCalls = 'xpci.run' | 'xpci.profile' | 'xpci.simulate';

export function xpciHandlers(c: XpciHandlerContext): { [N in XpciCalls]: (input: CallInputParsed<N>) => Promise<CallOutput<N>> } {
  const { deps } = c;

  return {
    'xpci.run': async ({ taskId, params }) => {
      const outDir = params.outDir ?? c.newResultDir(`xpci-${params.method}`);
      const geometry: Record<string, number> = { pixelUm: params.pixelUm, distanceM: params.distanceM, energyKeV: params.energyKeV };
      if (params.sourceDistanceM !== undefined) geometry.sourceM = params.sourceDistanceM;
      const input: Record<string, unknown> = {
        refPaths: [params.refPath],
        samplePaths: [params.samplePath],
        geometry,
        method: params.method,
        options: params.options,
        step: params.step,
        integrator: params.integrator,
        threads: await c.trackerThreads(),
        outDir,
      };
      if (params.roi) input.roi = params.roi;
      if (params.delta !== undefined) input.delta = params.delta;
      return c.runJob<{ outDir: string; files: ResultFile[]; messages: string[] }, CallOutput<'xpci.run'>>(
        taskId,
        'xpci',
        { ...params, outDir },
        'xpci.run',
        input,
        async (res, jobId) => {
          const opened = await deps.compute.run<Opened>('result.open', { dir: res.outDir });
          const { truthDir } = await deps.compute.run<{ truthDir: string | null }>('xpci.truthDir', { dir: res.outDir });
          return { jobId, opened: c.publishResult(opened), messages: res.messages ?? [], truthDir };
        },
      );
    },

    'xpci.profile': async ({ dir, line }) => deps.compute.run<CallOutput<'xpci.profile'>>('xpci.profile', { dir, line }),

    'xpci.simulate': async ({ taskId, params }) => {
      const outDir = params.outDir ?? c.newResultDir(`simulate-xpci-${params.sample}`);
      const input = { outDir, width: params.width, height: params.height, sample: { kind: params.sample }, seed: params.seed };
      return c.runJob<{ outDir: string; files: ResultFile[]; description: Record<string, unknown> }, CallOutput<'xpci.simulate'>>(
        taskId,
        'simulate.xpci',
        { ...params, outDir },
        'xpci.simulate',
        input,
        async (res, jobId) => {
          const o = (res.description as { options: Record<string, unknown> }).options;
          return {
            jobId,
            outDir: res.outDir,
            refPath: join(res.outDir, 'reference.tif'),
            samplePath: join(res.outDir, 'sample.tif'),
            geometry: {
              pixelUm: o.pixelUm as number,
              distanceM: o.distanceM as number,
              energyKeV: o.energyKeV as number,
              sourceDistanceM: typeof o.sourceM === 'number' ? o.sourceM : null,
            },
          };
        },
      );
    },
  };
}
