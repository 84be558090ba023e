/**
 * @file The "Export report…" form of the Jobs workspace as plain functions: which jobs can be reported,
 * the default file name (beside the first job's result folder, dated), checking the form with messages
 * placed next to their field, and the `report.export` input it becomes.
 */
import type { CallInput } from '../../../shared/contract';

export interface ReportForm {
  title: string;
  operator: string;
  sample: string;
  notes: string;
  /** the HTML file (full path); the PDF goes beside it */
  outPath: string;
  pdf: boolean;
  /** replace an existing report of that name */
  force: boolean;
}

export type ReportFormErrors = Partial<Record<keyof ReportForm | 'jobs', string>>;

/** A job the report can take: done, with a result folder. */
export const reportable = (job: { state: string; resultDir: string | null }): boolean => job.state === 'done' && Boolean(job.resultDir);

const pad = (n: number) => String(n).padStart(2, '0');

/** The folder a path lies in (either separator), '' when it has none. */
export function parentDir(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const k = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return k > 0 ? trimmed.slice(0, k) : k === 0 ? trimmed.slice(0, 1) : '';
}

/** report-YYYYMMDD-HHMM.html beside the first job's result folder (the results directory). */
export function defaultReportPath(resultDir: string | null | undefined, now = new Date()): string {
  const dir = resultDir ? parentDir(resultDir) : '';
  const sep = resultDir && resultDir.includes('\\') && !resultDir.includes('/') ? '\\' : '/';
  const name = `report-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}.html`;
  return dir ? `${dir}${sep}${name}` : name;
}

export function defaultReportForm(firstResultDir: string | null | undefined, now = new Date()): ReportForm {
  return { title: 'Measurement report', operator: '', sample: '', notes: '', outPath: defaultReportPath(firstResultDir, now), pdf: true, force: false };
}

const isAbsolutePath = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

/** Mistakes by field; empty when the form can be sent. */
export function validateReportForm(form: ReportForm, jobCount: number): ReportFormErrors {
  const e: ReportFormErrors = {};
  if (jobCount === 0) e.jobs = 'Select at least one done job in the table.';
  if (!form.title.trim()) e.title = 'Give the report a title.';
  else if (form.title.length > 300) e.title = 'At most 300 characters.';
  const out = form.outPath.trim();
  if (!out) e.outPath = 'Give the file to write, ending in .html.';
  else if (!isAbsolutePath(out)) e.outPath = 'Give a full path (for example /home/me/reports/report.html).';
  else if (!/\.html?$/i.test(out)) e.outPath = 'The report is one HTML file: the name should end in .html (the PDF goes beside it).';
  if (form.notes.length > 50_000) e.notes = 'Notes are limited to 50 000 characters.';
  return e;
}

/** The data folder beside the HTML, as the back end writes it: report.html → report_data. */
export const dataDirFor = (html: string) => html.trim().replace(/\.html?$/i, '') + '_data';

/** The PDF path beside the HTML, as the back end writes it. */
export const pdfPathFor = (html: string) => html.trim().replace(/\.html?$/i, '.pdf');

export function toReportInput(form: ReportForm, jobIds: number[], taskId: string): CallInput<'report.export'> {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  return {
    taskId,
    jobIds,
    title: form.title.trim(),
    operator: opt(form.operator),
    sample: opt(form.sample),
    notes: opt(form.notes),
    outPath: form.outPath.trim(),
    pdf: form.pdf,
    force: form.force,
  };
}

export function newReportTaskId(now = Date.now(), random = Math.random()): string {
  return `report-${now.toString(36)}-${Math.floor(random * 36 ** 6).toString(36).padStart(6, '0')}`;
}
