/**
 * @file One call from job folders to files on disk: report.html, its data folder report_data/ beside it,
 * and optionally the PDF. Shared by `lab report` and (through the compute host) the app.
 *
 * Nothing is overwritten unless `force`: an existing HTML, PDF or data folder stops the report before any
 * work, naming the file. With `force`, a data folder is replaced only when its manifest.json says the
 * report wrote it, so a user folder that happens to have the same name is never deleted. Every output is
 * written under a temporary name and renamed into place, so a crash leaves the old report or the new one.
 *
 * Note: Report export off the main process. A report is made in three steps so that the app can run the
 * heavy one in its compute host and keep the one that needs Electron in main: `stageReport` (compute host:
 * reads the maps, builds, draws and hashes — job by job, see build.ts forEachSection — and writes the data
 * folder and the HTML under temporary names), then `finishReport` (the caller: prints the PDF from the
 * staged document's plain strings, whose table of contents is filled in per pass, then renames everything
 * into place), or `discardReport` on cancellation. A cancelled export therefore creates none of its
 * targets. Each job's maps are dropped once its section is drawn and its data files are written: only
 * the drawn HTML, the manifest entries and a model without pixel arrays are kept (`keepFigureData`
 * keeps them, for tests that compare drawn values with the data files), so a report of ten 8k² jobs
 * needs about one job's memory rather than ten.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LabError } from '../errors';
import { writeFileAtomic } from '../imageio/atomic';
import type { TaskContext } from '../progress';
import { forEachSection, reportMeta, type ReportOptions } from './build';
import { MANIFEST_GENERATOR, usedByOf, writeFiles, writeManifest, type ManifestFile } from './data-files';
import { documentParts, renderParts, sectionHtml, tocOf, type DocumentParts } from './html';
import { allFigures, type DataFile, type ReportModel, type ReportSection } from './model';
import { chromiumPrinter, htmlToPdfWith, pdfPageSetup, type PdfPageSetup, type PdfPrinter } from './pdf';

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
  /**
   * keep every figure's pixel arrays (maps, before/after images, derived TIFFs) in the returned model;
   * default false: they are emptied (length 0) once drawn and written (Note: Report export off the main
   * process)
   */
  keepFigureData?: boolean;
}

/** What the compute host is given: every option that crosses a process boundary (no printer). */
export type StageReportOptions = Omit<WriteReportOptions, 'printer'> & {
  /**
   * names the temporary files (`stagingPaths`); the caller chooses it (`newStagingStamp`) so that it can
   * remove them itself when the staging call fails without cleaning up (the compute host crashed or was
   * closed mid-export); default a new one
   */
  stamp?: string;
};

