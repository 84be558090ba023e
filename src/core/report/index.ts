/**
 * @file Public face of the report module: job result folders → report model (model.ts, build.ts) →
 * one self-contained HTML file (html.ts) with its data folder (data-files.ts) → PDF (pdf.ts). The CLI
 * (`lab report`) and the app call `writeReport`; the app's main process prints with Electron through
 * `htmlToPdfWith(printer, …)`. Restoration jobs plug in through section-restore.ts (Note: Restore result
 * folders).
 */
export { buildReportModel, openJob, type ReportOptions } from './build';
export { writeReport, dataDirFor, type WriteReportOptions, type WriteReportResult } from './write-report';
export { htmlRenderer, renderReportHtml, reportCss, type HtmlOptions, type PageMap } from './html';
export { htmlToPdfWith, chromiumPrinter, pdfPageSetup, type PdfPrinter, type PdfPageSetup, type PdfResult } from './pdf';
export { readPdfOutline, type PdfOutline } from './pdf-dests';
export { writeDataFiles, MANIFEST_GENERATOR } from './data-files';
export { formatValue, parseCsv, toCsv } from './format';
export { allFigures, allTables, tocEntries } from './model';
export type * from './model';
