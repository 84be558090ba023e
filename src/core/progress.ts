/**
 * @file Progress and cancellation for long core functions.
 *
 * Note: Progress model. Long functions take a `TaskContext` as their last argument: an AbortSignal the
 * caller can fire, and a `Progress` that accepts a 0–1 fraction plus a status line. Nested stages get a
 * sub-range with `progress.sub(a, b)`, so a stage reports 0–1 of its own work and the parent sees a–b.
 * Reports are throttled by the transport, not here, so kernels may report as often as is convenient.
 */

export interface Progress {
  /** fraction in [0, 1] of this stage's work; message is a short status line for people. */
  report(fraction: number, message?: string): void;
  /** A child progress that maps its own 0–1 onto [start, end] of this one. */
  sub(start: number, end: number): Progress;
}

export interface TaskContext {
  signal: AbortSignal;
  progress: Progress;
}

export function makeProgress(sink: (fraction: number, message?: string) => void): Progress {
  const build = (a: number, b: number): Progress => ({
    report(f, message) {
      const clamped = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
      sink(a + (b - a) * clamped, message);
    },
    sub(s, e) {
      return build(a + (b - a) * s, a + (b - a) * e);
    },
  });
  return build(0, 1);
}

/** A context for callers that do not care (tests, CLI without a progress bar). */
export function quietContext(signal: AbortSignal = new AbortController().signal): TaskContext {
  return { signal, progress: makeProgress(() => {}) };
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) {
    const err = new Error('The task was cancelled.');
    err.name = 'AbortError';
    throw err;
  }
}

/**
 * For long synchronous loops: returns a function to await between chunks of work. It checks for
 * cancellation every call and yields to the event loop about every 25 ms, so an abort message (or a
 * progress report) can get through without slowing the loop down.
 */
export function pacer(signal: AbortSignal): () => Promise<void> {
  let last = performance.now();
  return async () => {
    throwIfCancelled(signal);
    if (performance.now() - last < 25) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
    throwIfCancelled(signal);
  };
}
