/**
 * @file Public face of the report module: job result folders → report model (model.ts, build.ts) →
 * one self-contained HTML file (html.ts) with its data folder (data-files.ts) → PDF (pdf.ts). The CLI
 * (`lab report`) calls `writeReport`; the app runs `stageReport` in its compute host and `finishReport`
 * where its printer is (Note: Report export off the main process, write-report.ts). Restoration jobs plug in through section-restore.ts (Note: Restore result
 * folders).
 */
export { buildReportModel, checkJob, forEachSection, openJob, type ReportOptions } from './build';
export {
  writeReport, stageReport, finishReport, discardReport, discardReportQuietly, dataDirFor, newStagingStamp, stagingPaths,
  type WriteReportOptions, type WriteReportResult, type StageReportOptions, type StagedReport,
} from './write-report';
export { documentParts, htmlRenderer, renderParts, renderReportHtml, reportCss, sectionHtml, type DocumentParts, type HtmlOptions, type PageMap } from './html';
export { htmlToPdfWith, chromiumPrinter, pdfPageSetup, type PdfPrinter, type PdfPageSetup, type PdfResult } from './pdf';
export { readPdfOutline, type PdfOutline } from './pdf-dests';
export { writeDataFiles, MANIFEST_GENERATOR } from './data-files';
export { formatValue, parseCsv, toCsv } from './format';
export { allFigures, allTables, tocEntries } from './model';
export type * from './model';
