/**
 * @file For tests of the back end: the compute host's op table called in this process, with the host's
 * semantics (inputs cloned as over IPC, progress relayed, an abort reported as E_CANCELLED as
 * host-runtime.ts does), so handler tests run real ops without forking a host.
 */
import type { ComputeClient } from '../compute/client';
import { ops } from '../compute/ops';
import { toLabError } from '../errors';
import { makeProgress } from '../progress';

export const inProcessCompute: ComputeClient = {
  async run<T>(op: string, input: unknown, opts: { signal?: AbortSignal; onProgress?: (f: number, m?: string) => void } = {}) {
    const fn = ops[op];
    if (!fn) throw new Error(`no op ${op}`);
    const signal = opts.signal ?? new AbortController().signal;
    try {
      return (await fn(structuredClone(input), { signal, progress: makeProgress((f, m) => opts.onProgress?.(f, m)) })) as T;
    } catch (err) {
      throw toLabError(signal.aborted ? Object.assign(new Error(), { name: 'AbortError' }) : err);
    }
  },
  async close() {},
};
