/**
 * @file Request bookkeeping for the WebSocket transport: every call gets a numeric id, and the reply with
 * that id settles it. Pure (no DOM, no socket), so it is unit-tested under Node.
 */
import { ContractError, unwrap, type Result } from '../../../shared/result';

interface Entry {
  name: string;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Calls sent and not yet answered, keyed by the id that travels in `{type:'call', id}`. */
export class PendingCalls {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();

  /** Registers a new call; the promise settles when `settle` (or `rejectAll`) sees its id. */
  create(name: string): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    const promise = new Promise<unknown>((resolve, reject) => {
      this.entries.set(id, { name, resolve, reject });
    });
    return { id, promise };
  }

  /**
   * Settles the call with this id from the back end's Result envelope: resolves with the value or rejects
   * with a ContractError carrying the back end's code, message and file. Returns false for an unknown id
   * (a late reply to a call that was already rejected when the connection dropped).
   */
  settle(id: number, result: Result<unknown>): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    try {
      entry.resolve(unwrap(result));
    } catch (err) {
      entry.reject(err);
    }
    return true;
  }

  /** Rejects one call without a reply (e.g. its message could not be sent). */
  fail(id: number, error: Error): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.reject(error);
    return true;
  }

  /**
   * Rejects every outstanding call, e.g. when the connection drops. Calls are not replayed after a
   * reconnect because some of them (simulate.pair) are not idempotent.
   */
  rejectAll(makeError: (name: string) => Error): number {
    const n = this.entries.size;
    for (const [id, entry] of this.entries) {
      this.entries.delete(id);
      entry.reject(makeError(entry.name));
    }
    return n;
  }

  /** Number of calls still waiting for a reply. */
  get size(): number {
    return this.entries.size;
  }
}

/** The error a call gets when the transport, not the back end, failed. */
export function transportError(name: string, why: string): ContractError {
  return new ContractError('E_TRANSPORT', `The call ${name} got no answer: ${why}`);
}
