/**
 * @file The watched acquisition folder: chokidar reports files (those already there at start, new ones,
 * renamed ones), StableFiles decides when each is ready (stable-files.ts), and a health check on the
 * folder itself survives it vanishing: an unmounted share or a deleted-and-recreated folder is reported
 * (folder-missing / folder-back) and watched again when it returns, never an uncaught error.
 *
 * Why our own health check: with chokidar 6, once the watched root is deleted and created again, chokidar
 * reports the new folder ('addDir') but none of the files that then appear in it, with native events and
 * with polling alike (checked on Linux, 2026-11). So on any sign of trouble (root gone, root replaced =
 * new inode) the chokidar instance is closed and a fresh one started, which scans the folder again.
 * Files that were already processed come back as 'ready' after such a rescan; the dispatcher's input key
 * skips them (Note: watch exactly-once in dispatcher.ts).
 */
import { stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { WatchEvents } from './events';
import { StableFiles } from './stable-files';

export interface FolderWatcherOptions {
  root: string;
  /** also watch sub-folders (default false: only files directly in root) */
  recursive?: boolean;
  /** poll instead of native events: for network shares (SMB/NFS), where native events are unreliable */
  usePolling?: boolean;
  /** polling interval in ms (default 1000) */
  pollIntervalMs?: number;
  /** size and mtime must be unchanged this long before a file can be ready, ms (default 2000) */
  stableMs?: number;
  /** a file incomplete and unchanged this long fails, ms (default 60 000) */
  completeTimeoutMs?: number;
  /** how often the folder itself is checked for existence, ms (default 1000) */
  rootCheckMs?: number;
  /** which files to track, by path relative to root with '/' (default: all not ignored) */
  accept?: (rel: string) => boolean;
  /** sub-trees never reported: the output folder and job database when they sit inside root */
  ignorePaths?: string[];
  /** more paths never reported, by path relative to root with '/' (result folders when the output folder is root) */
  ignore?: (rel: string) => boolean;
  events: WatchEvents;
}

const TEMP_SUFFIX = /\.(tmp|temp|part|partial|crdownload|download|swp|filepart|!sync|lock)$/i;

/**
 * Names never processed: hidden files and folders (our own result folders are written as hidden
 * `.NAME.partial-*` and renamed), and the temp names copy tools and acquisition software write before
 * renaming to the final name (`x.tif.part`, `x.tif.tmp`, `~$x`, `x~`).
 */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || name.endsWith('~') || TEMP_SUFFIX.test(name) || name.includes('.partial-');
}