/** A report written under temporary names, waiting for its PDF and for `finishReport` (plain data). */
export interface StagedReport {
  html: string;
  dataDir: string;
  pdf?: string;
  force: boolean;
  hints?: { force: string; rename: string };
  /** the data folder and the HTML under their temporary names, beside their targets */
  tmpDataDir: string;
  tmpHtml: string;
  /** the document for the PDF printer (no links into the data folder) and its page setup; with `pdf` only */
  printable?: DocumentParts & { setup: PdfPageSetup };
  sections: number;
  figures: number;
  dataFiles: number;
  warnings: string[];
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
const cancelled = () => new LabError('E_CANCELLED', 'The report was cancelled.');

/** The data folder of a report: report.html → report_data beside it. */
export function dataDirFor(outHtml: string): string {
  const abs = resolve(outHtml);
  return join(dirname(abs), `${basename(abs, extname(abs))}_data`);
}

/** A fresh stamp for `stagingPaths`: this process, the time and a random part. */
export function newStagingStamp(): string {
  return `${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
}

/**
 * The temporary names under which `stageReport` writes a report's data folder and HTML, beside their
 * targets (hidden, with ".partial-STAMP"). The caller that chose the stamp can remove them with
 * `discardReport` whatever happened to the process that staged them.
 */
export function stagingPaths(outHtml: string, stamp: string): Pick<StagedReport, 'tmpDataDir' | 'tmpHtml'> {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(stamp)) throw new LabError('E_INVALID_INPUT', `Invalid staging stamp "${stamp}" (letters, digits, - and _ only).`);
  const html = resolve(outHtml);
  const dataDir = dataDirFor(html);
  return {
    tmpDataDir: join(dirname(dataDir), `.${basename(dataDir)}.partial-${stamp}`),
    tmpHtml: join(dirname(html), `.${basename(html)}.partial-${stamp}`),
  };
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

const EMPTY = new Float32Array(0);

/** Empties the pixel arrays of a drawn section (see WriteReportOptions.keepFigureData). */
function dropPixels(section: ReportSection): void {
  for (const ss of section.subsections) {
    for (const b of ss.blocks) {
      if (b.type !== 'figures') continue;
      for (const f of b.figures) {
        if (f.type === 'map') f.values = EMPTY;
        else if (f.type === 'vectors') f.background = EMPTY;
        else if (f.type === 'beforeAfter') (f.before = { ...f.before, data: EMPTY }), (f.after = { ...f.after, data: EMPTY });
      }
    }
  }
}

const withoutPixels = (f: DataFile): DataFile => (f.source.kind === 'tiff' ? { ...f, source: { ...f.source, image: { ...f.source.image, data: EMPTY } } } : f);

// The PDF carries no links into the data folder: they would point nowhere once the PDF travels alone.
const withoutDataLinks = (html: string) => html.replace(/<a class="data-link" href="[^"]*">/g, '<a class="data-link">');

async function writeSynced(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync(); // the rename in finishReport must not reach the disk before the data does
  } finally {
    await fh.close();
  }
}

/**
 * Checks the targets, builds the report of `jobDirs` job by job and writes its data folder and HTML under
 * temporary names (Note: Report export off the main process). On an error or cancellation the temporary
 * files are removed and nothing else was touched.
 *
 * @param ctx cancellation, checked between jobs and between data files; progress 0–1 over the jobs
 */
export async function stageReport(opts: StageReportOptions, ctx?: TaskContext): Promise<{ staged: StagedReport; model: ReportModel }> {
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

  const model: ReportModel = { ...reportMeta(opts), sections: [], dataFiles: [] };
  const dataName = basename(dataDir);
  const { tmpDataDir, tmpHtml } = stagingPaths(html, opts.stamp ?? newStagingStamp());
  const drawn: string[] = [];
  const manifest: ManifestFile[] = [];
  const warnings: string[] = [];
  let figures = 0;
  await mkdir(tmpDataDir);
  try {
    await forEachSection(
      opts.jobDirs,
      opts,
      async (section, files) => {
        const one = { sections: [section] };
        const written = await writeFiles(files, usedByOf(one), tmpDataDir, ctx?.signal);
        manifest.push(...written.files);
        warnings.push(...written.warnings);
        drawn.push(sectionHtml(section, dataName));
        figures += allFigures(one as ReportModel).length;
        if (!opts.keepFigureData) dropPixels(section);
        model.sections.push(section);
        model.dataFiles.push(...(opts.keepFigureData ? files : files.map(withoutPixels)));
      },
      ctx && { signal: ctx.signal, progress: ctx.progress.sub(0, 0.95) },
    );
    if (ctx?.signal.aborted) throw cancelled();
    ctx?.progress.report(0.95, 'writing the report');
    await writeManifest(model.meta, manifest, tmpDataDir, basename(html));
    const parts = documentParts(model, tocOf(model), model.sections.length, drawn, { dataDir: dataName, css: opts.css });
    drawn.length = 0;
    await writeSynced(tmpHtml, renderParts(parts));
    const staged: StagedReport = {
      html, dataDir, pdf, force, hints: opts.hints, tmpDataDir, tmpHtml,
      printable: pdf ? { head: withoutDataLinks(parts.head), toc: parts.toc, tail: withoutDataLinks(parts.tail), setup: pdfPageSetup(model.meta) } : undefined,
      sections: model.sections.length, figures, dataFiles: manifest.length, warnings,
    };
    ctx?.progress.report(1, 'report staged');
    return { staged, model };
  } catch (err) {
    await discardReportQuietly({ tmpDataDir, tmpHtml });
    throw err;
  }
}

/**
 * Removes what `stageReport` wrote (a cancelled or failed export); safe to call twice or after finishReport.
 * Both removals are tried (with a few retries on EBUSY and the like); the first error is thrown after.
 */
export async function discardReport(s: Pick<StagedReport, 'tmpDataDir' | 'tmpHtml'>): Promise<void> {
  const errors: unknown[] = [];
  await rm(s.tmpDataDir, { recursive: true, force: true, maxRetries: 2, retryDelay: 50 }).catch((e: unknown) => void errors.push(e));
  await rm(s.tmpHtml, { force: true, maxRetries: 2, retryDelay: 50 }).catch((e: unknown) => void errors.push(e));
  if (errors.length) throw errors[0];
}

/**
 * `discardReport` as best-effort cleanup: never throws; a failure is logged and returned as a warning
 * naming the temporary files to delete by hand (undefined when all went).
 */
export async function discardReportQuietly(s: Pick<StagedReport, 'tmpDataDir' | 'tmpHtml'>): Promise<string | undefined> {
  try {
    await discardReport(s);
    return undefined;
  } catch (err) {
    const left = [s.tmpDataDir, s.tmpHtml].filter((p) => existsSync(p));
    const warning = `The report's temporary files could not all be removed (${err instanceof Error ? err.message : String(err)})${left.length ? `; delete ${left.join(' and ')} by hand` : ''}.`;
    console.warn(`[report] ${warning}`);
    return warning;
  }
}

