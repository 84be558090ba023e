/**
 * @file The tasks a watch job can run, and how a rule's task spec plus the job's input files become the
 * parameters of that task. `runTaskInProcess` runs them in this process (the CLI); the app passes its
 * own `runTask` to the dispatcher instead, which sends the same (kind, params) to its compute host, so
 * both produce identical result folders.
 */
import { LabError } from '../errors';
import type { TaskContext } from '../progress';
import type { ResultFile } from '../results/result-folder';
import { runDeblurTask, type DeblurTaskParams } from '../restore/deblur/task';
import type { DeblurOptions } from '../restore/deblur/index';
import { runSrTask, type SrMethod, type SrTaskParams } from '../restore/sr/sr-task';
import { runTrackTask, type TrackTaskParams } from '../tasks/track-task';
import { runXpciTask, type XpciTaskParams } from '../xpci/xpci-task';
import { runInfoTask, type InfoTaskParams } from './info-task';
import { RESERVED_TASKS, type TaskSpec } from './rules';

export type TaskResult = { outDir: string; files: ResultFile[] };
/** Runs one task; must write its results to `params.outDir` atomically (writeResultFolder). */
export type RunTask = (kind: string, params: Record<string, unknown>, ctx: TaskContext) => Promise<TaskResult>;

export interface TaskInput {
  role: 'reference' | 'sample' | 'image';
  path: string;
}

/** The message of a job whose task has no implementation in this version. */
export function notAvailableMessage(kind: string): string {
  return `The "${kind}" task is not available in this version of Speckle Lab, so this image was not processed; ` +
    'the rule is valid and will run once the task is added. Until then use "info" for single images.';
}

export function isReservedTask(kind: string): boolean {
  return (RESERVED_TASKS as readonly string[]).includes(kind);
}

/** Task parameters from the rule's task spec, the job's inputs (reference first) and its result folder. */
export function taskParams(task: TaskSpec, inputs: TaskInput[], outDir: string): Record<string, unknown> {
  const ref = inputs.filter((i) => i.role === 'reference').map((i) => i.path);
  const samples = inputs.filter((i) => i.role === 'sample').map((i) => i.path);
  const { kind: _kind, ...rest } = task as Record<string, unknown>;
  switch (task.kind) {
    case 'track':
      return {
        refPaths: ref, defPaths: samples, method: task.method, options: task.options, step: task.step,
        ...(task.roi && { roi: task.roi }), ...(task.strainWindow && { strainWindow: task.strainWindow }), outDir,
      } satisfies TrackTaskParams;
    case 'info':
      return { path: inputs[0].path, preview: task.preview, outDir } satisfies InfoTaskParams;
    case 'xpci':
      return { ...(rest as Omit<XpciTaskParams, 'refPaths' | 'samplePaths' | 'outDir'>), refPaths: ref, samplePaths: samples, outDir } satisfies XpciTaskParams;
    case 'deblur': {
      const options: DeblurOptions = { method: task.method };
      if (task.sigma !== undefined) options.sigma = task.sigma;
      if (task.iterations !== undefined) options.iterations = task.iterations;
      if (task.model !== undefined) options.modelId = task.model;
      if (task.tile !== undefined) options.tile = task.tile;
      if (task.overlap !== undefined) options.overlap = task.overlap;
      return { inPath: inputs[0].path, options, outDir } satisfies DeblurTaskParams;
    }
    case 'super-resolution':
    case 'sr': {
      const p: SrTaskParams = { inPath: inputs[0].path, scale: task.scale, method: task.method as SrMethod, outDir };
      if (task.kernel !== undefined) p.kernel = task.kernel;
      if (task.noise !== undefined) p.noise = task.noise;
      if (task.tile !== undefined) p.tile = task.tile;
      return { ...p };
    }
    default:
      return { ...rest, paths: inputs.map((i) => i.path), outDir };
  }
}

/** The in-process task table (CLI). */
export const runTaskInProcess: RunTask = async (kind, params, ctx) => {
  switch (kind) {
    case 'track':
      return runTrackTask(params as unknown as TrackTaskParams, ctx);
    case 'info':
      return runInfoTask(params as unknown as InfoTaskParams, ctx);
    case 'xpci':
      return runXpciTask(params as unknown as XpciTaskParams, ctx);
    case 'deblur':
      return runDeblurTask(params as unknown as DeblurTaskParams, ctx);
    case 'super-resolution':
    case 'sr':
      return runSrTask(params as unknown as SrTaskParams, ctx);
    default:
      throw new LabError('E_UNSUPPORTED', notAvailableMessage(kind));
  }
};