export class FolderWatcher {
  readonly root: string;
  private readonly files: StableFiles;
  private readonly ignorePaths: string[];
  private chok: FSWatcher | undefined;
  /** bumped for each chokidar instance; events from a closed one are dropped */
  private generation = 0;
  private present: boolean | undefined;
  private rootIno = -1;
  private scanned = false;
  private scanCount = 0;
  private healthTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FolderWatcherOptions) {
    this.root = resolve(opts.root);
    this.ignorePaths = (opts.ignorePaths ?? []).map((p) => resolve(p));
    const stableMs = opts.stableMs ?? 2000;
    this.files = new StableFiles({
      stableMs,
      completeTimeoutMs: opts.completeTimeoutMs ?? 60_000,
      checkMs: Math.min(500, Math.max(25, Math.round(stableMs / 4))),
      onReady: (path, size) => this.emit({ type: 'file-ready', path, rel: this.rel(path), size }),
      onFailed: (path, code, reason) => this.emit({ type: 'file-failed', path, rel: this.rel(path), code, reason }),
      onGone: (path) => this.emit({ type: 'file-removed', path, rel: this.rel(path) }),
    });
  }

  /** Starts watching; resolves once the first health check ran (the folder may still be missing). */
  async start(): Promise<void> {
    this.files.start();
    await this.checkRoot();
    const loop = () => {
      this.healthTimer = setTimeout(() => void this.checkRoot().finally(() => !this.stopped && loop()), this.opts.rootCheckMs ?? 1000);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.healthTimer);
    this.files.stop();
    await this.closeChokidar();
  }

  /** The folder is there, fully scanned, and no file is waiting to become ready or fail. */
  isIdle(): boolean {
    return this.present === true && this.scanned && this.files.pendingCount() === 0;
  }

  status(): { present: boolean; scanned: boolean; pending: number } {
    return { present: this.present === true, scanned: this.scanned, pending: this.files.pendingCount() };
  }

  private emit(ev: Parameters<WatchEvents['emit']>[0]): void {
    if (!this.stopped) this.opts.events.emit(ev);
  }

  private rel(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** Serialised: a chokidar 'unlinkDir' of the root and the timer may both ask at once. */
  private checkRoot(): Promise<void> {
    this.checking = this.checking.then(() => this.checkRootNow()).catch((err) => {
      this.emit({ type: 'warning', message: `Checking the watched folder ${this.root} failed: ${(err as Error).message}` });
    });
    return this.checking;
  }

  private async checkRootNow(): Promise<void> {
    if (this.stopped) return;
    let reason = '';
    let ino = -1;
    try {
      const s = await stat(this.root);
      if (s.isDirectory()) ino = s.ino;
      else reason = `${this.root} is not a folder`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      reason = code === 'ENOENT' ? `${this.root} does not exist (deleted, or a share not mounted)` : `${this.root} cannot be read (${code})`;
    }
    if (ino < 0) {
      if (this.present !== false) {
        this.present = false;
        await this.closeChokidar();
        this.files.clear();
        this.emit({ type: 'folder-missing', root: this.root, reason: `${reason}; waiting for it to come back.` });
      }
      return;
    }
    if (this.present === true && ino === this.rootIno) return;
    // First start, back after missing, or replaced under us (new inode): watch it afresh.
    if (this.present === false) this.emit({ type: 'folder-back', root: this.root });
    else if (this.present === true) this.emit({ type: 'warning', message: `${this.root} was replaced by a new folder; watching the new one.` });
    this.present = true;
    this.rootIno = ino;
    await this.closeChokidar();
    this.files.clear();
    this.startChokidar();
  }

  private startChokidar(): void {
    const gen = ++this.generation;
    this.scanned = false;
    this.scanCount = 0;
    const live = () => gen === this.generation && !this.stopped;
    const onFile = (path: string, added: boolean) => {
      if (!live() || this.isIgnored(path)) return;
      const rel = this.rel(path);
      if (this.opts.accept && !this.opts.accept(rel)) return;
      if (added) {
        this.scanCount++;
        this.emit({ type: 'file-seen', path, rel });
      }
      this.files.touch(path);
    };
    const w = watch(this.root, {
      persistent: true,
      ignoreInitial: false,
      depth: this.opts.recursive ? undefined : 0,
      backend: this.opts.usePolling ? 'polling' : 'auto',
      pollingInterval: this.opts.pollIntervalMs ?? 1000,
      ignored: (p: string) => this.isIgnored(p),
    });
    w.on('add', (p) => onFile(resolve(p), true));
    w.on('change', (p) => onFile(resolve(p), false));
    w.on('unlink', (p) => {
      const path = resolve(p);
      if (!live() || !this.files.remove(path)) return;
      this.emit({ type: 'file-removed', path, rel: this.rel(path) });
    });
    w.on('unlinkDir', (p) => live() && resolve(p) === this.root && void this.checkRoot());
    w.on('error', (err) => live() && this.emit({ type: 'warning', message: `Watching ${this.root}: ${(err as Error)?.message ?? err}` }));
    w.on('ready', () => {
      if (!live()) return;
      this.scanned = true;
      this.emit({ type: 'scan-done', root: this.root, files: this.scanCount });
    });
    this.chok = w;
  }

  private async closeChokidar(): Promise<void> {
    const w = this.chok;
    this.chok = undefined;
    this.generation++;
    this.scanned = false;
    if (w) await w.close().catch(() => undefined); // closing a watcher on a vanished folder may complain
  }

  private isIgnored(p: string): boolean {
    const abs = resolve(p);
    if (abs === this.root || !abs.startsWith(this.root + sep)) return false; // root and its ancestors
    if (this.ignorePaths.some((ig) => abs === ig || abs.startsWith(ig + sep))) return true;
    if (this.opts.ignore?.(this.rel(abs))) return true;
    // Every component below root, so a hidden folder hides its whole sub-tree.
    return this.rel(abs).split('/').some(isIgnoredName);
  }
}
