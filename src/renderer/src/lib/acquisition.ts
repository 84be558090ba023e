/**
 * @file Pure helpers of the Acquisition workspace: the settings it remembers between launches
 * (localStorage `speckle-lab.acquisition`, parsed field by field like lib/dic-settings.ts), the option
 * form (text fields → `watch.start` options, with a message per bad field), one readable line per watch
 * event for the activity list, and what a queue row's state looks like.
 */
import { z } from 'zod';
import type { CallInput, CallOutput, EventPayload } from '../../../shared/contract';
import { readVersioned } from './persist';

export type WatchStatus = CallOutput<'watch.status'>;
export type QueueEntry = WatchStatus['queue'][number];
export type QueueState = QueueEntry['state'];
export type WatchEvent = EventPayload<'watch.event'>;
export type WatchOptions = NonNullable<CallInput<'watch.start'>['options']>;
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export const ACQ_SETTINGS_KEY = 'speckle-lab.acquisition';
export const ACQ_SETTINGS_VERSION = 1;

/** What the rule editor starts with: one `info` rule for every image, the safest thing to run. */
export const STARTER_RULES = `{
  "version": 1,
  "description": "Every image that lands gets an info result (metadata, statistics, sha256, preview).",
  "rules": [
    {
      "name": "info",
      "type": "single",
      "match": ".*\\\\.(tiff?|png|jpe?g|bmp)",
      "task": { "kind": "info" }
    }
  ]
}
`;

const OptionsFormSchema = z.object({
  /** ms a file must stay unchanged (empty = engine default 2000) */
  stableMs: z.string(),
  /** poll interval in ms (empty = OS file events) */
  pollMs: z.string(),
  /** jobs at once */
  concurrency: z.string(),
  recursive: z.boolean(),
});
export type OptionsForm = z.infer<typeof OptionsFormSchema>;
export const defaultOptionsForm = (): OptionsForm => ({ stableMs: '', pollMs: '', concurrency: '1', recursive: false });

export const AcqSettingsSchema = z.object({
  version: z.literal(ACQ_SETTINGS_VERSION).catch(ACQ_SETTINGS_VERSION),
  /** the acquisition folder (on the back-end machine) */
  folder: z.string().catch(''),
  /** result folder; empty = the default under the app's results folder */
  outDir: z.string().catch(''),
  /** the rules JSON as edited */
  rulesText: z.string().catch(STARTER_RULES),
  /** example last loaded into the editor (name), '' = own rules */
  example: z.string().catch(''),
  options: OptionsFormSchema.catch(() => defaultOptionsForm()),
  /** history filters */
  historySearch: z.string().catch(''),
  historyState: z.enum(['', 'queued', 'running', 'done', 'failed', 'cancelled']).catch(''),
});
export type AcqSettings = z.infer<typeof AcqSettingsSchema>;

export function defaultAcqSettings(): AcqSettings {
  return AcqSettingsSchema.parse({});
}

/** Settings from storage; defaults for anything missing, unreadable or from another version. */
export function loadAcqSettings(storage: Pick<Storage, 'getItem'> | null): AcqSettings {
  return AcqSettingsSchema.parse(readVersioned(storage, ACQ_SETTINGS_KEY, ACQ_SETTINGS_VERSION));
}

export function saveAcqSettings(storage: Pick<Storage, 'setItem'> | null, s: AcqSettings): void {
  try {
    storage?.setItem(ACQ_SETTINGS_KEY, JSON.stringify(s));
  } catch (err) {
    console.warn('lab: could not save the Acquisition settings', err);
  }
}

function intField(text: string, label: string, min: number, max: number): { value?: number; error?: string } {
  const t = text.trim();
  if (!t) return {};
  const v = Number(t);
  if (!Number.isInteger(v) || v < min || v > max) return { error: `${label} must be a whole number from ${min} to ${max}.` };
  return { value: v };
}

/** The option form as `watch.start` options, or a message per bad field. */
export function parseOptions(f: OptionsForm): { options: WatchOptions; errors: Partial<Record<keyof OptionsForm, string>> } {
  const errors: Partial<Record<keyof OptionsForm, string>> = {};
  const options: WatchOptions = {};
  const stable = intField(f.stableMs, 'Stable time', 0, 3_600_000);
  if (stable.error) errors.stableMs = stable.error;
  else if (stable.value !== undefined) options.stableMs = stable.value;
  const poll = intField(f.pollMs, 'Poll interval', 50, 600_000);
  if (poll.error) errors.pollMs = poll.error;
  else if (poll.value !== undefined) options.pollMs = poll.value;
  const conc = intField(f.concurrency, 'Jobs at once', 1, 16);
  if (conc.error) errors.concurrency = conc.error;
  else if (conc.value !== undefined) options.concurrency = conc.value;
  if (f.recursive) options.recursive = true;
  return { options, errors };
}

