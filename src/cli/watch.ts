/**
 * @file `lab watch DIR --rules RULES.json --out OUTDIR`: process an acquisition folder as images land,
 * one line per event (or one JSON object per line with --json). The job history defaults to
 * OUTDIR/jobs.sqlite, beside the results it describes: the session is self-contained, can be moved or
 * archived with its results, and `--once` runs on a copy never mix with the app's own history. Ctrl+C
 * stops cleanly: running jobs go back to the queue (not cancelled) and run first at the next start, so
 * stopping and restarting the watcher loses and repeats nothing (Note: watch exactly-once, dispatcher.ts).
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { startWatch, WatchEvents, type WatchEvent } from '../core/watch';
import { UsageError } from './usage-error';

export const WATCH_USAGE = `  lab watch DIR --rules RULES.json --out OUTDIR [--once] [--recursive] [--poll MS]
          [--stable-ms MS] [--complete-timeout-ms MS] [--concurrency N] [--attempts N] [--db FILE]
          [--out-inside] [--json] [--verbose]
    Processes images as they land in DIR, by the rules in RULES.json (see resources/rules/README.md):
    one result folder per job in OUTDIR, job history in OUTDIR/jobs.sqlite (or --db FILE).
    A file is processed once its size has been stable for --stable-ms (default 2000) and its format
    says it is complete; one still incomplete after --complete-timeout-ms (default 60000) without change
    fails. Identical inputs already processed are skipped. --poll MS polls (network shares).
    --once: process what is there, wait for files still arriving, then exit: 0 if every input is
    processed, 1 if any job or file failed (in this run, or before for the same inputs: a bad file
    keeps the exit code at 1 until it is replaced). Ctrl+C: running jobs return to the queue and run
    at the next start; exit code 130.`;

function intFlag(flag: string, s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${flag} "${s}" must be a whole number from ${min} to ${max}`);
  return v;
}

const clock = () => new Date().toTimeString().slice(0, 8);
const kB = (n: number) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`);

/** One human line per event; null for events not worth a line (progress unless verbose). */
export function formatEvent(ev: WatchEvent, verbose = false): string | null {
  const line = (tag: string, text: string) => `${clock()}  ${tag.padEnd(9)} ${text}`;
  switch (ev.type) {
    case 'folder-missing': return line('MISSING', ev.reason);
    case 'folder-back': return line('back', `${ev.root} is there again; scanning it`);
    case 'scan-done': return verbose ? line('scanned', `${ev.files} matching file(s) in ${ev.root}`) : null;
    case 'file-seen': return line('seen', ev.rel);
    case 'file-removed': return verbose ? line('removed', ev.rel) : null;
    case 'file-ready': return line('ready', `${ev.rel} (${kB(ev.size)})`);
    case 'file-failed': return line('FAILED', `${ev.rel}: ${ev.reason}`);
    case 'job-queued': return line('queued', `job ${ev.jobId} ${ev.kind} [${ev.rule}] ${ev.inputs.join(' → ')}`);
    case 'job-skipped': return line('skipped', `${ev.inputs.join(' → ')} [${ev.rule}]: identical inputs already ${ev.state} as job ${ev.jobId}`);
    case 'job-started': return line('started', `job ${ev.jobId} ${ev.kind} [${ev.rule}]${ev.attempt > 1 ? ` (start ${ev.attempt})` : ''}`);
    case 'job-progress': return verbose ? line('progress', `job ${ev.jobId} ${Math.round(ev.fraction * 100)}% ${ev.message ?? ''}`.trimEnd()) : null;
    case 'job-retry': return line('retry', `job ${ev.jobId} try ${ev.attempt} in ${(ev.delayMs / 1000).toFixed(1)} s after ${ev.code}: ${ev.reason}`);
    case 'job-done': return line('done', `job ${ev.jobId} → ${basename(ev.outDir)} (${(ev.ms / 1000).toFixed(1)} s${ev.adopted ? ', finished before a restart' : ''})`);
    case 'job-failed': return line('FAILED', `job ${ev.jobId} ${ev.inputs.join(' → ')}: ${ev.code}: ${ev.reason}${ev.permanent ? '' : ' (transient; tried again at the next start)'}`);
    case 'job-cancelled': return line('cancelled', `job ${ev.jobId}: ${ev.reason}`);
    case 'job-requeued': return line('requeued', `job ${ev.jobId}: ${ev.reason}`);
    case 'warning': return line('warning', ev.message);
  }
}

