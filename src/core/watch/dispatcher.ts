/**
 * @file From ready files to finished jobs: hashes each ready file, asks the rules which jobs it completes
 * (matcher.ts), records each new job in the durable job store under its input key, and runs queued jobs
 * with a concurrency limit (job-runner.ts). The heavy work goes through an injected `runTask`, so the
 * app can send it to its compute host while the CLI runs it in-process (tasks.ts).
 *
 * Note: watch exactly-once. Every input of a job is processed once, whatever crashes, because:
 *  1. A job's identity is its input key: sha256 over task kind, rule name, task parameters, output root,
 *     and each input's role, relative path and sha256 (content, not mtime). The check "is there a
 *     queued, running, done, or permanently failed job with this key?" and the INSERT are one SQLite write
 *     transaction (createJobUnlessKey), so a rescan after a restart, a folder that came back, or a file
 *     touched without changing proposes the same key and is skipped.
 *  2. A crash before the INSERT loses nothing: the file is still in the folder, the restart's scan
 *     proposes it again. A crash after it leaves the job 'queued' or 'running'; on start
 *     requeueInterrupted() puts 'running' back to 'queued' and every queued job of this output folder
 *     runs. markRunning is a conditional UPDATE, so a job is claimed by one runner only.
 *  3. Results are written to a hidden temp folder and renamed (result-folder.ts); the folder name carries
 *     the job id. A crash mid-write leaves only `.NAME.partial-PID-*`, removed on the next start once
 *     that PID is gone; a crash between the rename and markDone leaves a complete folder, which the
 *     re-run adopts (its task and input sha256 checked against the job, its files against result.json)
 *     instead of computing it again. A same-named folder that is not the job's (ids start at 1 again with
 *     a new job database) is left alone, and the job writes to a fresh name beside it (outputs.ts).
 *  4. One watcher per job database: a lock file beside it (outputs.ts), because requeueInterrupted would
 *     otherwise hand a live watcher's running jobs to a second one.
 * What is not covered: a file replaced by identical bytes is not processed again (by design), and a
 * job that kills the process every time it runs is failed after `maxStarts` starts rather than retried forever.
 */
import { resolve } from 'node:path';
import { computeInputKey, type JobRecord, type JobStore } from '../jobs/store';
import { sha256File } from '../results/result-folder';
import type { WatchEvent, WatchEvents } from './events';
import { isRetryableFailure, retryStateWrites, runWatchJob, WatchJobParamsSchema, type RunnerDeps, type StopReason, type WatchJobParams } from './job-runner';
import { outputTemplate, RuleMatcher, type JobSpec } from './matcher';
import { removeStalePartials } from './outputs';
import type { RulesFile } from './rules';
import type { RunTask } from './tasks';

export interface DispatcherOptions {
  store: JobStore;
  rules: RulesFile;
  /** the watched folder */
  root: string;
  /** where result folders go */
  outDir: string;
  runTask: RunTask;
  events: WatchEvents;
  /** jobs run at once (default 1) */
  concurrency?: number;
  /** tries per job for transient errors (default 4) */
  maxAttempts?: number;
  /** first back-off delay, doubled per try (default 1000 ms), capped at maxBackoffMs (default 30 000) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** see RunnerDeps.maxStarts (default 5) */
  maxStarts?: number;
  /** call store.requeueInterrupted() on start (default true; the app, which does it at launch, passes false) */
  requeueOnStart?: boolean;
  /** how often job states the database refused are tried again, ms (default 5000; Note: state writes, job-runner.ts) */
  stateRetryMs?: number;
}

export class Dispatcher {
  readonly matcher: RuleMatcher;
  private readonly root: string;
  private readonly out: string;
  private readonly deps: RunnerDeps;
  private readonly concurrency: number;
  private readonly queue: number[] = [];
  private readonly active = new Map<number, { ctl: AbortController; done: Promise<void> }>();
  private readonly toHash: { path: string; rel: string; size: number }[] = [];
  private hashing = new Set<Promise<void>>();
  /** ready files held until the folder's scan is over, so series rules know every index first */
  private readonly backlog: { path: string; rel: string; size: number }[] = [];
  private scanning = true;
  private present = true;
  private presentWaiters: (() => void)[] = [];
  private stopping = false;
  private off: (() => void) | undefined;
  private stateRetryTimer: NodeJS.Timeout | undefined;
  /** jobs that could not be claimed (the database failed) and are queued again after a delay */
  private readonly delayed = new Map<number, NodeJS.Timeout>();

