/**
 * @file The app's acquisition-folder session manager, behind the `watch.*`, `jobs.retry` and `jobs.cancel`
 * calls: one watch session at a time (src/core/watch/session.ts) on the app's own job store (the one
 * `jobs.list` reads), its tasks run in the compute host (compute/watch-ops.ts) rather than in the back-end
 * process, every engine event forwarded unchanged as `watch.event`, and a live queue (one row per job of
 * the session, or per file that failed before it became a job) that `watch.status` returns so a renderer
 * that reloads mid-session sees the same rows. Errors are LabErrors naming the folder or file at fault.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { CallOutput, EventName, EventPayload } from '../../shared/contract';
import type { ComputeClient } from '../compute/client';
import { computeRunTask } from '../compute/watch-ops';
import { LabError } from '../errors';
import type { JobRecord, JobStore } from '../jobs/store';
import { WatchEvents, type WatchEvent } from '../watch/events';
import { WatchJobParamsSchema } from '../watch/job-runner';
import { loadRules, ruleName, validateRules, type RulesFile, type TaskSpec } from '../watch/rules';
import { startWatch, type WatchSession, type WatchSessionOptions } from '../watch/session';
import type { RunTask } from '../watch/tasks';

export type WatchStatus = CallOutput<'watch.status'>;
export type QueueEntry = WatchStatus['queue'][number];
export type RulesSummary = NonNullable<WatchStatus['rulesSummary']>;
type StartInput = { folder: string; rules: string | Record<string, unknown>; outDir?: string; options: WatchOptions };
type WatchOptions = {
  stableMs?: number;
  pollMs?: number;
  recursive?: boolean;
  concurrency?: number;
  maxAttempts?: number;
  completeTimeoutMs?: number;
  allowOutputInside?: boolean;
};

export interface WatchServiceDeps {
  jobs: JobStore;
  compute: ComputeClient;
  /** the app's results directory; default output folders go to RESULTS/watch/<folder name> */
  resultsDir: string;
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
  /** folder of example rules files (default: resources/rules of this checkout, or $LAB_RULES_DIR) */
  examplesDir?: string;
  /** default: each task in the compute host */
  runTask?: RunTask;
  /** tracker threads from Settings for track and xpci tasks (undefined = every core), as track.run uses them */
  trackerThreads?: () => Promise<number | undefined>;
  /** engine timings fixed by the caller (tests) */
  engine?: Partial<Pick<WatchSessionOptions, 'rootCheckMs' | 'backoffMs' | 'maxBackoffMs' | 'completeTimeoutMs' | 'stableMs'>>;
}

export interface WatchService {
  start(input: StartInput): Promise<WatchStatus>;
  stop(how: 'stop' | 'cancel'): Promise<WatchStatus>;
  status(): WatchStatus;
  validateText(text: string): CallOutput<'watch.validateRules'>;
  examples(): Promise<CallOutput<'watch.examples'>>;
  retry(jobId: number): Promise<JobRecord>;
  cancel(jobId: number): { cancelled: boolean };
  /** Stops the session (running jobs back to the queue) and every timer: app quit, harness shutdown. */
  shutdown(): Promise<void>;
}

/** Rows kept in the live queue (the oldest finished ones go first). */
export const QUEUE_MAX = 300;
const EDITED_RULES = '(edited rules)';

export function defaultExamplesDir(): string {
  return process.env.LAB_RULES_DIR ?? resolve(import.meta.dirname, '..', '..', '..', 'resources', 'rules');
}

// ---------- rules as people read them ----------

function taskText(t: TaskSpec): string {
  switch (t.kind) {
    case 'track':
      return `track (${t.method}, step ${t.step} px${t.strainWindow ? `, strain window ${t.strainWindow}` : ''})`;
    case 'xpci':
      return `xpci (${t.method ?? 'umpa'}, ${t.geometry.energyKeV} keV, ${t.geometry.distanceM} m)`;
    case 'info':
      return `info (metadata, statistics${t.preview === false ? '' : ', preview'})`;
    case 'deblur':
      return `deblur (${t.method}${t.method === 'richardson-lucy' ? `, σ ${t.sigma ?? 'estimated'}` : ''})`;
    case 'super-resolution':
    case 'sr':
      return `super-resolution ×${t.scale} (${t.method}${t.method === 'usrnet' ? `, kernel ${t.kernel ?? `bicubic:${t.scale}`}, noise ${t.noise ?? 0}` : ''})`;
    default:
      return `${(t as { kind: string }).kind} (not available in this version)`;
  }
}

