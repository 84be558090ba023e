/**
 * @file The back end behind the contract: one handler per call, Electron-free, shared by Electron main
 * and the browser harness. Transport specifics (native dialogs, binary URLs, the event channel) are
 * injected through `BackendDeps`.
 */
import { basename, dirname, join } from 'node:path';
import type { CallInputParsed, CallName, CallOutput, EventName, EventPayload } from '../../shared/contract';
import type { ComputeClient } from '../compute/client';
import { LabError, toLabError } from '../errors';
import { loadCatalog } from '../infer/model-catalog';
import type { JobStore } from '../jobs/store';
import type { OpenedImageData } from '../tasks/open-image';
import type { ResultMap } from '../results/open-result';
import type { ResultFile } from '../results/result-folder';
import { appVersion } from '../version';
import type { BinaryKind, BinaryStore } from './binary-store';
import { restoreHandlers } from './restore-handlers';
import { reportHandlers, type ReportPrinterHandle } from './report-handlers';
import { xpciHandlers } from './xpci-handlers';
import { readSettings, SETTINGS_FILE, settingsHandlers, type SettingsHandlerContext } from './settings-handlers';
import { createWatchService, type WatchService, type WatchServiceDeps } from './watch-service';

export type Handlers = { [N in CallName]: (input: CallInputParsed<N>) => Promise<CallOutput<N>> };
type AppInfo = CallOutput<'app.info'>;
type ProbeResult = NonNullable<AppInfo['executionProvider']>;

export interface BackendDeps {
  compute: ComputeClient;
  jobs: JobStore;
  binaries: BinaryStore;
  transport: AppInfo['transport'];
  electronVersion?: string;
  /** URL under which the renderer fetches a stored binary (lab-data: protocol or harness HTTP route). */
  binaryUrl(kind: BinaryKind, id: string): string;
  /** Where jobs write result folders when the caller names none. */
  resultsDir: string;
  /** Native open dialog; absent in the harness. */
  openImageDialog?: () => Promise<string | null>;
  /** Native folder dialog (acquisition folder); absent in the harness. */
  openFolderDialog?: () => Promise<string | null>;
  /** Example rules files for the Acquisition workspace (default: resources/rules, see watch-service.ts). */
  rulesExamplesDir?: string;
  /** Watch engine timings (tests) and the task runner (default: the compute host). */
  watch?: Pick<WatchServiceDeps, 'engine' | 'runTask'>;
  /** PDF printer for `report.export`, one per export (Electron printToPDF, headless Chromium); absent = HTML only. */
  reportPrinter?: () => Promise<ReportPrinterHandle>;
  /** The report stylesheet text where report/html.ts reportCss cannot find it (a packaged app). */
  reportCss?: () => string;
  /** The Settings file (default: settings.json beside the results folder, i.e. in the data folder). */
  settingsFile?: string;
  /** The environment and machine the provider orders are worked out for (tests); default: this process's. */
  providerContext?: Pick<SettingsHandlerContext, 'env' | 'host'>;
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
}

/** Runs one long task as a job (createBackend's runJob): job row, compute op with progress, then `after`. */
export type RunJob = <T extends { outDir: string; files: ResultFile[] }, R>(
  taskId: string,
  kind: string,
  params: Record<string, unknown>,
  op: string,
  opInput: unknown,
  after: (res: T, jobId: number) => Promise<R>,
) => Promise<R>;

export interface Backend {
  handlers: Handlers;
  /** Starts the execution-provider probe; the status bar updates through the `app.info` event. */
  probe(): Promise<void>;
  /** Cancels every running task (window closing, app quitting) and starts stopping the watch session. */
  cancelAll(): void;
  /**
   * cancelAll, then waits until the watch session has stopped (its running jobs back in the queue) and the
   * cancelled tasks have settled — their cleanup done, such as a report export removing its temporary
   * files — or `waitMs` (default SHUTDOWN_WAIT_MS) has passed, whichever comes first. Await it before
   * closing the compute host: closing it first kills the tasks before they clean up.
   */
  shutdown(opts?: { waitMs?: number }): Promise<void>;
  /** The acquisition-folder session manager (tests). */
  watch: WatchService;
}

/** How long `Backend.shutdown` waits at most for cancelled tasks to settle. */
export const SHUTDOWN_WAIT_MS = 5000;