  constructor(private readonly opts: DispatcherOptions) {
    this.matcher = new RuleMatcher(opts.rules);
    this.root = resolve(opts.root);
    this.out = resolve(opts.outDir);
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.deps = {
      store: opts.store,
      runTask: opts.runTask,
      events: opts.events,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 4),
      backoffMs: opts.backoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      maxStarts: opts.maxStarts ?? 5,
      whenFolderPresent: (signal) => this.whenPresent(signal),
      requeueLater: (id) => this.requeueLater(id),
    };
  }

  /** Cleans up after a crash and queues the jobs left from earlier runs (Note: watch exactly-once, 2–3). */
  async start(): Promise<{ requeued: number; resumed: number; removedPartials: string[] }> {
    this.retryStateWrites(); // left by an earlier session on this store (the app keeps one open)
    const removedPartials = await removeStalePartials(this.out);
    const requeued = this.opts.requeueOnStart === false ? 0 : this.opts.store.requeueInterrupted();
    const mine = this.opts.store.listOldest('queued').filter((j) => this.owns(j));
    // retryStateWrites above may already have queued (and started) a job it put back to 'queued'
    this.queue.push(...mine.map((j) => j.id).filter((id) => !this.queue.includes(id) && !this.active.has(id)));
    this.off = this.opts.events.on((ev) => this.handle(ev));
    this.pump();
    return { requeued, resumed: mine.length, removedPartials };
  }

  /** Gives running jobs back to the queue ('stop') or cancels them ('cancel'), and waits for them. */
  async stop(how: StopReason = 'stop'): Promise<void> {
    this.stopping = true;
    this.off?.();
    for (const w of this.presentWaiters.splice(0)) w();
    for (const t of this.delayed.values()) clearTimeout(t); // still 'queued' in the store: the next start runs them
    this.delayed.clear();
    for (const a of this.active.values()) a.ctl.abort(how);
    await Promise.all([...this.hashing, ...[...this.active.values()].map((a) => a.done)]);
    clearTimeout(this.stateRetryTimer);
    this.stateRetryTimer = undefined;
    this.retryStateWrites();
  }

  /**
   * Queues a job already recorded as 'queued' in the store (a retry made by the app); false if it is not
   * a queued job of this output folder or the dispatcher is stopping.
   */
  enqueueExisting(jobId: number): boolean {
    const job = this.opts.store.getJob(jobId);
    if (this.stopping || !job || job.state !== 'queued' || !this.owns(job) || this.queue.includes(jobId) || this.active.has(jobId)) return false;
    this.queue.push(jobId);
    this.pump();
    return true;
  }

  /** Cancels one job of this session (queued or running); false if it is not one. */
  cancel(jobId: number): boolean {
    const at = this.queue.indexOf(jobId);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.opts.store.markCancelled(jobId, 'cancelled by the user');
      this.opts.events.emit({ type: 'job-cancelled', jobId, reason: 'cancelled by the user' });
      return true;
    }
    const a = this.active.get(jobId);
    a?.ctl.abort('cancel' satisfies StopReason);
    return Boolean(a);
  }

  /** Nothing to hash, nothing queued, nothing running. */
  isIdle(): boolean {
    return (
      this.backlog.length === 0 && this.toHash.length === 0 && this.hashing.size === 0 && this.queue.length === 0 && this.active.size === 0 &&
      this.delayed.size === 0
    );
  }

  status(): { queued: number; running: number; hashing: number; waitingForPartner: string[] } {
    return { queued: this.queue.length, running: this.active.size, hashing: this.toHash.length + this.hashing.size, waitingForPartner: this.matcher.unmatched() };
  }

  private owns(job: JobRecord): boolean {
    const p = WatchJobParamsSchema.safeParse(job.params);
    return p.success && resolve(p.data.watch.out) === this.out;
  }

  private handle(ev: WatchEvent): void {
    switch (ev.type) {
      case 'file-seen':
        return this.matcher.seen(ev.rel);
      case 'file-ready':
        (this.scanning ? this.backlog : this.toHash).push({ path: ev.path, rel: ev.rel, size: ev.size });
        return this.hashMore();
      case 'file-removed':
        return this.matcher.removed(ev.rel);
      case 'file-failed':
        this.matcher.forget(ev.rel);
        return this.recordFileFailure(ev);
      case 'scan-done':
        this.scanning = false;
        this.toHash.push(...this.backlog.splice(0));
        return this.hashMore();
      case 'folder-missing':
        this.present = false;
        this.scanning = true;
        this.backlog.length = 0;
        return this.matcher.reset();
      case 'folder-back':
        this.present = true;
        for (const w of this.presentWaiters.splice(0)) w();
        return this.pump();
    }
  }

  private whenPresent(signal: AbortSignal): Promise<void> {
    if (this.present || this.stopping) return Promise.resolve();
    return new Promise((res, rej) => {
      const onAbort = () => rej(Object.assign(new Error('The task was cancelled.'), { name: 'AbortError' }));
      signal.addEventListener('abort', onAbort, { once: true });
      this.presentWaiters.push(() => (signal.removeEventListener('abort', onAbort), res()));
    });
  }

  /** sha256 of ready files, two at a time: enough to keep a disk busy, bounded memory in a burst. */
  private hashMore(): void {
    while (!this.stopping && this.hashing.size < 2 && this.toHash.length) {
      const f = this.toHash.shift()!;
      const p: Promise<void> = sha256File(f.path)
        .then((sha256) => {
          if (this.stopping) return;
          for (const spec of this.matcher.ready({ ...f, sha256 })) this.enqueue(spec);
        })
        .catch((err: Error) => this.opts.events.emit({ type: 'warning', message: `${f.rel} could not be read to checksum it (${err.message}); it is looked at again when it changes.` }))
        .finally(() => {
          this.hashing.delete(p);
          this.hashMore();
        });
      this.hashing.add(p);
    }
  }

  private enqueue(spec: JobSpec): void {
    const task = spec.rule.rule.task;
    const inputs = spec.inputs.map((i) => ({ role: i.role, rel: i.file.rel, path: i.file.path, sha256: i.file.sha256 }));
    const params: WatchJobParams = {
      watch: { root: this.root, out: this.out, rule: spec.rule.name, index: spec.index, folder: outputTemplate(spec), inputs },
      task,
    };
    const keyParams = { rule: spec.rule.name, task, out: this.out, inputs: inputs.map(({ role, rel }) => ({ role, rel })) };
    const inputKey = computeInputKey(task.kind, keyParams, inputs.map((i) => i.sha256));
    const base = { kind: task.kind, rule: spec.rule.name, inputs: inputs.map((i) => i.rel) };
    try {
      const r = this.opts.store.createJobUnlessKey({ kind: task.kind, params, inputKey }, (j) =>
        j.state === 'failed' ? !isRetryableFailure(j) : j.state !== 'cancelled',
      );
      if (!r.created) return this.opts.events.emit({ type: 'job-skipped', jobId: r.job.id, ...base, state: r.job.state });
      this.opts.events.emit({ type: 'job-queued', jobId: r.job.id, ...base });
      this.queue.push(r.job.id);
      this.pump();
    } catch (err) {
      this.opts.events.emit({ type: 'warning', message: `A job for ${base.inputs.join(' + ')} could not be recorded: ${(err as Error).message}` });
    }
  }

  /** A file that never completed or is no image: one failed job in the history, recorded once. */
  private recordFileFailure(ev: Extract<WatchEvent, { type: 'file-failed' }>): void {
    const inputKey = computeInputKey('watch.file', { rel: ev.rel, out: this.out, code: ev.code, reason: ev.reason });
    try {
      const params = { watch: { root: this.root, out: this.out, rel: ev.rel, path: ev.path } };
      const r = this.opts.store.createJobUnlessKey({ kind: 'watch.file', params, inputKey }, () => true);
      if (r.created) this.opts.store.markFailed(r.job.id, `${ev.code}: ${ev.reason}`);
    } catch (err) {
      this.opts.events.emit({ type: 'warning', message: `The failure of ${ev.rel} could not be recorded: ${(err as Error).message}` });
    }
  }

  /**
   * A job the runner could not claim because the job database failed (Note: state writes, job-runner.ts):
   * it is still 'queued' there, so it is queued again here after stateRetryMs.
   */
  private requeueLater(id: number): void {
    if (this.stopping || this.delayed.has(id)) return;
    const t = setTimeout(() => {
      this.delayed.delete(id);
      try {
        this.enqueueExisting(id);
      } catch (err) {
        // the database is still failing: reading the job back threw; try again later
        this.opts.events.emit({ type: 'warning', message: `Job ${id} could not be read back from the job history (${(err as Error).message}); it is tried again shortly.` });
        this.requeueLater(id);
      }
    }, this.opts.stateRetryMs ?? 5000);
    t.unref();
    this.delayed.set(id, t);
  }

  /**
   * See Note: state writes (job-runner.ts); while any is left, tried again every stateRetryMs. A job a
   * replayed write put back to 'queued' is queued in this session too, or it would wait for the next one.
   */
  private retryStateWrites(): void {
    const left = retryStateWrites(this.opts.store, this.opts.events, (id, state) => {
      if (state !== 'queued') return;
      try {
        this.enqueueExisting(id);
      } catch {
        this.requeueLater(id); // the database failed reading it back: queued again after a delay
      }
    });
    if (left === 0 || this.stopping || this.stateRetryTimer) return;
    this.stateRetryTimer = setTimeout(() => {
      this.stateRetryTimer = undefined;
      this.retryStateWrites();
    }, this.opts.stateRetryMs ?? 5000);
    this.stateRetryTimer.unref();
  }

  private pump(): void {
    while (!this.stopping && this.present && this.active.size < this.concurrency && this.queue.length) {
      const id = this.queue.shift()!;
      const job = this.opts.store.getJob(id);
      if (!job || job.state !== 'queued') continue;
      const ctl = new AbortController();
      const done = runWatchJob(job, this.deps, ctl).finally(() => {
        this.active.delete(id);
        this.retryStateWrites();
        this.pump();
      });
      this.active.set(id, { ctl, done });
    }
  }
}