/** One line per rule: which files make a job, and what the job does. */
export function summariseRules(rules: RulesFile): RulesSummary {
  return {
    description: rules.description ?? null,
    rules: rules.rules.map((r, i) => {
      const to = ` → ${taskText(r.task)}`;
      let text: string;
      if (r.type === 'single') text = `every file matching "${r.match}"${to}`;
      else if (r.type === 'pair') text = `"${r.reference}" paired with "${r.sample}" of the same index${to}`;
      else if (r.mode === 'fixed-reference') text = `each frame "${r.frames}" against the reference "${r.reference}"${to}`;
      else if (r.mode === 'first-frame') text = `each frame "${r.frames}" against the ${r.referenceIndex !== undefined ? `frame with index ${r.referenceIndex}` : 'first frame'}${to}`;
      else text = `each frame "${r.frames}" against the previous frame${to}`;
      return { name: ruleName(r, i), type: r.type, task: r.task.kind, text };
    }),
  };
}

/** Rules text from the editor: every mistake (JSON syntax or rules format), or the summary. */
export function validateRulesText(text: string): CallOutput<'watch.validateRules'> {
  if (!text.trim()) return { ok: false, mistakes: ['The rules are empty: paste a rules JSON object here, or load an example.'], summary: null };
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, mistakes: [`Not valid JSON: ${(err as Error).message}.`], summary: null };
  }
  const v = validateRules(json);
  return v.ok ? { ok: true, mistakes: [], summary: summariseRules(v.rules) } : { ok: false, mistakes: v.mistakes, summary: null };
}

const emptyCounts = () => ({ queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 });

