/**
 * @file Errors that cross layers. Every failure the user can cause (a bad file, a bad parameter, a cancel)
 * is a `LabError` with a stable machine-readable `code`, a full-sentence message that names the file or
 * value at fault and, where it helps, how to fix it. The contract turns these into
 * `{ok:false, error:{code, message}}` envelopes (see src/shared/result.ts).
 */

export const ERROR_CODES = [
  'E_NOT_FOUND', // a file or folder that does not exist
  'E_UNSUPPORTED', // a format or variant we do not read
  'E_TRUNCATED', // a file that ends before its own structure says it should
  'E_CORRUPT', // a file whose structure is inconsistent
  'E_INVALID_INPUT', // a parameter or argument out of range or of the wrong type
  'E_SIZE_MISMATCH', // two inputs that must agree in size do not
  'E_IO', // reading or writing failed for an operating-system reason (disk full, permissions)
  'E_CANCELLED', // the user cancelled
  'E_RUNTIME', // ONNX Runtime or another engine failed
  'E_FORBIDDEN', // an IPC call from a sender we do not trust
  'E_INTERNAL', // a bug: anything not classified above
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class LabError extends Error {
  override name = 'LabError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The offending file, where there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/** Turns anything thrown into a LabError, keeping codes of errors that already carry one. */
export function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  if (err && typeof err === 'object' && 'name' in err && (err as Error).name === 'AbortError') {
    return new LabError('E_CANCELLED', 'The task was cancelled.');
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const where = e.path ? ` (${e.path})` : '';
    if (e.code === 'ENOENT') return new LabError('E_NOT_FOUND', `No such file or folder${where}.`, e.path);
    if (e.code === 'ENOSPC') return new LabError('E_IO', `The disk is full${where}; nothing was overwritten.`, e.path);
    if (e.code === 'EACCES' || e.code === 'EPERM')
      return new LabError('E_IO', `Permission denied${where}.`, e.path);
    if (e.code === 'EISDIR') return new LabError('E_INVALID_INPUT', `Expected a file but found a folder${where}.`, e.path);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new LabError('E_INTERNAL', msg);
}
