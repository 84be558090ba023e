/**
 * @file What the acquisition-folder watcher tells the app and the CLI: one discriminated union of plain,
 * serialisable events (so the app can forward them over IPC unchanged) and a tiny typed emitter. Paths are
 * absolute; `rel` is the path relative to the watched folder with forward slashes, which is what people
 * want to read in a log line.
 */

export type WatchEvent =
  /** the watched folder disappeared (unmounted share, deleted); the watcher keeps checking for it */
  | { type: 'folder-missing'; root: string; reason: string }
  /** the watched folder is back (or appeared for the first time); it is scanned again */
  | { type: 'folder-back'; root: string }
  /** the initial scan of the folder (or of the folder after it came back) is over */
  | { type: 'scan-done'; root: string; files: number }
  /** a file matching a rule appeared or changed; it is not processed until it is ready */
  | { type: 'file-seen'; path: string; rel: string }
  /** size and mtime stable for stableMs and the format says complete */
  | { type: 'file-ready'; path: string; rel: string; size: number }
  /** a tracked file was deleted or renamed away; it no longer pairs with anything */
  | { type: 'file-removed'; path: string; rel: string }
  /** never completed within completeTimeoutMs, or is not an image at all; recorded, not retried */
  | { type: 'file-failed'; path: string; rel: string; code: string; reason: string }
  | { type: 'job-queued'; jobId: number; kind: string; rule: string; inputs: string[] }
  /** identical inputs (same input key) already done, queued, running, or failed for good */
  | { type: 'job-skipped'; jobId: number; kind: string; rule: string; inputs: string[]; state: string }
  | { type: 'job-started'; jobId: number; kind: string; rule: string; inputs: string[]; attempt: number }
  | { type: 'job-progress'; jobId: number; fraction: number; message?: string }
  /** a transient error (E_IO, EBUSY ...): tried again after delayMs */
  | { type: 'job-retry'; jobId: number; attempt: number; delayMs: number; code: string; reason: string }
  | { type: 'job-done'; jobId: number; kind: string; rule: string; outDir: string; ms: number; adopted: boolean }
  /** permanent = the input is bad (quarantined: the job failed, the raw file is left exactly as it is) */
  | { type: 'job-failed'; jobId: number; kind: string; rule: string; inputs: string[]; code: string; reason: string; permanent: boolean }
  | { type: 'job-cancelled'; jobId: number; reason: string }
  /** given back to the queue because the watcher is stopping; the next start runs it */
  | { type: 'job-requeued'; jobId: number; reason: string }
  /** something worth a line in the log that changes nothing (a watcher backend error, a listener that threw) */
  | { type: 'warning'; message: string };

export type WatchEventType = WatchEvent['type'];
export type WatchListener = (event: WatchEvent) => void;

/** Fan-out to listeners. A listener that throws is reported as a warning, never allowed to stop the watcher. */
export class WatchEvents {
  private readonly listeners = new Set<WatchListener>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WatchEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        if (event.type === 'warning') continue; // do not loop on a listener that throws on warnings too
        this.emit({ type: 'warning', message: `A watch event listener failed on ${event.type}: ${(err as Error)?.message ?? err}` });
      }
    }
  }
}
