/**
 * @file Runs one watch job from 'queued' to a final state (or back to 'queued' when the watcher stops):
 * claim it, check its inputs are still the files it was made from, adopt a result folder a crashed run
 * already finished, run the task, retry transient failures with exponential back-off, and fail the rest
 * with the reason recorded. The raw input files are only ever read.
 *
 * Note: watch errors. Transient (worth trying again: the file is fine, the moment was not): E_IO, E_RUNTIME,
 * E_NOT_FOUND (a share that blinked) and raw EBUSY/EAGAIN/EMFILE/ETIMEDOUT/EIO/ESTALE/EACCES/EPERM (Windows
 * antivirus and SMB locks). Bad input (quarantined: the job fails, the file stays where and as it is):
 * E_UNSUPPORTED, E_TRUNCATED, E_CORRUPT, E_SIZE_MISMATCH. Anything else (E_INVALID_INPUT: a window larger
 * than the image, say) is permanent too, and so is a model id the model manifest does not list (an
 * E_NOT_FOUND recorded as E_INVALID_INPUT: the rule is wrong, retrying cannot help). The recorded error starts with the code ("E_CORRUPT: ...") so a
 * later session can tell a transient give-up, which it tries again, from a permanent failure, which it skips.
 *
 * Note: state writes. A job's new state is one SQLite write, which a full disk (SQLITE_FULL) or a busy
 * database can refuse. Unrecorded, the row would stay 'running' and every rescan would skip its files as
 * "identical inputs already running" for the rest of the app session. So a state write is tried a few
 * times, a short delay apart; if it still fails it is kept in memory per job store (not per session,
 * because the app keeps one store across sessions) and the dispatcher tries it again after each job, on
 * a timer while any is left, on stop, and when a session starts on that store. Should the process end
 * first, the row is still 'running'; requeueInterrupted at the next start queues it again, and the re-run
 * adopts the result folder it finished. A write the store refuses for good (the job was cancelled or
 * retried meanwhile: E_INVALID_INPUT, E_NOT_FOUND) is not a storage hiccup and is not repeated. The same
 * holds for claiming a job (markRunning): a refusal means someone else took it; any other failure leaves it
 * 'queued' in the database, so the dispatcher queues it again after a delay (`requeueLater`).
 *
 * Note: compute host deaths. Run in the compute host, one image can kill the process (out of memory).
 * The client then rejects that run with `hostStopped` (compute/client.ts), and after a few deaths its
 * crash guard refuses every run for a while with `retryAfterMs`. A refused run never started, so the job
 * waits the window out without spending an attempt: otherwise every job queued behind a poison image would
 * burn its attempts in seconds and fail. A job whose own run killed the host is tried once more (the death
 * may have been someone else's fault, a tile pool, a driver) and then failed for good, naming its files,
 * so one poison image cannot take the queue down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { crashLoopRetryAfterMs, isHostStoppedError } from '../compute/client';
import { LabError } from '../errors';
import type { JobRecord, JobStore } from '../jobs/store';
import { makeProgress } from '../progress';
import { sha256File } from '../results/result-folder';
import type { WatchEvents } from './events';
import { expectedSettings, resultFolderFor } from './outputs';
import { TaskSchema } from './rules';
import { isReservedTask, notAvailableMessage, taskParams, type RunTask } from './tasks';

export const WatchJobParamsSchema = z.object({
  watch: z.object({
    root: z.string(),
    out: z.string(),
    rule: z.string(),
    index: z.string(),
    /** result folder name with "{job}" still in it */
    folder: z.string().includes('{job}'),
    inputs: z.array(z.object({ role: z.enum(['reference', 'sample', 'image']), rel: z.string(), path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
  }),
  task: TaskSchema,
});
export type WatchJobParams = z.output<typeof WatchJobParamsSchema>;

const TRANSIENT_ERRNO = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'ETIMEDOUT', 'ECONNRESET', 'EIO', 'ESTALE', 'EACCES', 'EPERM', 'ENOSPC']);
const TRANSIENT_CODES = new Set(['E_IO', 'E_RUNTIME', 'E_NOT_FOUND']);
const BAD_INPUT_CODES = new Set(['E_UNSUPPORTED', 'E_TRUNCATED', 'E_CORRUPT', 'E_SIZE_MISMATCH']);

