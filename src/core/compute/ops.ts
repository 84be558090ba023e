/**
 * @file The operations the compute host can run, by name. Each takes plain structured-clone data and a
 * TaskContext, and returns plain data. New capabilities (trackers, restoration) add an entry here.
 */
import type { TaskContext } from '../progress';
import { probeExecutionProvider } from '../infer/probe';
import { PROVIDERS_ENV, providerOrder } from '../infer/providers';
import { disposeOtherProviders } from '../infer/session-pool';
import { activeRunCount } from './host-runtime';
import { openResultFolder } from '../results/open-result';
import { openImageFile } from '../tasks/open-image';
import { runSimulatePairTask, type SimulatePairTaskParams } from '../tasks/simulate-pair-task';
import { runTrackTask, type TrackTaskParams } from '../tasks/track-task';
import { reportOps } from './report-ops';
import { restoreOps } from './restore-ops';
import { watchTaskOp } from './watch-ops';
import { xpciOps } from './xpci-ops';

export type Op = (input: unknown, ctx: TaskContext) => Promise<unknown>;
export type OpTable = Record<string, Op>;

export const ops: OpTable = {
  'image.open': async (input) => openImageFile((input as { path: string }).path),
  'simulate.pair': async (input, ctx) => runSimulatePairTask(input as SimulatePairTaskParams, ctx),
  'ort.probe': async () => probeExecutionProvider(),
  /**
   * The provider order for sessions created from now on (Note: Provider preference, settings-handlers.ts).
   * Sessions made with another order are released when nothing else runs (so a GPU's memory is given
   * back); while a run may be using one they stay pooled, unused, until the next change or the end.
   */
  'providers.set': async (input) => {
    const { providers } = input as { providers: string[] };
    process.env[PROVIDERS_ENV] = providers.join(',');
    const now = providerOrder();
    if (activeRunCount() <= 1) await disposeOtherProviders(now);
    return now;
  },
  'track.run': async (input, ctx) => runTrackTask(input as TrackTaskParams, ctx),
  'result.open': async (input) => openResultFolder((input as { dir: string }).dir),
  /** one task of a watch job (watch-ops.ts) */
  'watch.task': watchTaskOp,
  /** SEM deblurring and super-resolution (restore-ops.ts) */
  ...restoreOps,
  /** X-ray phase: run, simulate, line profile (xpci-ops.ts) */
  ...xpciOps,
  /** report export: build, draw and write under temporary names (report-ops.ts) */
  ...reportOps,
};
