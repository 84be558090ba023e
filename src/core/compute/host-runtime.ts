/**
 * @file The compute host's side of the protocol (see Note: Compute host, in protocol.ts): receives `run`
 * requests, executes the named op with an AbortSignal and a throttled progress sink, answers `done`.
 */
import { toLabError } from '../errors';
import { makeProgress } from '../progress';
import type { HostReply, HostRequest, MessagePortLike } from './protocol';
import type { OpTable } from './ops';

/** Progress messages closer together than this are dropped (the last one before `done` always goes). */
const PROGRESS_INTERVAL_MS = 100;

/** Runs in progress in this host (ops that free shared resources ask whether they are alone). */
let activeRuns = 0;
export function activeRunCount(): number {
  return activeRuns;
}

export function serveComputeHost(port: MessagePortLike, ops: OpTable): void {
  const running = new Map<number, AbortController>();
  const send = (m: HostReply) => port.postMessage(m);

  port.onMessage(async (raw) => {
    const msg = raw as HostRequest;
    if (msg.type === 'cancel') {
      running.get(msg.runId)?.abort();
      return;
    }
    if (msg.type !== 'run') return;
    const { runId, op, input } = msg;
    const controller = new AbortController();
    running.set(runId, controller);
    activeRuns++;
    let last = 0;
    const progress = makeProgress((fraction, message) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && fraction < 1) return;
      last = now;
      send({ type: 'progress', runId, fraction, message });
    });
    try {
      const fn = ops[op];
      if (!fn) throw new Error(`The compute host has no operation named "${op}".`);
      const value = await fn(input, { signal: controller.signal, progress });
      send({ type: 'done', runId, ok: true, value });
    } catch (err) {
      const e = toLabError(controller.signal.aborted ? Object.assign(new Error(), { name: 'AbortError' }) : err);
      send({ type: 'done', runId, ok: false, error: { code: e.code, message: e.message, file: e.file } });
    } finally {
      running.delete(runId);
      activeRuns--;
    }
  });
  send({ type: 'ready', pid: process.pid });
}