export type ErrorKind = 'transient' | 'bad-input' | 'permanent' | 'cancelled';

/**
 * The E_NOT_FOUND of a model id that neither the manifest (findModel, infer/manifest.ts) nor the model
 * catalog of shipped and user models (locateModel, infer/model-catalog.ts) lists. It comes back from the
 * compute host as code and message only, so it is told by its message; should the message change, such a
 * job is merely retried as transient again.
 */
const MISSING_MODEL = /^No model "[^"]*" (in the model manifest|among the shipped models)/;

/** See "Note: watch errors". */
export function classifyError(err: unknown): { kind: ErrorKind; code: string; message: string } {
  const message = (err as Error)?.message ?? String(err);
  const errno = (err as NodeJS.ErrnoException)?.code;
  if ((err as Error)?.name === 'AbortError' || errno === 'E_CANCELLED' || errno === 'ABORT_ERR') return { kind: 'cancelled', code: 'E_CANCELLED', message };
  if (!(err instanceof LabError) && errno && TRANSIENT_ERRNO.has(errno)) return { kind: 'transient', code: 'E_IO', message };
  const code = err instanceof LabError ? err.code : 'E_INTERNAL';
  if (code === 'E_NOT_FOUND' && MISSING_MODEL.test(message)) {
    // A mistyped model id in the rule, not a share that blinked: no retry, and no later session runs it again.
    return { kind: 'permanent', code: 'E_INVALID_INPUT', message: `${message} Correct the model id in the rule; the other jobs of this rule fail the same way until then.` };
  }
  if (TRANSIENT_CODES.has(code)) return { kind: 'transient', code, message };
  return { kind: BAD_INPUT_CODES.has(code) ? 'bad-input' : 'permanent', code, message };
}

/** A failed job whose recorded error is transient: a new session may try its inputs again. */
export function isRetryableFailure(job: JobRecord): boolean {
  return job.state === 'failed' && TRANSIENT_CODES.has((job.error ?? '').split(':')[0]);
}

export interface RunnerDeps {
  store: JobStore;
  runTask: RunTask;
  events: WatchEvents;
  /** tries per run for transient errors (1 = no retry) */
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** a job started this many times without finishing (the process died each time) is failed, not retried */
  maxStarts: number;
  /** resolves when the watched folder is present (jobs wait rather than fail while a share is away) */
  whenFolderPresent(signal: AbortSignal): Promise<void>;
  /**
   * Called when a queued job could not be claimed because the job database failed (not refused): the job
   * is still 'queued' there and must be queued again in this session after a short delay.
   */
  requeueLater(jobId: number): void;
}

/** Runs of one job that kill the compute host before it is failed for good (see Note: compute host deaths). */
const MAX_HOST_DEATHS = 2;
/** Recorded code of such a job: not a transient code, so no later session runs it again. */
const HOST_DEATH_CODE = 'E_INTERNAL';
/** Added to the crash guard's own wait, so the retry lands after its window, not on its edge. */
const REFUSAL_MARGIN_MS = 50;

/** Delays between the tries of one state write (see Note: state writes). */
const STATE_WRITE_DELAYS_MS = [50, 250];

interface PendingWrite {
  /** the new state ('done', 'failed', 'cancelled', 'queued'), also for messages */
  what: string;
  write: () => void;
}
const pendingWrites = new WeakMap<JobStore, Map<number, PendingWrite>>();

/** The store said no to the transition itself (not to the disk): trying again cannot help. */
const isRefusal = (err: unknown) => err instanceof LabError && (err.code === 'E_INVALID_INPUT' || err.code === 'E_NOT_FOUND');

/**
 * Records a job's new state (see Note: state writes). Returns false when it could not be recorded yet
 * and was left for retryStateWrites; throws only when the store refuses the transition.
 */
async function writeState(deps: RunnerDeps, id: number, what: string, write: () => void): Promise<boolean> {
  for (let k = 0; ; k++) {
    try {
      write();
      pendingWrites.get(deps.store)?.delete(id);
      return true;
    } catch (err) {
      if (isRefusal(err)) throw err;
      if (k < STATE_WRITE_DELAYS_MS.length) {
        await sleep(STATE_WRITE_DELAYS_MS[k]);
        continue;
      }
      let pending = pendingWrites.get(deps.store);
      if (!pending) pendingWrites.set(deps.store, (pending = new Map()));
      pending.set(id, { what, write });
      deps.events.emit({
        type: 'warning',
        message: `Job ${id} could not be recorded as ${what} in the job history (${(err as Error).message}); it is tried again shortly.`,
      });
      return false;
    }
  }
}