/** Calls `fn` at most once per `ms`, after the last request of a burst (trailing). */
function coalesce(fn: () => void, ms: number): { request(): void; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  return {
    request() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
      timer.unref?.();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export function createWatchService(deps: WatchServiceDeps): WatchService {
  const baseRunTask = deps.runTask ?? computeRunTask(deps.compute);
  // Watched tracking uses the thread count the user set in Settings, like a run started by hand.
  const runTask: RunTask = async (kind, params, ctx) => {
    const threads = (kind === 'track' || kind === 'xpci') && deps.trackerThreads ? await deps.trackerThreads() : undefined;
    return baseRunTask(kind, threads === undefined ? params : { ...params, threads }, ctx);
  };
  let session: WatchSession | null = null;
  let busy = false;
  let info: { folder: string | null; outDir: string | null; rulesSource: string | null; rulesSummary: RulesSummary | null; startedAt: string | null; stoppedAt: string | null } = {
    folder: null, outDir: null, rulesSource: null, rulesSummary: null, startedAt: null, stoppedAt: null,
  };
  let folderPresent = true;
  const queue = new Map<string, QueueEntry>();

  const status = (): WatchStatus => {
    const counts = emptyCounts();
    for (const e of queue.values()) counts[e.state]++;
    return {
      running: session !== null,
      ...info,
      folderPresent,
      counts,
      waitingForPartner: session ? session.dispatcher.status().waitingForPartner.slice(0, 50) : [],
      queue: [...queue.values()].reverse().slice(0, QUEUE_MAX),
    };
  };
  const statusEvent = coalesce(() => deps.emit('watch.status', status()), 250);
  const jobsEvent = coalesce(() => deps.emit('jobs.changed', { count: deps.jobs.count() }), 200);

  /** The queue row for `key`, created from `init` if new; rows move to the end (newest) when they change state. */
  function upsert(key: string, init: () => Omit<QueueEntry, 'updatedAt'>, patch: Partial<QueueEntry> = {}): QueueEntry {
    const prev = queue.get(key) ?? { ...init(), updatedAt: '' };
    const next = { ...prev, ...patch, updatedAt: new Date().toISOString() };
    if (patch.state && patch.state !== prev.state) queue.delete(key);
    queue.set(key, next);
    if (queue.size > QUEUE_MAX) {
      for (const [k, e] of queue) {
        if (queue.size <= QUEUE_MAX) break;
        if (e.state !== 'queued' && e.state !== 'running') queue.delete(k);
      }
    }
    return next;
  }

  /** A row for a job known only by id (resumed from an earlier session): filled in from the store. */
  function fromStore(jobId: number): Omit<QueueEntry, 'updatedAt'> {
    const job = deps.jobs.getJob(jobId);
    const p = job ? WatchJobParamsSchema.safeParse(job.params) : null;
    const inputs = p?.success ? p.data.watch.inputs : [];
    return {
      key: `job:${jobId}`, jobId, kind: job?.kind ?? '?', rule: p?.success ? p.data.watch.rule : '?',
      inputs: inputs.map((i) => i.rel), firstInput: inputs[0]?.path ?? null, state: 'queued', fraction: 0, message: null,
      attempt: job?.attempts ?? 0, error: null, outDir: null,
    };
  }

  function onEvent(ev: WatchEvent): void {
    deps.emit('watch.event', ev);
    const root = session?.root ?? info.folder ?? '';
    const jobRow = (jobId: number, kind: string, rule: string, inputs: string[]) => (): Omit<QueueEntry, 'updatedAt'> => ({
      key: `job:${jobId}`, jobId, kind, rule, inputs, firstInput: inputs[0] ? join(root, inputs[0]) : null,
      state: 'queued', fraction: 0, message: null, attempt: 0, error: null, outDir: null,
    });
    switch (ev.type) {
      case 'job-queued':
        upsert(`job:${ev.jobId}`, jobRow(ev.jobId, ev.kind, ev.rule, ev.inputs), { state: 'queued', error: null, fraction: 0 });
        break;
      case 'job-skipped':
        if (!queue.has(`job:${ev.jobId}`)) {
          upsert(`job:${ev.jobId}`, jobRow(ev.jobId, ev.kind, ev.rule, ev.inputs), {
            state: 'skipped',
            message: `identical inputs already ${ev.state} as job ${ev.jobId}`,
          });
        }
        break;
      case 'job-started':
        upsert(`job:${ev.jobId}`, jobRow(ev.jobId, ev.kind, ev.rule, ev.inputs), { state: 'running', attempt: ev.attempt, fraction: 0, message: 'started', error: null });
        break;
      case 'job-progress': {
        const e = queue.get(`job:${ev.jobId}`);
        if (e) queue.set(e.key, { ...e, fraction: ev.fraction, message: ev.message ?? e.message });
        return; // progress travels as watch.event; no status or jobs event for it
      }
      case 'job-retry':
        upsert(`job:${ev.jobId}`, () => fromStore(ev.jobId), { attempt: ev.attempt, message: `trying again in ${(ev.delayMs / 1000).toFixed(1)} s after ${ev.code}: ${ev.reason}` });
        break;
      case 'job-done':
        upsert(`job:${ev.jobId}`, () => fromStore(ev.jobId), { state: 'done', fraction: 1, outDir: ev.outDir, message: ev.adopted ? 'finished before a restart' : `took ${ev.ms < 1000 ? `${ev.ms} ms` : `${(ev.ms / 1000).toFixed(1)} s`}`, error: null });
        break;
      case 'job-failed':
        upsert(`job:${ev.jobId}`, () => fromStore(ev.jobId), { state: 'failed', error: `${ev.code}: ${ev.reason}`, message: ev.permanent ? 'bad input: the file is left as it is' : 'gave up after transient errors' });
        break;
      case 'job-cancelled':
        upsert(`job:${ev.jobId}`, () => fromStore(ev.jobId), { state: 'cancelled', error: ev.reason, message: null });
        break;
      case 'job-requeued':
        upsert(`job:${ev.jobId}`, () => fromStore(ev.jobId), { state: 'queued', fraction: 0, message: ev.reason });
        break;
      case 'file-failed': {
        const key = `file:${ev.rel}`;
        upsert(key, () => ({
          key, jobId: null, kind: 'watch.file', rule: '', inputs: [ev.rel], firstInput: ev.path, state: 'failed', fraction: 0,
          message: 'not processed: the file is left as it is', attempt: 0, error: `${ev.code}: ${ev.reason}`, outDir: null,
        }), { state: 'failed', error: `${ev.code}: ${ev.reason}` });
        // The dispatcher records the failure as a job right after this listener; link the row to it.
        setImmediate(() => {
          try {
            const job = deps.jobs.listJobs({ limit: 20, search: ev.rel, state: 'failed' }).jobs.find((j) => j.kind === 'watch.file' && (j.params.watch as { path?: string } | undefined)?.path === ev.path);
            const row = queue.get(key);
            if (job && row) {
              queue.set(key, { ...row, jobId: job.id });
              statusEvent.request();
            }
          } catch {
            // the store closed meanwhile (shutdown): the row simply has no job id
          }
        });
        break;
      }
      case 'folder-missing':
        folderPresent = false;
        break;
      case 'folder-back':
        folderPresent = true;
        break;
      default:
        return;
    }
    statusEvent.request();
    if (ev.type.startsWith('job-') || ev.type === 'file-failed') jobsEvent.request();
  }

  async function checkFolder(folder: string, given: string): Promise<void> {
    const s = await stat(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The folder to watch, ${folder}, does not exist. Create it or choose another one.`, given);
      throw new LabError('E_IO', `The folder to watch, ${folder}, cannot be read (${err.code ?? err.message}).`, given);
    });
    if (!s.isDirectory()) throw new LabError('E_INVALID_INPUT', `${folder} is a file, not a folder; choose the folder the images are written to.`, given);
  }

  async function readRules(rules: StartInput['rules']): Promise<{ rules: RulesFile; source: string }> {
    if (typeof rules === 'string') return { rules: await loadRules(rules), source: resolve(rules) };
    const v = validateRules(rules);
    if (v.ok) return { rules: v.rules, source: EDITED_RULES };
    const n = v.mistakes.length;
    throw new LabError('E_INVALID_INPUT', `The rules have ${n} mistake${n > 1 ? 's' : ''}:\n${v.mistakes.map((m) => `  ${m}`).join('\n')}`);
  }

  let starting: Promise<void> | null = null;
  const service: WatchService = {
    async start(input) {
      if (session) throw new LabError('E_INVALID_INPUT', `Already watching ${session.root}; stop that session first.`, session.root);
      if (busy) throw new LabError('E_INVALID_INPUT', 'A watch session is starting or stopping; try again in a moment.');
      busy = true;
      let done!: () => void;
      // stop() (or shutdown at quit) waits for a start in progress, so no session can start after the job
      // store it uses has been closed.
      starting = new Promise<void>((r) => (done = r));
      try {
        const folder = resolve(input.folder);
        await checkFolder(folder, input.folder);
        const { rules, source } = await readRules(input.rules);
        const outDir = resolve(input.outDir ?? join(deps.resultsDir, 'watch', basename(folder) || 'folder'));
        const o = input.options;
        const events = new WatchEvents();
        events.on(onEvent);
        queue.clear();
        folderPresent = true;
        info = { folder, outDir, rulesSource: source, rulesSummary: summariseRules(rules), startedAt: new Date().toISOString(), stoppedAt: null };
        try {
          session = await startWatch({
            ...deps.engine,
            root: folder,
            rules,
            outDir,
            store: deps.jobs,
            runTask,
            events,
            allowOutputInside: o.allowOutputInside,
            recursive: o.recursive,
            usePolling: o.pollMs !== undefined,
            pollIntervalMs: o.pollMs,
            ...(o.pollMs !== undefined && { rootCheckMs: Math.max(1000, o.pollMs) }),
            ...(o.stableMs !== undefined && { stableMs: o.stableMs }),
            ...(o.completeTimeoutMs !== undefined && { completeTimeoutMs: o.completeTimeoutMs }),
            concurrency: o.concurrency,
            maxAttempts: o.maxAttempts,
          });
        } catch (err) {
          info = { ...info, startedAt: null };
          throw err;
        }
      } finally {
        busy = false;
        starting = null;
        done();
      }
      const s = status();
      deps.emit('watch.status', s);
      return s;
    },

    async stop(how) {
      if (starting) await starting;
      const s0 = session;
      if (!s0) return status();
      busy = true;
      try {
        await s0.stop(how);
      } finally {
        session = null;
        busy = false;
        info = { ...info, stoppedAt: new Date().toISOString() };
      }
      statusEvent.cancel();
      const s = status();
      deps.emit('watch.status', s);
      jobsEvent.request();
      return s;
    },

    status,

    validateText: validateRulesText,

    async examples() {
      const dir = deps.examplesDir ?? defaultExamplesDir();
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => extname(n).toLowerCase() === '.json').sort();
      } catch (err) {
        throw new LabError('E_NOT_FOUND', `The example rules folder ${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, dir);
      }
      const examples = [];
      for (const file of names) {
        const text = await readFile(join(dir, file), 'utf8');
        let description = '';
        try {
          const d = (JSON.parse(text) as { description?: unknown }).description;
          if (typeof d === 'string') description = d;
        } catch {
          description = 'This example is not valid JSON.';
        }
        examples.push({ file: join(dir, file), name: file.replace(/\.json$/i, ''), description, text });
      }
      return { examples };
    },

    async retry(jobId) {
      const job = deps.jobs.getJob(jobId);
      if (!job) throw new LabError('E_NOT_FOUND', `Job ${jobId} does not exist in the job history.`);
      if (job.state !== 'failed' && job.state !== 'cancelled') {
        throw new LabError('E_INVALID_INPUT', `Job ${jobId} is ${job.state}; only a failed or cancelled job can be retried.`);
      }
      if (job.kind === 'watch.file') {
        throw new LabError(
          'E_INVALID_INPUT',
          `Job ${jobId} records a file that could not be used (${job.error ?? 'no reason recorded'}); replace the file in the watched folder and it is processed again when it changes.`,
        );
      }
      const p = WatchJobParamsSchema.safeParse(job.params);
      if (!p.success) throw new LabError('E_UNSUPPORTED', `Job ${jobId} is a "${job.kind}" job, not one of a watched folder; run it again from its workspace.`);
      if (!session || resolve(session.outDir) !== resolve(p.data.watch.out)) {
        throw new LabError(
          'E_INVALID_INPUT',
          `Job ${jobId} belongs to the watch session writing to ${p.data.watch.out}; start watching with that output folder, then retry it.`,
          p.data.watch.out,
        );
      }
      const fresh = deps.jobs.createJob({ kind: job.kind, params: job.params, ...(job.inputKey ? { inputKey: job.inputKey } : {}) });
      // Announced before it is handed over: the dispatcher may start it at once.
      session.events.emit({ type: 'job-queued', jobId: fresh.id, kind: fresh.kind, rule: p.data.watch.rule, inputs: p.data.watch.inputs.map((i) => i.rel) });
      if (!session.dispatcher.enqueueExisting(fresh.id)) {
        const reason = 'the watch session was stopping';
        deps.jobs.markCancelled(fresh.id, reason);
        session.events.emit({ type: 'job-cancelled', jobId: fresh.id, reason });
        throw new LabError('E_INVALID_INPUT', `Job ${jobId} could not be queued again: the watch session is stopping.`);
      }
      const old = queue.get(`job:${jobId}`);
      if (old) queue.set(old.key, { ...old, message: `retried as job ${fresh.id}` });
      return deps.jobs.getJob(fresh.id) ?? fresh;
    },

    cancel(jobId) {
      if (session?.dispatcher.cancel(jobId)) return { cancelled: true };
      const job = deps.jobs.getJob(jobId);
      if (!job) throw new LabError('E_NOT_FOUND', `Job ${jobId} does not exist in the job history.`);
      if (job.state === 'queued' && WatchJobParamsSchema.safeParse(job.params).success) {
        deps.jobs.markCancelled(jobId, 'cancelled by the user');
        const row = queue.get(`job:${jobId}`);
        if (row) upsert(row.key, () => row, { state: 'cancelled', error: 'cancelled by the user' });
        statusEvent.request();
        jobsEvent.request();
        return { cancelled: true };
      }
      if (job.state === 'running') {
        throw new LabError('E_INVALID_INPUT', `Job ${jobId} (${job.kind}) is not a job of the watched folder; cancel it where it was started.`);
      }
      return { cancelled: false };
    },

    async shutdown() {
      try {
        await service.stop('stop');
      } finally {
        statusEvent.cancel();
        jobsEvent.cancel();
      }
    },
  };
  return service;
}
