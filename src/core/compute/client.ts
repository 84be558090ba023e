/**
 * @file The caller's side of the compute host (see Note: Compute host, in protocol.ts). `ComputeClient`
 * is the one interface Electron main, the harness and tests use; `MessageComputeClient` implements it over
 * any MessagePortLike, and `forkComputeHost` starts the host as a Node child process. Electron's
 * utilityProcess adapter lives in src/main (it needs Electron).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors';
import type { HostReply, HostRequest, MessagePortLike } from './protocol';
import { tsxExecArgv } from './ts-loader';

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message?: string) => void;
}

export interface ComputeClient {
  run<T>(op: string, input: unknown, opts?: RunOptions): Promise<T>;
  /** Stops the host; pending runs reject with E_CANCELLED. */
  close(): Promise<void>;
}

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: RunOptions['onProgress'];
};

export class MessageComputeClient implements ComputeClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: LabError | null = null;

  constructor(
    private readonly port: MessagePortLike,
    private readonly stop: () => Promise<void>,
  ) {
    port.onMessage((raw) => this.onReply(raw as HostReply));
  }

  /** Called by the adapter when the host process exits, so no caller waits forever. */
  hostExited(reason: string): void {
    this.dead = new LabError('E_RUNTIME', `The compute host stopped (${reason}).`);
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  run<T>(op: string, input: unknown, opts: RunOptions = {}): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    if (opts.signal?.aborted) return Promise.reject(new LabError('E_CANCELLED', 'The task was cancelled.'));
    const runId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(runId, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.send({ type: 'cancel', runId }), { once: true });
      this.send({ type: 'run', runId, op, input });
    });
  }

  async close(): Promise<void> {
    this.hostExited('closed');
    await this.stop();
  }

  private send(m: HostRequest): void {
    this.port.postMessage(m);
  }

  private onReply(m: HostReply): void {
    if (m.type === 'ready') return;
    const p = this.pending.get(m.runId);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.fraction, m.message);
      return;
    }
    this.pending.delete(m.runId);
    if (m.ok) p.resolve(m.value);
    else p.reject(new LabError(m.error.code as never, m.error.message, m.error.file));
  }
}

const HOST_ENTRY_TS = fileURLToPath(new URL('./host-entry.ts', import.meta.url));

/**
 * Starts the compute host as a forked Node process (plain Node: CLI, harness, tests). The TypeScript
 * entry is loaded through tsx, the same loader the CLI uses, so no build step is needed.
 */
export function forkComputeHost(env: NodeJS.ProcessEnv = process.env): MessageComputeClient {
  const child: ChildProcess = fork(HOST_ENTRY_TS, [], {
    execArgv: tsxExecArgv(),
    serialization: 'advanced', // structured clone: Float32Array crosses without JSON
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port: MessagePortLike = {
    postMessage: (msg) => {
      if (child.connected) child.send(msg as never);
    },
    onMessage: (l) => child.on('message', l),
  };
  const client = new MessageComputeClient(port, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((res) => {
      child.once('exit', () => res());
      child.kill();
    });
  });
  child.on('exit', (code, signal) => client.hostExited(signal ? `signal ${signal}` : `exit code ${code}`));
  return client;
}
