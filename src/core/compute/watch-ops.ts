/**
 * @file The compute host's side of watch jobs: `watch.task` runs one task of a watch job, named by kind
 * with the parameters `taskParams` built (src/core/watch/tasks.ts), through the same in-process task table
 * the CLI uses, so the app and `lab watch` write identical result folders. The back end's dispatcher
 * sends jobs here with `computeRunTask` instead of running them on its own thread.
 */
import type { ComputeClient } from './client';
import type { TaskContext } from '../progress';
import { runTaskInProcess, type RunTask, type TaskResult } from '../watch/tasks';

export interface WatchTaskInput {
  kind: string;
  params: Record<string, unknown>;
}

/** Op `watch.task` (registered in ops.ts). */
export async function watchTaskOp(input: unknown, ctx: TaskContext): Promise<TaskResult> {
  const { kind, params } = input as WatchTaskInput;
  return runTaskInProcess(kind, params, ctx);
}

/** A dispatcher `runTask` that runs each task in the compute host, forwarding progress and cancellation. */
export function computeRunTask(compute: ComputeClient): RunTask {
  return (kind, params, ctx) =>
    compute.run<TaskResult>('watch.task', { kind, params } satisfies WatchTaskInput, {
      signal: ctx.signal,
      onProgress: (fraction, message) => ctx.progress.report(fraction, message),
    });
}