/**
 * Tries the state writes left over (see Note: state writes) once more; returns how many are still left.
 * `onRecorded` hears of each one recorded now, with its new state.
 */
export function retryStateWrites(store: JobStore, events: WatchEvents, onRecorded?: (jobId: number, state: string) => void): number {
  const pending = pendingWrites.get(store);
  if (!pending) return 0;
  for (const [id, p] of [...pending]) {
    try {
      p.write();
      pending.delete(id);
      events.emit({ type: 'warning', message: `Job ${id} is now recorded as ${p.what} in the job history.` });
      onRecorded?.(id, p.what);
    } catch (err) {
      if (!isRefusal(err)) continue;
      pending.delete(id);
      events.emit({ type: 'warning', message: `Job ${id} was not recorded as ${p.what}: ${(err as Error).message}` });
    }
  }
  return pending.size;
}

/** Why a running job's AbortController fired. */
export type StopReason = 'stop' | 'cancel';

/** Runs a queued job to the end. Never throws: problems with the job database become warnings. */
export async function runWatchJob(job: JobRecord, deps: RunnerDeps, ctl: AbortController): Promise<void> {
  try {
    await run(job, deps, ctl);
  } catch (err) {
    deps.events.emit({ type: 'warning', message: `Job ${job.id} could not be recorded in the job history: ${(err as Error).message}` });
  }
}