export async function runWatch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      out: { type: 'string' },
      once: { type: 'boolean', default: false },
      recursive: { type: 'boolean', default: false },
      poll: { type: 'string' },
      'stable-ms': { type: 'string' },
      'complete-timeout-ms': { type: 'string' },
      concurrency: { type: 'string' },
      attempts: { type: 'string' },
      db: { type: 'string' },
      'out-inside': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(WATCH_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.rules || !values.out) throw new UsageError('lab watch needs one DIR, --rules and --out');
  const poll = intFlag('--poll', values.poll, 50, 600_000);
  const dir = positionals[0];
  if (values.once) {
    const s = await stat(dir).catch(() => null);
    if (!s?.isDirectory()) throw new LabError('E_NOT_FOUND', `The folder to watch, ${dir}, does not exist (or is not a folder).`, dir);
  }

  const counts = { done: 0, skipped: 0, skippedFailed: 0, failed: 0, filesFailed: 0 };
  let folderLost = false;
  const events = new WatchEvents();
  // Subscribed before the session starts: jobs resumed from an earlier run start inside startWatch().
  events.on((ev) => {
    if (ev.type === 'job-done') counts.done++;
    else if (ev.type === 'job-skipped' && ev.state === 'failed') counts.skippedFailed++;
    else if (ev.type === 'job-skipped') counts.skipped++;
    else if (ev.type === 'job-failed') counts.failed++;
    else if (ev.type === 'file-failed') counts.filesFailed++;
    else if (ev.type === 'folder-missing') folderLost = true;
    if (values.json) console.log(JSON.stringify({ time: new Date().toISOString(), ...ev }));
    else {
      const line = formatEvent(ev, values.verbose);
      if (line) (ev.type === 'warning' || ev.type.endsWith('failed') || ev.type === 'folder-missing' ? console.error : console.log)(line);
    }
  });
  if (!values.json) {
    const db = resolve(values.db ?? join(values.out, 'jobs.sqlite'));
    console.log(`${clock()}  watching  ${resolve(dir)} → ${resolve(values.out)} (job history ${db}; Ctrl+C stops)`);
  }
  const session = await startWatch({
    events,
    root: dir,
    rules: values.rules,
    outDir: values.out,
    dbPath: values.db,
    allowOutputInside: values['out-inside'],
    recursive: values.recursive,
    usePolling: poll !== undefined,
    pollIntervalMs: poll,
    rootCheckMs: poll ? Math.max(1000, poll) : undefined,
    stableMs: intFlag('--stable-ms', values['stable-ms'], 0, 3_600_000),
    completeTimeoutMs: intFlag('--complete-timeout-ms', values['complete-timeout-ms'], 100, 86_400_000),
    concurrency: intFlag('--concurrency', values.concurrency, 1, 64),
    maxAttempts: intFlag('--attempts', values.attempts, 1, 100),
  });

  // Signals: the first stops cleanly (jobs back to the queue); a second one exits at once, which is
  // safe too: jobs left 'running' are requeued by the next start (Note: watch exactly-once).
  const stopSignal = new AbortController();
  let signalCode = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalCode) process.exit(signalCode);
    signalCode = sig === 'SIGINT' ? 130 : 143;
    stopSignal.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (values.once) {
      const lost = new Promise<void>((res) => (folderLost ? res() : events.on((ev) => ev.type === 'folder-missing' && res())));
      await Promise.race([session.whenIdle(stopSignal.signal), lost, new Promise((res) => stopSignal.signal.addEventListener('abort', res))]);
    } else {
      await new Promise((res) => stopSignal.signal.addEventListener('abort', res));
    }
  } finally {
    await session.stop('stop');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const waiting = session.dispatcher.status().waitingForPartner;
  const summary = `done ${counts.done}, skipped ${counts.skipped} (already processed), failed ${counts.failed}` +
    `${counts.skippedFailed ? ` (+${counts.skippedFailed} that failed before)` : ''}, files failed ${counts.filesFailed}` +
    (waiting.length ? `; waiting for a partner: ${waiting.slice(0, 10).join(', ')}${waiting.length > 10 ? ` and ${waiting.length - 10} more` : ''}` : '');
  if (values.json) console.log(JSON.stringify({ time: new Date().toISOString(), type: 'summary', ...counts, waitingForPartner: waiting }));
  else console.log(`${clock()}  stopped   ${summary}`);
  if (signalCode) return signalCode;
  if (folderLost && values.once) {
    console.error(`lab: error: the watched folder ${session.root} disappeared during --once; what was queued runs at the next start.`);
    return 1;
  }
  return counts.failed + counts.skippedFailed + counts.filesFailed > 0 ? 1 : 0;
}
