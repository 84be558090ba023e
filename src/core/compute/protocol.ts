/**
 * @file Messages between a compute client (Electron main, the harness, the CLI) and the compute host
 * process that runs heavy work (trackers, ONNX Runtime) off the caller's thread.
 *
 * Note: Compute host. ONNX Runtime's `run` and the TypeScript kernels block their JS thread, so they run in
 * a separate process: an Electron `utilityProcess` in the app, a `child_process.fork` under plain Node.
 * Both speak this protocol over structured-clone messages (typed arrays cross without JSON). One host owns
 * the ONNX sessions, so a GPU is shared by every job instead of being opened once per job.
 */
import type { ErrorInfo } from '../../shared/result';

export type HostRequest =
  | { type: 'run'; runId: number; op: string; input: unknown }
  | { type: 'cancel'; runId: number };

export type HostReply =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; runId: number; fraction: number; message?: string }
  | { type: 'done'; runId: number; ok: true; value: unknown }
  | { type: 'done'; runId: number; ok: false; error: ErrorInfo };

/** The minimal duplex both utilityProcess and child_process offer. */
export interface MessagePortLike {
  postMessage(msg: unknown): void;
  onMessage(listener: (msg: unknown) => void): void;
}