/** The rules text parsed for `watch.start`; null when it is not JSON (the editor shows why). */
export function parseRulesText(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** One line for the activity list; null for events not worth a line (progress). */
export function describeWatchEvent(ev: WatchEvent): string | null {
  switch (ev.type) {
    case 'folder-missing':
      return `The watched folder is missing: ${ev.reason}`;
    case 'folder-back':
      return 'The watched folder is back; scanning it again.';
    case 'scan-done':
      return `Scanned the folder: ${ev.files} matching file${ev.files === 1 ? '' : 's'}.`;
    case 'file-seen':
      return `${ev.rel} appeared; waiting until it is completely written.`;
    case 'file-ready':
      return `${ev.rel} is complete (${(ev.size / 1024).toFixed(1)} kB).`;
    case 'file-removed':
      return `${ev.rel} was removed.`;
    case 'file-failed':
      return `${ev.rel} cannot be processed: ${ev.reason}`;
    case 'job-queued':
      return `Job ${ev.jobId} queued: ${ev.kind} [${ev.rule}] ${ev.inputs.join(' → ')}`;
    case 'job-skipped':
      return `${ev.inputs.join(' → ')} skipped: identical inputs already ${ev.state} as job ${ev.jobId}.`;
    case 'job-started':
      return `Job ${ev.jobId} started${ev.attempt > 1 ? ` (start ${ev.attempt})` : ''}.`;
    case 'job-progress':
      return null;
    case 'job-retry':
      return `Job ${ev.jobId}: trying again in ${(ev.delayMs / 1000).toFixed(1)} s after ${ev.code}: ${ev.reason}`;
    case 'job-done':
      return `Job ${ev.jobId} done in ${ev.ms < 1000 ? `${ev.ms} ms` : `${(ev.ms / 1000).toFixed(1)} s`}.`;
    case 'job-failed':
      return `Job ${ev.jobId} failed: ${ev.reason}`;
    case 'job-cancelled':
      return `Job ${ev.jobId} cancelled: ${ev.reason}`;
    case 'job-requeued':
      return `Job ${ev.jobId} back in the queue: ${ev.reason}`;
    case 'warning':
      return `Warning: ${ev.message}`;
  }
}

/** Whether an activity line is bad news (shown in the error colour). */
export function isBadEvent(ev: WatchEvent): boolean {
  return ev.type === 'file-failed' || ev.type === 'job-failed' || ev.type === 'folder-missing' || ev.type === 'warning';
}

export const STATE_LABEL: Record<QueueState, string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/** A queue row with the progress of a `job-progress` event applied (the rows themselves come from `watch.status`). */
export function withProgress(queue: readonly QueueEntry[], ev: Extract<WatchEvent, { type: 'job-progress' }>): QueueEntry[] {
  let hit = false;
  const out = queue.map((e) => {
    if (e.jobId !== ev.jobId || e.state !== 'running') return e;
    hit = true;
    return { ...e, fraction: ev.fraction, message: ev.message ?? e.message };
  });
  return hit ? out : (queue as QueueEntry[]);
}

/** File name of a path written with / or \. */
export function fileName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}

/** The job's input file names as one short text ("ref_001.tif → sample_001.tif"). */
export function inputsText(inputs: readonly string[]): string {
  return inputs.map(fileName).join(' → ');
}

/** Input paths of a job from the store (watch jobs carry them in params.watch.inputs). */
export function jobInputs(params: Record<string, unknown>): string[] {
  const w = params.watch as { inputs?: { rel?: unknown }[]; rel?: unknown } | undefined;
  if (Array.isArray(w?.inputs)) return w.inputs.map((i) => String(i.rel ?? '')).filter(Boolean);
  if (typeof w?.rel === 'string') return [w.rel];
  const out: string[] = [];
  for (const k of ['refPath', 'defPath', 'path']) if (typeof params[k] === 'string') out.push(params[k] as string);
  return out;
}

/** Rule name of a watch job from the store. */
export function jobRule(params: Record<string, unknown>): string {
  const w = params.watch as { rule?: unknown } | undefined;
  return typeof w?.rule === 'string' ? w.rule : '';
}

