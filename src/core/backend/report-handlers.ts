/**
 * @file `report.export`, split out of handlers.ts: the report of jobs chosen in the history (by job id)
 * and/or result folders, made by the same code as `lab report` — the HTML, its data folder beside it and,
 * when asked, the PDF beside the HTML. The heavy part (reading maps, drawing, hashing) runs in the compute
 * host as the `report.stage` op, with progress and cancellation like every long task; this side only
 * prints the PDF and renames the staged files into place (Note: Report export off the main process, in
 * report/write-report.ts), so a cancelled export creates none of its files. Printing is the transport's (BackendDeps
 * `reportPrinter`): Electron main prints with a hidden sandboxed window's printToPDF, the harness with
 * headless Chromium (report/pdf.ts chromiumPrinter). The stylesheet comes from `reportCss` where the
 * default path does not hold (a packaged app keeps it under its resources folder).
 *
 * The temporary names are chosen here (a stamp passed to `report.stage`), so this side removes the staged
 * files whenever the staging call fails, also when the host crashed or was closed before its own cleanup
 * ran. A printer that cannot start (no Chromium) still leaves the HTML and its data folder, as `lab report`
 * does, and the error then names why there is no PDF. Cleanup is best effort: its failure is a warning, the
 * printer is always closed, and a finished export is never reported as failed because of it.
 *
 * Only done jobs with a result folder can be reported; a job that is missing, failed or still running
 * stops the export with one sentence naming it, before anything is written. Each section's subtitle
 * starts with "job #ID", so the report says which history entry it came from.
 */
import { isAbsolute } from 'node:path';
import type { CallInputParsed, CallOutput } from '../../shared/contract';
import { LabError, toLabError } from '../errors';
import { makeProgress } from '../progress';
import type { PdfPrinter } from '../report/pdf';
import { discardReportQuietly, finishReport, newStagingStamp, stagingPaths, type StageReportOptions, type StagedReport } from '../report/write-report';
import type { BackendDeps } from './handlers';

/** A printer for one export; `close` frees what it holds (a browser, a hidden window). */
export interface ReportPrinterHandle {
  print: PdfPrinter;
  close(): Promise<void>;
}

export interface ReportHandlerContext {
  deps: BackendDeps;
  asTask<T>(taskId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** The PDF path of a report: the HTML's name with .pdf. */
export const pdfPathFor = (html: string) => html.replace(/\.html?$/i, '.pdf');

export function reportHandlers(c: ReportHandlerContext): { 'report.export': (input: CallInputParsed<'report.export'>) => Promise<CallOutput<'report.export'>> } {
  const { deps } = c;
  return {
    'report.export': async (input) => {
      const outPath = input.outPath.trim();
      if (!isAbsolute(outPath)) throw new LabError('E_INVALID_INPUT', `The report file "${outPath}" must be a full path (for example /home/me/reports/report.html).`);
      if (!/\.html?$/i.test(outPath)) throw new LabError('E_INVALID_INPUT', `The report file ${outPath} should end in .html (the report is one HTML file; the PDF goes beside it).`, outPath);
      const jobDirs: string[] = [];
      const labels: (string | undefined)[] = [];
      for (const id of input.jobIds) {
        const job = deps.jobs.getJob(id);
        if (!job) throw new LabError('E_NOT_FOUND', `Job #${id} does not exist (it may have been removed); refresh the list.`);
        if (job.state !== 'done' || !job.resultDir) {
          throw new LabError('E_INVALID_INPUT', `Job #${id} (${job.kind}) is ${job.state}${job.state === 'done' ? ' but has no result folder' : ''}; only done jobs with a result folder can be reported.`);
        }
        jobDirs.push(job.resultDir);
        labels.push(`job #${id}`);
      }
      for (const d of input.resultDirs) jobDirs.push(d), labels.push(undefined);
      if (!jobDirs.length) throw new LabError('E_INVALID_INPUT', 'Choose at least one done job for the report.');
      if (input.pdf && !deps.reportPrinter) throw new LabError('E_UNSUPPORTED', 'PDF printing is not available here; export the HTML only.');

      const taskId = input.taskId ?? `report-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      return c.asTask(taskId, async (signal) => {
        const progress = makeProgress((fraction, message) => deps.emit('task.progress', { taskId, fraction, message }));
        const share = input.pdf ? 0.8 : 0.95;
        const opts: StageReportOptions = {
          jobDirs,
          jobLabels: labels,
          outHtml: outPath,
          outPdf: input.pdf ? pdfPathFor(outPath) : undefined,
          force: input.force,
          title: input.title,
          operator: input.operator,
          sample: input.sample,
          project: input.project,
          notes: input.notes,
          css: deps.reportCss?.(),
          hints: { force: 'Tick "Replace an existing report of that name" to replace it.', rename: 'Choose another report file name.' },
          stamp: newStagingStamp(),
        };
        const tmp = stagingPaths(outPath, opts.stamp!);
        let staged: StagedReport;
        try {
          staged = await deps.compute.run<StagedReport>('report.stage', opts, { signal, onProgress: (f, m) => progress.report(f * share, m) });
        } catch (err) {
          // The host removes its files on an error it sees, but not when it dies or is closed mid-export.
          await discardReportQuietly(tmp);
          throw err;
        }
        let printer: ReportPrinterHandle | null = null;
        let result: CallOutput<'report.export'> | undefined;
        try {
          if (input.pdf && !signal.aborted) {
            try {
              printer = await deps.reportPrinter!();
            } catch (err) {
              // as `lab report` does: the HTML and its data folder are still placed, then the error says why there is no PDF
              await finishReport({ ...staged, pdf: undefined, printable: undefined }, null, { signal, progress: progress.sub(share, 1) });
              const e = toLabError(err);
              throw new LabError(e.code === 'E_INTERNAL' ? 'E_UNSUPPORTED' : e.code, `The report ${staged.html} and its data folder were written, but the PDF could not be made: the PDF printer could not start (${e.message}).`, e.file);
            }
          }
          const done = await finishReport(staged, printer?.print ?? null, { signal, progress: progress.sub(share, 1) });
          result = {
            htmlPath: staged.html,
            pdfPath: done.pdf ?? null,
            dataDir: staged.dataDir,
            pages: done.pageCount ?? null,
            sections: staged.sections,
            figures: staged.figures,
            dataFiles: staged.dataFiles,
            warnings: done.warnings,
          };
          return result;
        } finally {
          // best effort, and never in the way of closing the printer or of the export's result
          const left = await discardReportQuietly(staged);
          if (left && result && !result.warnings.includes(left)) result.warnings.push(left);
          await printer?.close().catch((err: unknown) => console.warn(`[report] the PDF printer could not be closed: ${err instanceof Error ? err.message : String(err)}`));
        }
      });
    },
  };
}
