/**
 * @file The caller's side of the compute host (see Note: Compute host, in protocol.ts). `ComputeClient`
 * is the one interface Electron main, the harness and tests use; `MessageComputeClient` implements it over
 * any host process a `HostLauncher` starts, and `forkComputeHost` starts the host as a Node child process.
 * Electron's utilityProcess launcher lives in src/main (it needs Electron).
 *
 * Note: Host restart. The host can die under the caller (out of memory on a huge image, a native abort in
 * ONNX Runtime). The runs it was doing fail with E_RUNTIME naming the exit code or signal, and the next run
 * starts a fresh host, so one bad input does not end a long session (a watched folder overnight). State the
 * host only learned from earlier runs (`STATE_OPS`: the provider order set live from Settings) is sent to
 * the new host before anything else. A host that keeps dying (`CrashGuard`: 3 deaths in 60 s by default)
 * is not started again until the oldest of those deaths leaves the window: every run meanwhile fails at
 * once with a message saying so, instead of the app spinning up processes that die in a loop.
 *
 * Callers that retry on their own (the watch job runner) tell the two apart without reading messages: a
 * run that was in flight when its host died rejects with an error carrying `hostStopped: true` (the input
 * may be what killed it); a run refused by the crash guard never reached a host and carries
 * `retryAfterMs`, how long until a host may be started again (`hostStoppedError`, `crashLoopRetryAfterMs`).
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

/** One started host process, as the client needs it. */
export interface HostProcess {
  readonly port: MessagePortLike;
  /** the operating-system process id, once known */
  readonly pid: number | undefined;
  /** Ends the process; resolves once it is gone (at once if it already is). */
  stop(): Promise<void>;
}

/**
 * Starts one host process. The launcher must call `onExit` exactly once when that process ends, however
 * it ends, with a reason such as "exit code 134" or "signal SIGKILL".
 */
export type HostLauncher = (onExit: (reason: string) => void) => HostProcess;

/** How many unexpected host deaths within how long stop the client from starting another. */
export interface CrashGuard {
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_CRASH_GUARD: CrashGuard = { maxCrashes: 3, windowMs: 60_000 };

const CLOSING = () => new LabError('E_CANCELLED', 'The task was cancelled: the compute process was shut down (the app is closing).');

/** A run that was in flight when its host process died unexpectedly (Note: Host restart). */
export type HostStoppedError = LabError & { readonly hostStopped: true };
/** A run the crash guard refused without starting a host; a host may start again after `retryAfterMs`. */
export type CrashLoopRefusal = LabError & { readonly retryAfterMs: number };

/** True when `err` is the rejection of a run whose host died under it (not a cancel, not a refusal). */
export function isHostStoppedError(err: unknown): err is HostStoppedError {
  return err instanceof LabError && (err as Partial<HostStoppedError>).hostStopped === true;
}

/** How long the crash guard still refuses runs, when `err` is such a refusal; else undefined. */
export function crashLoopRetryAfterMs(err: unknown): number | undefined {
  const ms = err instanceof LabError ? (err as Partial<CrashLoopRefusal>).retryAfterMs : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export interface ClientOptions {
  crashGuard?: CrashGuard;
  /** clock for the crash guard (tests) */
  now?: () => number;
  /** told about every unexpected host death (default: a warning on stderr, for the app's log) */
  onHostCrash?: (reason: string) => void;
}

/**
 * Ops whose effect outlives the run: the host keeps it in its own process state, so a fresh host must
 * be given the last successful input again (see Note: Host restart).
 */
const STATE_OPS = new Set(['providers.set']);

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: RunOptions['onProgress'];
  /** a STATE_OPS replay: nobody waits on it, so a host death needs no one told */
  replay?: true;
};

type Host = {
  proc: HostProcess;
  pending: Map<number, Pending>;
  /** set when the client itself stops the host, so its exit is not a crash */
  stopping: boolean;
};

export class MessageComputeClient implements ComputeClient {
  private nextId = 1;
  private host: Host | null = null;
  private closed = false;
  private crashes: { at: number; reason: string }[] = [];
  private readonly hostState = new Map<string, unknown>();
  private readonly guard: CrashGuard;
  private readonly now: () => number;
  private readonly onHostCrash: (reason: string) => void;

  constructor(
    private readonly launch: HostLauncher,
    opts: ClientOptions = {},
  ) {
    this.guard = opts.crashGuard ?? DEFAULT_CRASH_GUARD;
    this.now = opts.now ?? Date.now;
    this.onHostCrash = opts.onHostCrash ?? ((reason) => console.warn(`[compute] the compute process stopped unexpectedly (${reason}).`));
  }

  /** The running host's process id; undefined while none runs (one starts with the next run). */
  get pid(): number | undefined {
    return this.host?.proc.pid;
  }

