/**
 * @file The envelope every contract call returns across a process boundary (IPC or WebSocket).
 * Errors carry a machine-readable code, a message for people and, where there is one, the file at fault.
 */
export interface ErrorInfo {
  code: string;
  message: string;
  file?: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Error rebuilt on the calling side so `await lab.x()` throws with the code preserved. */
export class ContractError extends Error {
  override name = 'ContractError';
  constructor(
    readonly code: string,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ContractError(r.error.code, r.error.message, r.error.file);
}