async function run(job: JobRecord, deps: RunnerDeps, ctl: AbortController): Promise<void> {
  const { store, events } = deps;
  const parsed = WatchJobParamsSchema.safeParse(job.params);
  if (!parsed.success) {
    const reason = `E_CORRUPT: the stored parameters of job ${job.id} are not those of a watch job (${parsed.error.issues[0]?.message}).`;
    await writeState(deps, job.id, 'failed', () => store.markFailed(job.id, reason));
    return;
  }
  const p = parsed.data;
  const base = { jobId: job.id, kind: job.kind, rule: p.watch.rule, inputs: p.watch.inputs.map((i) => i.rel) };
  const fail = async (code: string, reason: string, permanent: boolean) => {
    await writeState(deps, job.id, 'failed', () => store.markFailed(job.id, `${code}: ${reason}`));
    events.emit({ type: 'job-failed', ...base, code, reason, permanent });
  };
  if (job.attempts >= deps.maxStarts) {
    return fail('E_INTERNAL', `Started ${job.attempts} times without finishing (the process stopped while running it each time); not started again.`, true);
  }
  try {
    store.markRunning(job.id);
  } catch (err) {
    if (isRefusal(err)) return; // taken or cancelled meanwhile: not ours to run
    // The database failed (full, busy): the row is still 'queued', so it must not drop out of this session.
    events.emit({
      type: 'warning',
      message: `Job ${job.id} could not be started because the job history could not record it as running (${(err as Error)?.message ?? err}); it is tried again shortly.`,
    });
    deps.requeueLater(job.id);
    return;
  }
  events.emit({ type: 'job-started', ...base, attempt: job.attempts + 1 });
  if (isReservedTask(job.kind)) return fail('E_UNSUPPORTED', notAvailableMessage(job.kind), true);

  const identity = { kind: job.kind, inputs: p.watch.inputs, settings: expectedSettings(p.task) };
  const warned = new Set<string>();
  const t0 = performance.now();
  let last = { t: 0, f: -1, m: '' as string | undefined };
  const progress = makeProgress((fraction, message) => {
    const t = performance.now();
    // A line every 10 %, 0.5 s or change of stage is plenty for a log and for IPC.
    if (fraction < 1 && message === last.m && t - last.t < 500 && fraction - last.f < 0.1) return;
    last = { t, f: fraction, m: message };
    events.emit({ type: 'job-progress', jobId: job.id, fraction, message });
  });
  let hostDeaths = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.whenFolderPresent(ctl.signal);
      const target = await resultFolderFor(p.watch.out, p.watch.folder, job.id, identity);
      for (const x of target.passed) {
        if (warned.has(x.dir)) continue;
        warned.add(x.dir);
        events.emit({ type: 'warning', message: `The result folder ${x.dir} already exists and ${x.why}; it is left as it is, and job ${job.id} writes to ${target.dir} instead.` });
      }
      const outDir = target.dir;
      if (target.adopted) {
        const files = target.adopted;
        await writeState(deps, job.id, 'done', () => store.markDone(job.id, { resultDir: outDir, files }));
        events.emit({ type: 'job-done', ...base, outDir, ms: Math.round(performance.now() - t0), adopted: true });
        return;
      }
      for (const inp of p.watch.inputs) {
        if ((await sha256File(inp.path)) === inp.sha256) continue;
        const reason = `${inp.rel} changed after this job was queued; the new content is a job of its own.`;
        await writeState(deps, job.id, 'cancelled', () => store.markCancelled(job.id, reason));
        events.emit({ type: 'job-cancelled', jobId: job.id, reason });
        return;
      }
      if (ctl.signal.aborted) return stopped(job.id, deps, ctl); // stopped while we checked the inputs
      const params = taskParams(p.task, p.watch.inputs, outDir);
      const res = await deps.runTask(job.kind, params, { signal: ctl.signal, progress });
      await writeState(deps, job.id, 'done', () => store.markDone(job.id, { resultDir: res.outDir, files: res.files }));
      events.emit({ type: 'job-done', ...base, outDir: res.outDir, ms: Math.round(performance.now() - t0), adopted: false });
      return;
    } catch (err) {
      const c = classifyError(err);
      if (ctl.signal.aborted || c.kind === 'cancelled') return stopped(job.id, deps, ctl);
      const refusedForMs = crashLoopRetryAfterMs(err);
      if (refusedForMs !== undefined) {
        // Note: compute host deaths. The run never started: wait the crash guard out, and do not count it.
        attempt--;
        const delayMs = refusedForMs + REFUSAL_MARGIN_MS;
        events.emit({ type: 'job-retry', jobId: job.id, attempt: attempt + 1, delayMs, code: c.code, reason: c.message });
        try {
          await sleep(delayMs, undefined, { signal: ctl.signal });
        } catch {
          return stopped(job.id, deps, ctl);
        }
        continue;
      }
      if (isHostStoppedError(err) && ++hostDeaths >= MAX_HOST_DEATHS) {
        const files = p.watch.inputs.map((i) => i.rel).join(' + ');
        return fail(
          HOST_DEATH_CODE,
          `The compute process stopped while processing ${files} (for example, it ran out of memory on this image), ${hostDeaths} times in a row; ` +
            `this job is not tried again, so it cannot hold up the rest of the queue. Last error: ${c.message}`,
          true,
        );
      }
      if (c.kind !== 'transient' || attempt >= deps.maxAttempts) {
        const suffix = c.kind === 'transient' ? ` (gave up after ${attempt} attempts)` : '';
        return fail(c.code, c.message + suffix, c.kind !== 'transient');
      }
      const delayMs = Math.min(deps.maxBackoffMs, deps.backoffMs * 2 ** (attempt - 1));
      events.emit({ type: 'job-retry', jobId: job.id, attempt: attempt + 1, delayMs, code: c.code, reason: c.message });
      try {
        await sleep(delayMs, undefined, { signal: ctl.signal });
      } catch {
        return stopped(job.id, deps, ctl);
      }
    }
  }
}

/** The job was interrupted: back to the queue when the watcher stops, cancelled when the user asked. */
async function stopped(id: number, deps: RunnerDeps, ctl: AbortController): Promise<void> {
  if ((ctl.signal.reason as StopReason) === 'cancel') {
    await writeState(deps, id, 'cancelled', () => deps.store.markCancelled(id, 'cancelled by the user'));
    deps.events.emit({ type: 'job-cancelled', jobId: id, reason: 'cancelled by the user' });
  } else {
    await writeState(deps, id, 'queued', () => deps.store.requeue(id));
    deps.events.emit({ type: 'job-requeued', jobId: id, reason: 'the watcher stopped; it runs again at the next start' });
  }
}
