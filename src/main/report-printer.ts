/**
 * @file The app's PDF printer for reports (`report.export`): Electron's webContents.printToPDF in a hidden,
 * sandboxed window with JavaScript off, on its own in-memory session that lets through nothing but the
 * report file itself and data: URIs (a self-contained report asks for nothing else). The HTML is written
 * to a temp file and loaded from there — a data: URL of a report with many figures would pass Chromium's
 * 2 MB URL limit. Page size, margins, header and footer (page numbers) come from report/pdf.ts
 * `pdfPageSetup` through `htmlToPdfWith`, which prints two or three passes for the TOC page numbers.
 * Plus where the report stylesheet lives in a packaged app (electron-builder.yml extraResources).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, session } from 'electron';
import type { ReportPrinterHandle } from '../core/backend/report-handlers';
import { LabError } from '../core/errors';
import type { PdfPrinter } from '../core/report/pdf';

const inch = (mm: number) => mm / 25.4;

/** The report files being printed right now: the only file: URLs the print session lets through. */
const printing = new Set<string>();
let printSession: Electron.Session | null = null;

/**
 * One in-memory session for every export (Electron never frees a partition's session, so one per export
 * would pile up for the life of the app): no permissions, no network, only data: URIs and the report files
 * being printed.
 */
function reportSession(): Electron.Session {
  if (!printSession) {
    printSession = session.fromPartition('report-print', { cache: false });
    printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !(printing.has(details.url) || details.url.startsWith('data:')) }));
    printSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  }
  return printSession;
}

/** A printer for one export; close() destroys its window. */
export async function electronReportPrinter(): Promise<ReportPrinterHandle> {
  const ses = reportSession();
  const win = new BrowserWindow({
    show: false,
    width: 900,
    height: 1200,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true, session: ses, spellcheck: false },
  });
  const print: PdfPrinter = async (html, s) => {
    const file = join(tmpdir(), `lab-report-print-${randomUUID()}.html`);
    await writeFile(file, html, { encoding: 'utf8', mode: 0o600 });
    const url = pathToFileURL(file).href;
    try {
      printing.add(url);
      await win.loadURL(url);
      const pdf = await win.webContents.printToPDF({
        pageSize: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: s.headerTemplate,
        footerTemplate: s.footerTemplate,
        generateDocumentOutline: true,
        generateTaggedPDF: true,
        margins: { top: inch(s.marginMm.top), right: inch(s.marginMm.right), bottom: inch(s.marginMm.bottom), left: inch(s.marginMm.left) },
      });
      return new Uint8Array(pdf);
    } finally {
      printing.delete(url);
      await rm(file, { force: true });
    }
  };
  return {
    print,
    close: async () => {
      if (!win.isDestroyed()) win.destroy();
    },
  };
}

/**
 * The report stylesheet: packaged, <resources>/report/report.css (electron-builder.yml extraResources);
 * in development, resources/report/report.css of the app folder. LAB_REPORT_CSS overrides both.
 */
export function reportCssPath(): string {
  if (process.env.LAB_REPORT_CSS) return process.env.LAB_REPORT_CSS;
  return app.isPackaged ? join(process.resourcesPath, 'report', 'report.css') : join(app.getAppPath(), 'resources', 'report', 'report.css');
}

export function readReportCss(): string {
  const path = reportCssPath();
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new LabError('E_NOT_FOUND', `The report stylesheet ${path} is missing; reinstall the application or set LAB_REPORT_CSS to its path.`, path);
  }
}
