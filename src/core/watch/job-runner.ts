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
 * than the image, say) is permanent too. The recorded error starts with the code ("E_CORRUPT: ...") so a
 * later session can tell a transient give-up, which it tries again, from a permanent failure, which it skips.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LabError } from '../errors';
import type { JobRecord, JobStore } from '../jobs/store';
import { makeProgress } from '../progress';
import { sha256File } from '../results/result-folder';
import type { WatchEvents } from './events';
import { adoptResultFolder } from './outputs';
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

/** See "Note: watch errors". */
export function classifyError(err: unknown): { kind: ErrorKind; code: string; message: string } {
  const message = (err as Error)?.message ?? String(err);
  const errno = (err as NodeJS.ErrnoException)?.code;
  if ((err as Error)?.name === 'AbortError' || errno === 'E_CANCELLED' || errno === 'ABORT_ERR') return { kind: 'cancelled', code: 'E_CANCELLED', message };
  if (!(err instanceof LabError) && errno && TRANSIENT_ERRNO.has(errno)) return { kind: 'transient', code: 'E_IO', message };
  const code = err instanceof LabError ? err.code : 'E_INTERNAL';
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
    store.markFailed(job.id, `E_CORRUPT: the stored parameters of job ${job.id} are not those of a watch job (${parsed.error.issues[0]?.message}).`);
    return;
  }
  const p = parsed.data;
  const base = { jobId: job.id, kind: job.kind, rule: p.watch.rule, inputs: p.watch.inputs.map((i) => i.rel) };
  const fail = (code: string, reason: string, permanent: boolean) => {
    store.markFailed(job.id, `${code}: ${reason}`);
    events.emit({ type: 'job-failed', ...base, code, reason, permanent });
  };
  if (job.attempts >= deps.maxStarts) {
    return fail('E_INTERNAL', `Started ${job.attempts} times without finishing (the process stopped while running it each time); not started again.`, true);
  }
  try {
    store.markRunning(job.id);
  } catch {
    return; // taken or cancelled meanwhile: not ours to run
  }
  events.emit({ type: 'job-started', ...base, attempt: job.attempts + 1 });
  if (isReservedTask(job.kind)) return fail('E_UNSUPPORTED', notAvailableMessage(job.kind), true);

  const outDir = join(p.watch.out, p.watch.folder.replaceAll('{job}', String(job.id)));
  const t0 = performance.now();
  let last = { t: 0, f: -1, m: '' as string | undefined };
  const progress = makeProgress((fraction, message) => {
    const t = performance.now();
    // A line every 10 %, 0.5 s or change of stage is plenty for a log and for IPC.
    if (fraction < 1 && message === last.m && t - last.t < 500 && fraction - last.f < 0.1) return;
    last = { t, f: fraction, m: message };
    events.emit({ type: 'job-progress', jobId: job.id, fraction, message });
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.whenFolderPresent(ctl.signal);
      const adopted = await adoptResultFolder(outDir);
      if (adopted) {
        store.markDone(job.id, { resultDir: outDir, files: adopted });
        events.emit({ type: 'job-done', ...base, outDir, ms: Math.round(performance.now() - t0), adopted: true });
        return;
      }
      for (const inp of p.watch.inputs) {
        if ((await sha256File(inp.path)) === inp.sha256) continue;
        const reason = `${inp.rel} changed after this job was queued; the new content is a job of its own.`;
        store.markCancelled(job.id, reason);
        events.emit({ type: 'job-cancelled', jobId: job.id, reason });
        return;
      }
      if (ctl.signal.aborted) return stopped(job.id, deps, ctl); // stopped while we checked the inputs
      const params = taskParams(p.task, p.watch.inputs, outDir);
      const res = await deps.runTask(job.kind, params, { signal: ctl.signal, progress });
      store.markDone(job.id, { resultDir: res.outDir, files: res.files });
      events.emit({ type: 'job-done', ...base, outDir: res.outDir, ms: Math.round(performance.now() - t0), adopted: false });
      return;
    } catch (err) {
      const c = classifyError(err);
      if (ctl.signal.aborted || c.kind === 'cancelled') return stopped(job.id, deps, ctl);
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
function stopped(id: number, deps: RunnerDeps, ctl: AbortController): void {
  if ((ctl.signal.reason as StopReason) === 'cancel') {
    deps.store.markCancelled(id, 'cancelled by the user');
    deps.events.emit({ type: 'job-cancelled', jobId: id, reason: 'cancelled by the user' });
  } else {
    deps.store.requeue(id);
    deps.events.emit({ type: 'job-requeued', jobId: id, reason: 'the watcher stopped; it runs again at the next start' });
  }
}