export function createBackend(deps: BackendDeps): Backend {
  let executionProvider: ProbeResult | null = null;
  const tasks = new Map<string, AbortController>();
  /** every running task's end (settled either way), for shutdown */
  const running = new Set<Promise<unknown>>();

  const appInfo = (): AppInfo => ({
    appVersion: appVersion(),
    transport: deps.transport,
    node: process.versions.node,
    electron: deps.electronVersion,
    platform: `${process.platform}-${process.arch}`,
    executionProvider,
    capabilities: { nativeDialogs: Boolean(deps.openImageDialog) },
  });

  type Opened = { dir: string; kind: string; result: Record<string, unknown>; maps: ResultMap[] };
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  /** Result maps go into the binary store; the renderer fetches them by URL. */
  const publishResult = (r: Opened): CallOutput<'result.open'> => ({
    dir: r.dir,
    kind: r.kind,
    result: r.result,
    maps: r.maps.map((m) => ({
      name: m.name,
      width: m.width,
      height: m.height,
      unit: m.unit,
      stats: { min: finite(m.stats.min), max: finite(m.stats.max), mean: finite(m.stats.mean), std: finite(m.stats.std), valid: m.stats.valid },
      dataUrl: deps.binaryUrl('field', deps.binaries.put('field', m.data)),
    })),
  });
  const newResultDir = (kind: string) => join(deps.resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${kind}`);

  const settingsFile = deps.settingsFile ?? join(dirname(deps.resultsDir), SETTINGS_FILE);
  /** Tracker threads from Settings (undefined = the engine's default, every core). */
  const trackerThreads = async () => (await readSettings(settingsFile)).settings.trackerThreads ?? undefined;
  const jobsChanged = () => deps.emit('jobs.changed', { count: deps.jobs.count() });
  const watch = createWatchService({
    jobs: deps.jobs,
    compute: deps.compute,
    resultsDir: deps.resultsDir,
    emit: deps.emit,
    examplesDir: deps.rulesExamplesDir,
    trackerThreads,
    ...deps.watch,
  });

  /** Runs one long task with a renderer-chosen id so `task.cancel` and progress events can name it. */
  async function asTask<T>(taskId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (tasks.has(taskId)) throw new LabError('E_INVALID_INPUT', `A task with id ${taskId} is already running.`);
    const controller = new AbortController();
    tasks.set(taskId, controller);
    const p = (async () => {
      try {
        return await run(controller.signal);
      } finally {
        tasks.delete(taskId);
      }
    })();
    const settled = p.then(() => {}, () => {});
    running.add(settled);
    void settled.then(() => running.delete(settled));
    return p;
  }

  /**
   * One long task recorded as a job: the job row (queued → running → done / failed / cancelled, with the
   * reason), the compute op with its progress as `task.progress` events, and `after` on the op's result
   * (opening the result folder, ...). Every job-producing call goes through here.
   */
  const runJob: RunJob = (taskId, kind, params, op, opInput, after) =>
    asTask(taskId, async (signal) => {
      const job = deps.jobs.createJob({ kind, params });
      deps.jobs.markRunning(job.id);
      jobsChanged();
      try {
        const res = await deps.compute.run<Parameters<typeof after>[0]>(op, opInput, {
          signal,
          onProgress: (fraction, message) => deps.emit('task.progress', { taskId, fraction, message }),
        });
        deps.jobs.markDone(job.id, { resultDir: res.outDir, files: res.files });
        return await after(res, job.id);
      } catch (err) {
        const e = toLabError(err);
        if (e.code === 'E_CANCELLED') deps.jobs.markCancelled(job.id, 'cancelled by the user');
        else if (deps.jobs.getJob(job.id)?.state === 'running') deps.jobs.markFailed(job.id, e.message);
        throw e;
      } finally {
        jobsChanged();
      }
    });

  /** Opens an image in the compute host; its pixels go into the binary store, fetched by URL. */
  async function openImage(path: string): Promise<CallOutput<'image.open'>> {
    const img = await deps.compute.run<OpenedImageData>('image.open', { path });
    const id = deps.binaries.put('image', img.data);
    return {
      id,
      path: img.path,
      name: basename(img.path),
      width: img.width,
      height: img.height,
      sizeBytes: img.sizeBytes,
      sha256: img.sha256,
      meta: img.meta,
      stats: img.stats,
      dataUrl: deps.binaryUrl('image', id),
    };
  }

  const handlers: Handlers = {
    ...restoreHandlers({ deps, runJob, newResultDir, openImage }),
    ...reportHandlers({ deps, asTask }),
    ...xpciHandlers({ deps, runJob, newResultDir, publishResult, trackerThreads }),
    ...settingsHandlers({
      file: settingsFile,
      ...deps.providerContext,
      // Live switch (Note: Provider preference, settings-handlers.ts), then the status bar learns what runs now.
      applyProviders: async (providers) => {
        const now = await deps.compute.run<string[]>('providers.set', { providers });
        void probe();
        return now;
      },
    }),
    'app.info': async () => appInfo(),

    'dialog.openImage': async () => {
      if (!deps.openImageDialog) {
        throw new LabError('E_UNSUPPORTED', 'There is no native file dialog in the browser harness; use the file picker.');
      }
      return { path: await deps.openImageDialog() };
    },

    'image.open': async ({ path }) => openImage(path),

    'models.list': async () => {
      const cat = await loadCatalog();
      return {
        models: cat.models.map(({ entry, source, dir }) => ({
          id: entry.id,
          task: entry.task,
          source,
          file: join(dir, entry.file),
          params: entry.params,
          bytes: entry.bytes,
          sha256: entry.sha256,
          trainedOn: entry.training.hardware,
          trainingCommand: entry.training.command,
          metrics: entry.metrics,
          notes: entry.notes,
        })),
        shippedDir: cat.shippedDir,
        userDir: cat.userDir,
        problems: cat.problems,
      };
    },

    'image.close': async ({ id }) => ({ closed: deps.binaries.delete(id) }),

    'jobs.list': async ({ limit, offset, state, search, origin }) => {
      const { jobs, total } = deps.jobs.listJobs({ limit, offset, state, search, origin });
      return {
        total,
        jobs: jobs.map((j) => ({
          id: j.id,
          kind: j.kind,
          state: j.state,
          params: j.params,
          createdAt: j.createdAt,
          updatedAt: j.updatedAt,
          resultDir: j.resultDir,
          error: j.error,
        })),
      };
    },

    'simulate.pair': async ({ taskId, params }) =>
      runJob<{ outDir: string; files: ResultFile[] }, CallOutput<'simulate.pair'>>(taskId, 'simulate.pair', params, 'simulate.pair', params, async (res, jobId) => ({
        jobId,
        outDir: res.outDir,
        files: res.files.map((f) => f.path),
      })),

    'track.run': async ({ taskId, params }) => {
      const outDir = params.outDir ?? newResultDir(`track-${params.method}`);
      const opInput = { refPaths: [params.refPath], defPaths: [params.defPath], method: params.method, options: params.options, step: params.step, roi: params.roi, strainWindow: params.strainWindow, threads: await trackerThreads(), outDir };
      return runJob<{ outDir: string; files: ResultFile[]; messages: string[] }, CallOutput<'track.run'>>(
        taskId, 'track', { ...params, outDir }, 'track.run', opInput,
        async (res, jobId) => ({ jobId, opened: publishResult(await deps.compute.run<Opened>('result.open', { dir: res.outDir })), messages: res.messages }),
      );
    },

    'result.open': async ({ dir }) => publishResult(await deps.compute.run<Opened>('result.open', { dir })),

    'task.cancel': async ({ taskId }) => {
      const c = tasks.get(taskId);
      c?.abort();
      return { cancelled: Boolean(c) };
    },

    'dialog.openFolder': async () => {
      if (!deps.openFolderDialog) {
        throw new LabError('E_UNSUPPORTED', 'There is no native folder dialog in the browser harness; type the folder path.');
      }
      return { path: await deps.openFolderDialog() };
    },
    'watch.start': async (input) => watch.start(input),
    'watch.stop': async ({ how }) => watch.stop(how),
    'watch.status': async () => watch.status(),
    'watch.validateRules': async ({ text }) => watch.validateText(text),
    'watch.examples': async () => watch.examples(),
    'jobs.retry': async ({ jobId }) => {
      const job = await watch.retry(jobId);
      jobsChanged();
      const { id, kind, state, params, createdAt, updatedAt, resultDir, error } = job;
      return { job: { id, kind, state, params, createdAt, updatedAt, resultDir, error } };
    },
    'jobs.cancel': async ({ jobId }) => watch.cancel(jobId),
  };

  /** Asks the compute host which provider its sessions get (at start, and after a provider change). */
  async function probe(): Promise<void> {
    try {
      executionProvider = await deps.compute.run<ProbeResult>('ort.probe', {});
    } catch (err) {
      executionProvider = {
        active: 'none',
        tried: [{ name: 'probe', ok: false, error: err instanceof Error ? err.message : String(err) }],
        ortVersion: 'unavailable',
      };
    }
    deps.emit('app.info', appInfo());
  }

  return {
    handlers,
    probe,
    cancelAll() {
      for (const c of tasks.values()) c.abort();
      void watch.shutdown().catch(() => {});
    },
    async shutdown(opts = {}) {
      const waitMs = opts.waitMs ?? SHUTDOWN_WAIT_MS;
      for (const c of tasks.values()) c.abort();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      try {
        await Promise.all([watch.shutdown(), Promise.race([Promise.all([...running]), bound])]);
      } finally {
        clearTimeout(timer);
      }
    },
    watch,
  };
}
