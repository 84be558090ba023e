/**
 * @file When is a file in the acquisition folder ready to process? Detectors, frame grabbers and network
 * copies write images over seconds, sometimes in bursts with pauses, so an 'add' event says nothing. A
 * file is READY when (1) its size, mtime and inode have not changed for `stableMs`, and (2) the format's
 * own structure says it is complete (`isImageComplete`: TIFF strips inside the file, PNG IEND, JPEG EOI).
 * Stability alone is fooled by a writer that pauses; completeness alone by a TIFF whose header is written
 * last. A file that stays incomplete with no change for `completeTimeoutMs` FAILS with the last reason
 * (a truncated copy, a 0-byte placeholder); a file that is not an image at all (no known signature once
 * it is stable) fails at once. Failed files are not looked at again unless they change.
 *
 * Note: watch clocks. Every time here is this process's monotonic clock, never the file's mtime: mtimes
 * on network shares come from another machine's clock. The timeout counts from the last change we saw
 * (or from the first sighting), so a slow transfer that keeps growing never times out.
 */
import { stat } from 'node:fs/promises';
import { toLabError } from '../errors';
import { isImageComplete } from '../imageio';

export interface StableFilesOptions {
  stableMs: number;
  completeTimeoutMs: number;
  /** how often pending files are looked at, ms */
  checkMs: number;
  onReady(path: string, size: number): void;
  onFailed(path: string, code: string, reason: string): void;
  /** a file that was being tracked is gone (deleted, renamed away) */
  onGone?(path: string): void;
  now?: () => number;
}

interface Rec {
  state: 'pending' | 'ready' | 'failed';
  /** set when a ready/failed file is touched again: where it goes back to if its signature is unchanged */
  settled?: 'ready' | 'failed';
  /** size:mtimeMs:ino of the last stat */
  sig: string;
  size: number;
  /** monotonic time of the last signature change (or first sighting) */
  since: number;
  /** signature for which completeness was last checked, and its answer */
  checkedSig?: string;
  reason?: string;
}

const sigOf = (s: { size: number; mtimeMs: number; ino: number }) => `${s.size}:${s.mtimeMs}:${s.ino}`;

export class StableFiles {
  private readonly recs = new Map<string, Rec>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly now: () => number;

  constructor(private readonly opts: StableFilesOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = setTimeout(() => void this.tick().finally(() => this.timer && loop()), this.opts.checkMs);
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An add/change event: track the file, or look again at a ready/failed one whose content changed. */
  touch(path: string): void {
    const rec = this.recs.get(path);
    if (!rec) {
      this.recs.set(path, { state: 'pending', sig: '', size: 0, since: this.now() });
      return;
    }
    // Re-stat on the next tick; check() compares signatures, so a spurious 'change' event (atime, a
    // chokidar re-scan) costs one stat and changes nothing.
    if (rec.state !== 'pending') {
      rec.settled = rec.state;
      rec.state = 'pending';
    }
  }

  /** An unlink event; true if the file was tracked. */
  remove(path: string): boolean {
    return this.recs.delete(path);
  }

  clear(): void {
    this.recs.clear();
  }

  /** files seen but neither ready nor failed yet */
  pendingCount(): number {
    let n = 0;
    for (const r of this.recs.values()) if (r.state === 'pending') n++;
    return n;
  }

  /** Looks at every pending file once. Exposed for tests; normally driven by the timer. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const pending = [...this.recs].filter(([, r]) => r.state === 'pending');
      // Bounded parallelism: a burst of thousands of files must not open thousands of handles at once.
      for (let i = 0; i < pending.length; i += 32) {
        await Promise.all(pending.slice(i, i + 32).map(([p, r]) => this.check(p, r)));
      }
    } finally {
      this.ticking = false;
    }
  }

  private async check(path: string, rec: Rec): Promise<void> {
    const now = this.now();
    let sig: string;
    try {
      const s = await stat(path);
      if (!s.isFile()) return void this.recs.delete(path);
      sig = sigOf(s);
      rec.size = s.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.recs.delete(path);
        this.opts.onGone?.(path);
        return;
      }
      // EBUSY/EACCES while a writer holds the file (Windows, SMB): keep waiting; the timeout bounds it.
      rec.reason = `"${path}" cannot be examined yet (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`;
      return this.timeoutCheck(path, rec, now);
    }
    if (sig !== rec.sig) {
      rec.sig = sig;
      rec.since = now;
      rec.settled = undefined; // new content: it must become ready (or fail) afresh
      rec.checkedSig = undefined;
      return;
    }
    if (rec.settled) {
      // Touched again but unchanged: back to where it was, without a second ready/failed report.
      rec.state = rec.settled;
      rec.settled = undefined;
      return;
    }
    if (now - rec.since < this.opts.stableMs) return;
    if (rec.checkedSig !== sig) {
      rec.checkedSig = sig;
      try {
        const c = await isImageComplete(path);
        if (this.recs.get(path) !== rec || rec.state !== 'pending') return; // removed/retouched meanwhile
        if (c.complete) {
          rec.state = 'ready';
          rec.reason = undefined;
          this.opts.onReady(path, rec.size);
          return;
        }
        rec.reason = c.reason ?? `"${path}" is not complete.`;
      } catch (err) {
        const e = toLabError(err);
        if (e.code === 'E_NOT_FOUND') {
          this.recs.delete(path);
          this.opts.onGone?.(path);
          return;
        }
        if (e.code === 'E_UNSUPPORTED') {
          // Stable and longer than any signature, yet no known format: it cannot become an image by growing.
          rec.state = 'failed';
          this.opts.onFailed(path, e.code, e.message);
          return;
        }
        rec.reason = e.message;
        rec.checkedSig = undefined; // an I/O hiccup: ask again next time
      }
    }
    this.timeoutCheck(path, rec, now);
  }

  private timeoutCheck(path: string, rec: Rec, now: number): void {
    if (now - rec.since < this.opts.completeTimeoutMs) return;
    rec.state = 'failed';
    const secs = (this.opts.completeTimeoutMs / 1000).toFixed(1);
    const why = rec.reason ?? `"${path}" is not complete.`;
    this.opts.onFailed(path, 'E_TRUNCATED', `Not complete after ${secs} s without change, so it was not processed: ${why}`);
  }
}
