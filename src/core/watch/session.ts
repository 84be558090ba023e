/**
 * @file One watch session: the job store, the folder watcher and the dispatcher wired together, with the
 * checks a user needs before anything starts (the output folder must not be inside the watched folder
 * unless asked for; one watcher per job database). `lab watch` and the app both start sessions here.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors';
import { openJobStore, type JobStore } from '../jobs/store';
import { Dispatcher, type DispatcherOptions } from './dispatcher';
import { WatchEvents } from './events';
import { resultFolderPattern } from './matcher';
import { acquireLock, resultFolderCheck } from './outputs';
import { loadRules, type RulesFile } from './rules';
import { runTaskInProcess, type RunTask } from './tasks';
import { FolderWatcher, type FolderWatcherOptions } from './watcher';

export interface WatchSessionOptions
  extends Omit<FolderWatcherOptions, 'root' | 'events' | 'accept' | 'ignorePaths' | 'ignore'>,
    Pick<DispatcherOptions, 'concurrency' | 'maxAttempts' | 'backoffMs' | 'maxBackoffMs' | 'maxStarts' | 'stateRetryMs'> {
  /** the acquisition folder */
  root: string;
  /** rules, or the path of a rules file */
  rules: RulesFile | string;
  /** where result folders go; must not be inside root unless allowOutputInside */
  outDir: string;
  allowOutputInside?: boolean;
  /** an open job store (the app's); else `dbPath` (default OUTDIR/jobs.sqlite) is opened, locked and owned */
  store?: JobStore;
  dbPath?: string;
  /** default: in-process (tasks.ts) */
  runTask?: RunTask;
  /** default: a new emitter; subscribe before start() to see the first events */
  events?: WatchEvents;
}

export interface WatchSession {
  readonly events: WatchEvents;
  readonly store: JobStore;
  readonly root: string;
  readonly outDir: string;
  readonly watcher: FolderWatcher;
  readonly dispatcher: Dispatcher;
  /** Resolves when the folder is scanned, no file is still arriving, and no job is queued or running. */
  whenIdle(signal?: AbortSignal): Promise<void>;
  /** Stops watching; running jobs go back to the queue ('stop') or are cancelled. Closes a store it opened. */
  stop(how?: 'stop' | 'cancel'): Promise<void>;
}

const inside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !/^[a-zA-Z]:/.test(r));
};

/** Validates the options, opens what is needed, and starts watching. */
export async function startWatch(opts: WatchSessionOptions): Promise<WatchSession> {
  const root = resolve(opts.root);
  const outDir = resolve(opts.outDir);
  if (inside(outDir, root) && !opts.allowOutputInside) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The output folder ${outDir} is inside the watched folder ${root}, where results could be taken for new images. ` +
        'Choose an output folder outside it (or allow it explicitly with --out-inside).',
      outDir,
    );
  }
  if (inside(root, outDir) && root !== outDir) {
    throw new LabError('E_INVALID_INPUT', `The watched folder ${root} is inside the output folder ${outDir}; keep them apart.`, root);
  }
  const rules = typeof opts.rules === 'string' ? await loadRules(opts.rules) : opts.rules;
  await mkdir(outDir, { recursive: true });
  const events = opts.events ?? new WatchEvents();

  let store = opts.store;
  let release: (() => Promise<void>) | undefined;
  const dbPath = resolve(opts.dbPath ?? join(outDir, 'jobs.sqlite'));
  if (!store) {
    release = await acquireLock(`${dbPath}.lock`);
    try {
      store = openJobStore(dbPath);
    } catch (err) {
      await release();
      throw err;
    }
  }
  const dispatcher = new Dispatcher({
    store,
    rules,
    root,
    outDir,
    runTask: opts.runTask ?? runTaskInProcess,
    events,
    concurrency: opts.concurrency,
    maxAttempts: opts.maxAttempts,
    backoffMs: opts.backoffMs,
    maxBackoffMs: opts.maxBackoffMs,
    maxStarts: opts.maxStarts,
    stateRetryMs: opts.stateRetryMs,
    requeueOnStart: !opts.store,
  });
  const { recursive, usePolling, pollIntervalMs, stableMs, completeTimeoutMs, rootCheckMs } = opts;
  // Results written straight into the watched folder cannot be left out by path as a separate output
  // folder is: tell them by the names result folders get, or a recursive rule would take their images for
  // new ones and process its own output again and again. Only what lies inside such a folder is left out,
  // as an input file may well match the name pattern. Not only the current rules' names: results of a
  // rule since renamed or removed are told by the default name shape or their result.json (outputs.ts).
  // The hidden .NAME.partial-* folders a result is written in are ignored as hidden names anyway (watcher.ts).
  const resultFolder = outDir === root ? resultFolderCheck(root, resultFolderPattern(dispatcher.matcher.rules)) : undefined;
  const inResultFolder = resultFolder && ((rel: string) => {
    const cut = rel.indexOf('/');
    return cut > 0 && resultFolder(rel.slice(0, cut));
  });
  const watcher = new FolderWatcher({
    recursive, usePolling, pollIntervalMs, stableMs, completeTimeoutMs, rootCheckMs,
    root,
    events,
    accept: (rel) => dispatcher.matcher.accepts(rel),
    // Only matters with allowOutputInside, or a --db inside the watched folder.
    ignorePaths: [outDir, dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}.lock`].filter((p) => inside(p, root) && p !== root),
    ignore: inResultFolder,
  });
  try {
    await dispatcher.start();
    await watcher.start();
  } catch (err) {
    await watcher.stop();
    await dispatcher.stop();
    if (!opts.store) store.close();
    await release?.();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const session: WatchSession = {
    events,
    store,
    root,
    outDir,
    watcher,
    dispatcher,
    async whenIdle(signal) {
      // Two idle looks in a row, 50 ms apart: a file-ready event and the hashing it starts are not one step.
      let calm = 0;
      while (calm < 2) {
        if (signal?.aborted || stopped) return;
        calm = watcher.isIdle() && dispatcher.isIdle() ? calm + 1 : 0;
        await sleep(50);
      }
    },
    stop(how = 'stop') {
      stopped ??= (async () => {
        await watcher.stop();
        await dispatcher.stop(how);
        if (!opts.store) store!.close();
        await release?.();
      })();
      return stopped;
    },
  };
  return session;
}