  run<T>(op: string, input: unknown, opts: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new LabError('E_CANCELLED', 'The compute process has been shut down (the app is closing).'));
    if (opts.signal?.aborted) return Promise.reject(new LabError('E_CANCELLED', 'The task was cancelled.'));
    let host: Host;
    try {
      host = this.ensureHost();
    } catch (err) {
      return Promise.reject(err);
    }
    const runId = this.nextId++;
    const signal = opts.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => host.proc.port.postMessage({ type: 'cancel', runId } satisfies HostRequest);
      // A watch session passes one signal to many runs: each run takes its listener away when it ends.
      const settle = () => signal?.removeEventListener('abort', onAbort);
      host.pending.set(runId, {
        resolve: (v) => {
          settle();
          if (STATE_OPS.has(op)) this.hostState.set(op, input);
          resolve(v as T);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        onProgress: opts.onProgress,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      host.proc.port.postMessage({ type: 'run', runId, op, input } satisfies HostRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const host = this.host;
    this.host = null;
    if (!host) return;
    host.stopping = true;
    // The process goes first, then its runs are rejected: a caller that cleans up after a rejected run
    // (a report export removing its temporary files) must not race a host still writing them.
    await host.proc.stop();
    this.rejectAll(host, CLOSING());
  }

  private ensureHost(): Host {
    if (this.host) return this.host;
    const refusal = this.crashLoopError();
    if (refusal) throw refusal;
    const host: Host = { proc: undefined as unknown as HostProcess, pending: new Map(), stopping: false };
    try {
      host.proc = this.launch((reason) => this.hostExited(host, reason));
    } catch (err) {
      throw new LabError('E_RUNTIME', `The compute process could not be started (${(err as Error).message}).`);
    }
    host.proc.port.onMessage((raw) => this.onReply(host, raw as HostReply));
    this.host = host;
    // Messages are handled in order, so these land before the run that caused the start.
    for (const [op, input] of this.hostState) {
      const runId = this.nextId++;
      host.pending.set(runId, {
        resolve: () => {},
        reject: (e) => console.warn(`[compute] a restarted compute process could not take back "${op}": ${e.message}`),
        replay: true,
      });
      host.proc.port.postMessage({ type: 'run', runId, op, input } satisfies HostRequest);
    }
    return host;
  }

  private hostExited(host: Host, reason: string): void {
    if (this.host === host) this.host = null;
    if (host.stopping || this.closed) {
      this.rejectAll(host, this.closed ? CLOSING() : new LabError('E_CANCELLED', 'The task was cancelled: the compute process was shut down.'));
      return;
    }
    this.crashes.push({ at: this.now(), reason });
    this.onHostCrash(reason);
    const loop = this.crashLoopError();
    const next = loop
      ? loop.message
      : 'The app has restarted it: the next task runs in a fresh process, so run this one again (if it stops again, the input may need more memory than this machine has).';
    const err = new LabError('E_RUNTIME', `The compute process stopped unexpectedly (${reason}) while this task was running. ${next}`);
    this.rejectAll(host, Object.assign(err, { hostStopped: true as const }));
  }

  /** The error every run gets while the host died too often too recently; null when a start is allowed. */
  private crashLoopError(): LabError | null {
    const now = this.now();
    this.crashes = this.crashes.filter((c) => now - c.at < this.guard.windowMs);
    if (this.crashes.length < this.guard.maxCrashes) return null;
    const retryAfterMs = Math.max(1, Math.ceil(this.crashes[0]!.at + this.guard.windowMs - now));
    const waitS = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const last = this.crashes[this.crashes.length - 1]!.reason;
    const err = new LabError(
      'E_RUNTIME',
      `The compute process stopped ${this.crashes.length} times in the last ${Math.round(this.guard.windowMs / 1000)} s (last: ${last}), ` +
        `so the app is not restarting it for now. Try again in ${waitS} s; if it keeps stopping, try a smaller image or the CPU execution provider (Settings), or restart the app.`,
    );
    return Object.assign(err, { retryAfterMs });
  }

  private rejectAll(host: Host, err: LabError): void {
    const pending = [...host.pending.values()];
    host.pending.clear();
    for (const p of pending) if (!p.replay) p.reject(err);
  }

  private onReply(host: Host, m: HostReply): void {
    if (m.type === 'ready') return;
    const p = host.pending.get(m.runId);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.fraction, m.message);
      return;
    }
    host.pending.delete(m.runId);
    if (m.ok) p.resolve(m.value);
    else p.reject(new LabError(m.error.code as never, m.error.message, m.error.file));
  }
}

const HOST_ENTRY_TS = fileURLToPath(new URL('./host-entry.ts', import.meta.url));

export interface ForkOptions extends ClientOptions {
  /** the host's TypeScript entry (default: host-entry.ts; tests pass one with extra ops) */
  entry?: string;
}

/**
 * Starts the compute host as a forked Node process (plain Node: CLI, harness, tests), and again after it
 * dies (Note: Host restart). The TypeScript entry is loaded through tsx, the same loader the CLI uses, so
 * no build step is needed.
 */
export function forkComputeHost(env: NodeJS.ProcessEnv = process.env, opts: ForkOptions = {}): MessageComputeClient {
  const entry = opts.entry ?? HOST_ENTRY_TS;
  const launch: HostLauncher = (onExit) => {
    const child: ChildProcess = fork(entry, [], {
      execArgv: tsxExecArgv(),
      serialization: 'advanced', // structured clone: Float32Array crosses without JSON
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let gone = false;
    const exited = (reason: string) => {
      if (gone) return;
      gone = true;
      onExit(reason);
    };
    child.once('exit', (code, signal) => exited(signal ? `signal ${signal}` : `exit code ${code}`));
    // Without a listener an 'error' (a send racing the child's death) would throw in this process.
    child.on('error', (err) => {
      if (child.pid === undefined) exited(`it could not be started: ${err.message}`);
    });
    return {
      port: {
        postMessage: (msg) => {
          if (child.connected) child.send(msg as never);
        },
        onMessage: (l) => child.on('message', l),
      },
      get pid() {
        return child.pid;
      },
      stop: async () => {
        if (gone || child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((res) => {
          child.once('exit', () => res());
          child.kill();
        });
      },
    };
  };
  return new MessageComputeClient(launch, opts);
}
