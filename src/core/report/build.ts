/**
 * @file Builds the report model (model.ts) from result folders: opens each folder (only the files its
 * result.json lists), picks the section builder by job kind — restoration has its own, every other kind
 * gets the field section, so a kind added later still reports its maps and statistics — and gathers
 * the data files of every section. A folder that is not a readable result folder fails the whole report
 * with one sentence naming it, before anything is written.
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
import type { ReportModel } from './model';
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

/** Opens one job folder for the report; throws a LabError whose message names the folder. */
export async function openJob(dir: string): Promise<OpenedJob> {
  const abs = resolve(dir);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new LabError('E_NOT_FOUND', `The job folder ${abs} does not exist.`, abs);
  if (!st.isDirectory()) throw new LabError('E_INVALID_INPUT', `${abs} is a file, not a job's result folder.`, abs);
  try {
    const opened = await openResultFolder(abs);
    const files = Array.isArray(opened.result.files) ? (opened.result.files as { name?: unknown }[]) : [];
    const profileCsv = files.some((f) => f.name === 'profile.csv') ? await readFile(join(abs, 'profile.csv'), 'utf8') : undefined;
    return { ...opened, profileCsv, resultSha256: await sha256File(join(abs, 'result.json')) };
  } catch (err) {
    const e = toLabError(err);
    // openResultFolder's own messages name the folder; a broken map inside it names only the file.
    throw e.message.includes(abs) ? e : new LabError(e.code, `The job folder ${abs} cannot be read: ${e.message}`, abs);
  }
}

/**
 * The report model of the given job folders, in the given order.
 *
 * @param jobDirs result folders written by the app or `lab` (result.json + maps)
 * @param opts title page fields, notes, and an optional truth folder
 * @param ctx cancellation and progress (one step per job)
 */
export async function buildReportModel(jobDirs: string[], opts: ReportOptions = {}, ctx?: TaskContext): Promise<ReportModel> {
  if (jobDirs.length === 0) throw new LabError('E_INVALID_INPUT', 'A report needs at least one job folder.');
  // Open every folder first: a bad one should stop the report before any work is spent on the others.
  const jobs: OpenedJob[] = [];
  for (const d of jobDirs) jobs.push(await openJob(d));
  const model: ReportModel = {
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
    sections: [],
    dataFiles: [],
  };
  for (const [k, job] of jobs.entries()) {
    if (ctx?.signal.aborted) throw new LabError('E_CANCELLED', 'The report was cancelled.');
    ctx?.progress.report(k / jobs.length, `section ${k + 1} of ${jobs.length}: ${basename(job.dir)}`);
    const number = String(k + 1);
    const kit = new SectionKit(number, `job${number}_${slug(basename(job.dir))}`);
    const section = RESTORE_KINDS.has(job.kind) ? await restoreSection(job, number, kit) : await fieldSection(job, number, kit, opts.truthDir);
    const label = opts.jobLabels?.[k]?.trim();
    if (label) section.subtitle = section.subtitle ? `${label} · ${section.subtitle}` : label;
    model.sections.push(section);
    model.dataFiles.push(...kit.files);
  }
  ctx?.progress.report(1, 'report model ready');
  return model;
}
