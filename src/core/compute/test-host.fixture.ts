/**
 * @file A compute host for client.test.ts: the real runtime and ops, forked the way host-entry.ts is,
 * plus ops that let a test hold a run open, read the host's process state and exit like a native abort.
 */
import { PROVIDERS_ENV } from '../infer/providers';
import { serveComputeHost } from './host-runtime';
import { ops, type OpTable } from './ops';

const testOps: OpTable = {
  ...ops,
  /** Runs until cancelled, reporting progress once so the test knows the run has started. */
  'test.hold': async (_input, ctx) => {
    ctx.progress.report(0.5, 'holding');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  },
  'test.state': async () => ({ pid: process.pid, providers: process.env[PROVIDERS_ENV] ?? null }),
  'test.exit': async (input) => process.exit((input as { code: number }).code),
};

if (!process.send) throw new Error('test-host.fixture.ts must be forked with an IPC channel.');
process.on('disconnect', () => process.exit(0));
serveComputeHost({ postMessage: (m) => process.send?.(m), onMessage: (l) => process.on('message', l) }, testOps);
