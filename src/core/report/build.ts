/**
 * @file Builds the report model (model.ts) from result folders: opens each folder (only the files its
 * result.json lists, and of its maps only those the section shows), picks the section builder by job kind — restoration has its own, every other kind
 * gets the field section, so a kind added later still reports its maps and statistics — and gathers
 * the data files of every section, one job at a time. A folder that is not a readable result folder fails
 * the whole report with one sentence naming it, before anything is written.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LabError, toLabError } from '../errors';
import type { TaskContext } from '../progress';
import { openResultFolder } from '../results/open-result';
import { sha256File } from '../results/result-folder';
import { appVersion } from '../version';
import { SectionKit } from './figures';
import { slug } from './format';
import type { DataFile, ReportModel, ReportSection } from './model';
import { SHOWN_MAPS, TRUTH_MAPS } from './quantities';
import { RESTORE_KINDS, restoreSection } from './section-restore';
import { fieldSection, type OpenedJob } from './sections';

export interface ReportOptions {
  title?: string;
  project?: string;
  sample?: string;
  operator?: string;
  /** default today (local date, YYYY-MM-DD) */
  date?: string;
  /** operator notes, plain text; blank lines separate paragraphs */
  notes?: string;
  /** a folder of ground-truth maps named like the jobs' maps (truth.ts, Note: Finding the truth) */
  truthDir?: string;
  /** a label per job folder shown first in its section's subtitle, e.g. "job #12" (the app's job ids) */
  jobLabels?: (string | undefined)[];
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The maps a report shows of a job of this kind (undefined: every map, for a kind it does not know). */
function reportedMaps(kind: string): ((name: string) => boolean) | undefined {
  if (RESTORE_KINDS.has(kind) || !SHOWN_MAPS[kind]) return undefined;
  const names = new Set([...SHOWN_MAPS[kind], ...TRUTH_MAPS]);
  return (name) => names.has(name);
}

async function checkFolder(abs: string): Promise<void> {
  const st = await stat(abs).catch(() => null);
  if (!st) throw new LabError('E_NOT_FOUND', `The job folder ${abs} does not exist.`, abs);
  if (!st.isDirectory()) throw new LabError('E_INVALID_INPUT', `${abs} is a file, not a job's result folder.`, abs);
}

/** The error of a folder that cannot be read, naming it (openResultFolder's own messages already do). */
function namingFolder(err: unknown, abs: string): LabError {
  const e = toLabError(err);
  return e.message.includes(abs) ? e : new LabError(e.code, `The job folder ${abs} cannot be read: ${e.message}`, abs);
}

/**
 * Checks that a folder is a readable result folder (its result.json) without reading any map; returns
 * its kind. Throws a LabError whose message names the folder.
 */
export async function checkJob(dir: string): Promise<string> {
  const abs = resolve(dir);
  await checkFolder(abs);
  try {
    return (await openResultFolder(abs, () => false)).kind;
  } catch (err) {
    throw namingFolder(err, abs);
  }
}

/**
 * Opens one job folder for the report: result.json and the maps its section shows (all of them for a
 * kind the report does not know). Throws a LabError whose message names the folder.
 */
export async function openJob(dir: string): Promise<OpenedJob> {
  const abs = resolve(dir);
  await checkFolder(abs);
  try {
    const head = await openResultFolder(abs, () => false);
    const opened = await openResultFolder(abs, reportedMaps(head.kind));
    const files = Array.isArray(opened.result.files) ? (opened.result.files as { name?: unknown }[]) : [];
    const profileCsv = files.some((f) => f.name === 'profile.csv') ? await readFile(join(abs, 'profile.csv'), 'utf8') : undefined;
    return { ...opened, profileCsv, resultSha256: await sha256File(join(abs, 'result.json')) };
  } catch (err) {
    // a broken map inside names only the file
    throw namingFolder(err, abs);
  }
}

/** The title page fields of a report built now. */
export function reportMeta(opts: ReportOptions): Pick<ReportModel, 'meta' | 'notes'> {
  return {
    meta: {
      title: opts.title?.trim() || 'Measurement report',
      project: opts.project?.trim() || undefined,
      sample: opts.sample?.trim() || undefined,
      operator: opts.operator?.trim() || undefined,
      date: opts.date?.trim() || today(),
      generatedAt: new Date().toISOString(),
      appVersion: appVersion(),
    },
    notes: opts.notes?.trim() || undefined,
  };
}

/**
 * Builds the sections of the given job folders one at a time, in order, handing each to `use` with its
 * data files before the next job is opened; once `use` returns, nothing here holds that job's maps, so
 * the peak memory is one job's, whatever the number of jobs. Every folder's result.json is checked first:
 * a bad one stops the report before any work is spent on the others.
 *
 * @param ctx cancellation and progress (one step per job)
 */
export async function forEachSection(
  jobDirs: string[],
  opts: ReportOptions,
  use: (section: ReportSection, files: DataFile[], k: number) => Promise<void>,
  ctx?: TaskContext,
): Promise<void> {
  if (jobDirs.length === 0) throw new LabError('E_INVALID_INPUT', 'A report needs at least one job folder.');
  for (const d of jobDirs) await checkJob(d);
  for (const [k, dir] of jobDirs.entries()) {
    if (ctx?.signal.aborted) throw new LabError('E_CANCELLED', 'The report was cancelled.');
    ctx?.progress.report(k / jobDirs.length, `section ${k + 1} of ${jobDirs.length}: ${basename(resolve(dir))}`);
    const number = String(k + 1);
    const kit = new SectionKit(number, `job${number}_${slug(basename(resolve(dir)))}`);
    const section = await buildSection(await openJob(dir), number, kit, opts);
    const label = opts.jobLabels?.[k]?.trim();
    if (label) section.subtitle = section.subtitle ? `${label} · ${section.subtitle}` : label;
    await use(section, kit.files, k);
  }
  ctx?.progress.report(1, 'sections ready');
}

// A function of its own so that the opened job is garbage once the section is built: only the section
// (and, until it is written, its data files) may still point at the maps.
function buildSection(job: OpenedJob, number: string, kit: SectionKit, opts: ReportOptions): Promise<ReportSection> {
  return RESTORE_KINDS.has(job.kind) ? restoreSection(job, number, kit) : fieldSection(job, number, kit, opts.truthDir);
}

/**
 * The report model of the given job folders, in the given order, every figure's data included: it holds
 * every job's maps at once, so it is for small reports and tests; write-report.ts builds job by job.
 *
 * @param jobDirs result folders written by the app or `lab` (result.json + maps)
 * @param opts title page fields, notes, and an optional truth folder
 * @param ctx cancellation and progress (one step per job)
 */
export async function buildReportModel(jobDirs: string[], opts: ReportOptions = {}, ctx?: TaskContext): Promise<ReportModel> {
  const model: ReportModel = { ...reportMeta(opts), sections: [], dataFiles: [] };
  await forEachSection(
    jobDirs,
    opts,
    async (section, files) => {
      model.sections.push(section);
      model.dataFiles.push(...files);
    },
    ctx,
  );
  ctx?.progress.report(1, 'report model ready');
  return model;
}