/** Gives a staged file its name: a hard link unless `force`, so a file created meanwhile is never replaced. */
async function place(tmp: string, target: string, force: boolean, hints?: StagedReport['hints']): Promise<void> {
  if (force) return rename(tmp, target);
  try {
    await link(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') await checkTarget(target, false, 'report', hints);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    await checkTarget(target, false, 'report', hints);
    return rename(tmp, target);
  }
  await unlink(tmp);
}

/**
 * Renames a staged report into place, with its PDF when given. Targets are checked again first. The HTML
 * goes first: it is the one that can meet a file created meanwhile (EEXIST), and then nothing has moved;
 * should the data folder then fail to move, the HTML just placed is taken back (unless `force`), so a
 * failed commit never leaves a data folder without its HTML or an HTML without its data folder.
 */
async function commitReport(s: StagedReport, pdfBytes?: Uint8Array): Promise<void> {
  await checkTarget(s.html, s.force, 'report', s.hints);
  await checkTarget(s.dataDir, s.force, 'data folder', s.hints);
  if (s.pdf && pdfBytes) await checkTarget(s.pdf, s.force, 'PDF', s.hints);
  if (await exists(s.dataDir)) await rm(s.dataDir, { recursive: true }); // checked: ours, and force
  await place(s.tmpHtml, s.html, s.force, s.hints);
  try {
    if (!s.force) await checkTarget(s.dataDir, false, 'data folder', s.hints); // rename would replace an empty folder
    await rename(s.tmpDataDir, s.dataDir);
  } catch (err) {
    if (!s.force) await unlink(s.html).catch(() => {}); // ours: placed by a hard link that could not replace anything
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTEMPTY') await checkTarget(s.dataDir, false, 'data folder', s.hints);
    throw err;
  }
  if (s.pdf && pdfBytes) await writeFileAtomic(s.pdf, pdfBytes, s.force);
}

/**
 * Prints the PDF of a staged report (when it has one) and renames everything into place; on cancellation
 * nothing is placed and the staged files are removed. A PDF that fails to print for another reason (no
 * Chromium, say) still leaves the HTML and its data folder, and the error is thrown after they are placed.
 *
 * @param printer the PDF printer (Electron's printToPDF in main, headless Chromium elsewhere); needed with `pdf`
 * @param ctx cancellation, checked before every print pass and before anything is renamed
 */
export async function finishReport(s: StagedReport, printer: PdfPrinter | null, ctx?: TaskContext): Promise<{ pdf?: string; pageCount?: number; warnings: string[] }> {
  const warnings = [...s.warnings];
  let done = false;
  try {
    let printed: Awaited<ReturnType<typeof htmlToPdfWith>> | undefined;
    let printError: unknown;
    if (s.pdf && s.printable) {
      const parts = s.printable;
      ctx?.progress.report(0, 'printing the PDF');
      try {
        if (!printer) throw new LabError('E_UNSUPPORTED', 'PDF printing is not available here; export the HTML only.');
        const print: PdfPrinter = async (html, setup) => {
          if (ctx?.signal.aborted) throw cancelled();
          return printer(html, setup);
        };
        printed = await htmlToPdfWith(print, (pages) => renderParts(parts, pages), parts.toc.map((e) => e.id), parts.setup);
      } catch (err) {
        if (ctx?.signal.aborted) throw cancelled();
        printError = err;
      }
    }
    if (ctx?.signal.aborted) throw cancelled();
    await commitReport(s, printed?.pdf);
    if (printError) throw printError;
    if (printed?.missing.length) warnings.push(`The PDF has no page for ${printed.missing.length} table-of-contents entries; their page numbers are left blank.`);
    ctx?.progress.report(1, 'done');
    done = true;
    return printed ? { pdf: s.pdf, pageCount: printed.pageCount, warnings } : { warnings };
  } finally {
    // best effort: a cleanup error never replaces the result (nor the error) of the export
    const left = await discardReportQuietly(s);
    if (left && done) warnings.push(left);
  }
}

/** Builds the report of `jobDirs` and writes it (see the file note), all in this process. */
export async function writeReport(opts: WriteReportOptions, ctx?: TaskContext): Promise<WriteReportResult> {
  const { printer, ...stageOpts } = opts;
  const share = opts.outPdf ? 0.8 : 0.95;
  const { staged, model } = await stageReport(stageOpts, ctx && { signal: ctx.signal, progress: ctx.progress.sub(0, share) });
  let own: Awaited<ReturnType<typeof chromiumPrinter>> | null = null;
  try {
    if (staged.pdf && !printer) own = await chromiumPrinter().catch(async (err: unknown) => {
      // as before the split: without Chromium the HTML is still written, then the error is reported
      await finishReport({ ...staged, pdf: undefined, printable: undefined }, null);
      throw err;
    });
    const done = await finishReport(staged, printer ?? own?.print ?? null, ctx && { signal: ctx.signal, progress: ctx.progress.sub(share, 1) });
    if (own?.blocked.length) done.warnings.push(`The report tried to load ${own.blocked.length} external resource(s), which were blocked: ${own.blocked.slice(0, 3).join(', ')}`);
    return { html: staged.html, dataDir: staged.dataDir, ...(done.pdf && { pdf: done.pdf, pageCount: done.pageCount }), figures: staged.figures, dataFiles: staged.dataFiles, warnings: done.warnings, model };
  } finally {
    await discardReportQuietly(staged);
    await own?.close();
  }
}
