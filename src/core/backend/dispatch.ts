/**
 * @file Validates and dispatches one contract call (see Note: One contract, two transports, in
 * src/shared/contract.ts). Both transports (Electron IPC in src/main, WebSocket in src/harness) go through
 * here, so input validation and the error envelope are identical in the app and in the harness.
 */
import { z } from 'zod';
import { calls, type CallName } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { LabError, toLabError } from '../errors';
import type { Handlers } from './handlers';

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

export async function dispatchCall(handlers: Handlers, name: unknown, rawInput: unknown): Promise<Result<unknown>> {
  try {
    if (!isCallName(name)) throw new LabError('E_INVALID_INPUT', `Unknown call "${String(name)}".`);
    const parsed = calls[name].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new LabError('E_INVALID_INPUT', `Invalid input for ${name}: ${describeIssues(parsed.error)}.`);
    }
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    // Outputs are checked too: a handler bug must surface here, not as a confusing renderer error.
    const out = calls[name].output.safeParse(value);
    if (!out.success) throw new LabError('E_INTERNAL', `Output of ${name} broke the contract: ${describeIssues(out.error)}.`);
    return { ok: true, value: out.data };
  } catch (err) {
    const e = toLabError(err);
    return { ok: false, error: { code: e.code, message: e.message, ...(e.file ? { file: e.file } : {}) } };
  }
}
