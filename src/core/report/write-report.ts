/**
 * @file One call from job folders to files on disk: report.html, its data folder report_data/ beside it,
 * and optionally the PDF. Shared by `lab report` and (through the compute host) the app.
 *
 * Nothing is overwritten unless `force`: an existing HTML, PDF or data folder stops the report before any
 * work, naming the file. With `force`, a data folder is replaced only when its manifest.json says the
 * report wrote it, so a user folder that happens to have the same name is never deleted. Every output is
 * written under a temporary name and renamed into place, so a crash leaves the old report or the new one.
 */
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LabError } from '../errors';
import { writeFileAtomic } from '../imageio/atomic';
import type { TaskContext } from '../progress';
import { buildReportModel, type ReportOptions } from './build';
import { MANIFEST_GENERATOR, writeDataFiles } from './data-files';
import { htmlRenderer } from './html';
import { tocEntries, type ReportModel } from './model';
import { chromiumPrinter, htmlToPdfWith, pdfPageSetup, type PdfPrinter } from './pdf';

export interface WriteReportOptions extends ReportOptions {
  jobDirs: string[];
  /** the HTML file to write */
  outHtml: string;
  /** also print a PDF here */
  outPdf?: string;
  /** replace existing outputs (see the file note) */
  force?: boolean;
  /** PDF printer; default headless Chromium (pdf.ts chromiumPrinter) */
  printer?: PdfPrinter;
  /** stylesheet text, for a packaged app whose resources live elsewhere (default html.ts reportCss) */
  css?: string;
  /** how the caller's user asks to overwrite / to choose another name (default the CLI's --force, --out) */
  hints?: { force: string; rename: string };
}

export interface WriteReportResult {
  html: string;
  dataDir: string;
  pdf?: string;
  pageCount?: number;
  figures: number;
  dataFiles: number;
  warnings: string[];
  model: ReportModel;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The data folder of a report: report.html → report_data beside it. */
export function dataDirFor(outHtml: string): string {
  const abs = resolve(outHtml);
  return join(dirname(abs), `${basename(abs, extname(abs))}_data`);
}

const CLI_HINTS = { force: 'Add --force to replace it.', rename: 'Choose another --out name.' };

async function checkTarget(path: string, force: boolean, what: string, hints = CLI_HINTS): Promise<void> {
  if (!(await exists(path))) return;
  if (!force) throw new LabError('E_INVALID_INPUT', `The ${what} ${path} already exists; nothing was overwritten. ${hints.force}`, path);
  const st = await stat(path);
  if (what === 'data folder') {
    const manifest = await readFile(join(path, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { generator?: string }, () => null);
    if (!st.isDirectory() || manifest?.generator !== MANIFEST_GENERATOR) {
      throw new LabError('E_INVALID_INPUT', `${path} exists and was not written by a report (no report manifest.json in it); it was left alone. ${hints.rename}`, path);
    }
  } else if (st.isDirectory()) {
    throw new LabError('E_INVALID_INPUT', `The ${what} ${path} is a folder; choose a file name.`, path);
  }
}

/** Builds the report of `jobDirs` and writes it (see the file note). */
export async function writeReport(opts: WriteReportOptions, ctx?: TaskContext): Promise<WriteReportResult> {
  const html = resolve(opts.outHtml);
  const dataDir = dataDirFor(html);
  const pdf = opts.outPdf ? resolve(opts.outPdf) : undefined;
  const force = opts.force ?? false;
  if (pdf && pdf === html) throw new LabError('E_INVALID_INPUT', `The PDF and the HTML would both be ${html}; give them different names.`, html);
  if (!(await stat(dirname(html)).then((s) => s.isDirectory(), () => false))) {
    throw new LabError('E_NOT_FOUND', `The folder ${dirname(html)} for the report does not exist; create it first.`, html);
  }
  await checkTarget(html, force, 'report', opts.hints);
  await checkTarget(dataDir, force, 'data folder', opts.hints);
  if (pdf) await checkTarget(pdf, force, 'PDF', opts.hints);
  if (opts.truthDir && !(await stat(opts.truthDir).then((s) => s.isDirectory(), () => false))) {
    throw new LabError('E_NOT_FOUND', `The truth folder ${resolve(opts.truthDir)} does not exist or is not a folder.`, opts.truthDir);
  }

  const model = await buildReportModel(opts.jobDirs, opts, ctx && { signal: ctx.signal, progress: ctx.progress.sub(0, 0.5) });
  ctx?.progress.report(0.5, 'writing the data folder');
  const tmp = join(dirname(dataDir), `.${basename(dataDir)}.partial-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  let written: Awaited<ReturnType<typeof writeDataFiles>>;
  try {
    written = await writeDataFiles(model, tmp, basename(html));
    if (await exists(dataDir)) await rm(dataDir, { recursive: true }); // checked above: ours, and --force
    await rename(tmp, dataDir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }

  ctx?.progress.report(0.65, 'drawing the figures');
  const renderer = htmlRenderer(model, { dataDir: basename(dataDir), css: opts.css });
  await writeFileAtomic(html, Buffer.from(renderer.render(), 'utf8'), force);
  const result: WriteReportResult = { html, dataDir, figures: renderer.figures, dataFiles: written.files.length, warnings: written.warnings, model };

  if (pdf) {
    ctx?.progress.report(0.8, 'printing the PDF');
    const ids = [...(model.notes ? ['notes'] : []), ...tocEntries(model).map((e) => e.id)];
    // The PDF carries no links into the data folder: they would point nowhere once the PDF travels alone.
    const render = (pages?: Record<string, number>) => renderer.render(pages).replace(/<a class="data-link" href="[^"]*">/g, '<a class="data-link">');
    const own = opts.printer ? null : await chromiumPrinter();
    try {
      const out = await htmlToPdfWith(opts.printer ?? own!.print, render, ids, pdfPageSetup(model.meta));
      await writeFileAtomic(pdf, out.pdf, force);
      Object.assign(result, { pdf, pageCount: out.pageCount });
      if (out.missing.length) result.warnings.push(`The PDF has no page for ${out.missing.length} table-of-contents entries; their page numbers are left blank.`);
      if (own?.blocked.length) result.warnings.push(`The report tried to load ${own.blocked.length} external resource(s), which were blocked: ${own.blocked.slice(0, 3).join(', ')}`);
    } finally {
      await own?.close();
    }
  }
  ctx?.progress.report(1, 'done');
  return result;
}
