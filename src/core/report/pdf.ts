/**
 * @file The report as PDF, printed from the same HTML by Chromium: headless Debian Chromium through
 * playwright-core on the CLI (`chromiumPrinter`), Electron's webContents.printToPDF in the app (main
 * plugs it in through `htmlToPdfWith(printer, …)`). A4, backgrounds printed, a footer with the title,
 * date and "Page n of N" on every page.
 *
 * Note: TOC page numbers. Chromium does not implement CSS `target-counter()`, so the table of contents
 * gets its page numbers in two passes: print once with a placeholder in every page slot (same width, so
 * the layout is the final one), read which page each section landed on, print again with the numbers.
 * The pages are read from the PDF's named destinations — Chromium writes one per element id that an
 * internal link targets, and the TOC links every section — by pdf-dests.ts in plain TypeScript, so it
 * works the same with Electron's printer and needs no poppler. If the second pass moved a section (it
 * should not: only digits change), a third pass settles it. Rejected alternatives: searching each page's
 * text (pdftotext -layout) for headings is fragile when a heading wraps and is not available on Windows;
 * paged.js would need a script in the report.
 */
// Type only at load time: playwright-core is a development dependency that the packaged app does not ship
// (Electron prints with its own window), so it is imported when chromiumPrinter runs, never before.
import type { Browser } from 'playwright-core';
import { LabError } from '../errors';
import { escapeHtml } from './format';
import type { PageMap } from './html';
import { readPdfOutline } from './pdf-dests';

export interface PdfPageSetup {
  /** Chromium header/footer templates (classes pageNumber, totalPages, title, date are filled in) */
  headerTemplate: string;
  footerTemplate: string;
  /** page margins, mm (the same as @page in report.css, which a printer may or may not honour) */
  marginMm: { top: number; right: number; bottom: number; left: number };
}

/**
 * Prints one HTML document to PDF bytes. Electron's version, for main:
 * `async (html, s) => { await win.loadURL('data:text/html;base64,' + Buffer.from(html).toString('base64'));
 *   return win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, displayHeaderFooter: true,
 *   headerTemplate: s.headerTemplate, footerTemplate: s.footerTemplate, generateDocumentOutline: true,
 *   margins: { top: s.marginMm.top / 25.4, bottom: s.marginMm.bottom / 25.4, left: s.marginMm.left / 25.4,
 *   right: s.marginMm.right / 25.4 } }) }` in a hidden window whose session blocks every non-data: request.
 */
export type PdfPrinter = (html: string, setup: PdfPageSetup) => Promise<Uint8Array>;

/** The page setup of a report: footer "title · date" on the left, "Page n of N" on the right. */
export function pdfPageSetup(meta: { title: string; date: string }): PdfPageSetup {
  const style = 'width:100%;margin:0 16mm;display:flex;justify-content:space-between;font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif;font-size:7pt;color:#5b6470;';
  return {
    headerTemplate: '<span></span>',
    footerTemplate: `<div style="${style}"><span>${escapeHtml(meta.title)} · ${escapeHtml(meta.date)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    marginMm: { top: 16, right: 16, bottom: 18, left: 16 },
  };
}

export interface PdfResult {
  pdf: Uint8Array;
  pageCount: number;
  /** section id → page, as printed in the TOC */
  pages: PageMap;
  passes: number;
  /** ids the PDF had no destination for (their TOC entry shows no page) */
  missing: string[];
}

/**
 * Two-pass printing with TOC page numbers (Note: TOC page numbers).
 *
 * @param printer prints HTML to PDF bytes (chromiumPrinter().print, or Electron's)
 * @param render the document for given TOC page numbers (html.ts `htmlRenderer(...).render`)
 * @param ids the TOC's targets (model.ts `tocEntries`, plus 'notes' when there are notes)
 */
export async function htmlToPdfWith(printer: PdfPrinter, render: (pages?: PageMap) => string, ids: string[], setup: PdfPageSetup): Promise<PdfResult> {
  let pages: PageMap = Object.fromEntries(ids.map((id) => [id, 888])); // placeholder: three digits wide
  for (let pass = 1; pass <= 3; pass++) {
    const pdf = await printer(render(pages), setup);
    const outline = readPdfOutline(pdf);
    const found: PageMap = {};
    for (const id of ids) if (outline.destinations[id]) found[id] = outline.destinations[id];
    const settled = pass > 1 && ids.every((id) => found[id] === pages[id]);
    const missing = ids.filter((id) => !found[id]);
    if (settled || pass === 3 || (pass > 1 && missing.length === ids.length)) return { pdf, pageCount: outline.pageCount, pages: found, passes: pass, missing };
    pages = found;
  }
  throw new Error('unreachable');
}

export interface ChromiumPrinterOptions {
  /** default $LAB_CHROMIUM or /usr/bin/chromium */
  executablePath?: string;
}

/**
 * A printer on headless Chromium. Every request other than data: URIs is aborted and recorded in
 * `blocked` (a self-contained report makes none; a non-empty list is a bug worth a test). One browser
 * serves every pass; `close()` ends it.
 */
export async function chromiumPrinter(opts: ChromiumPrinterOptions = {}): Promise<{ print: PdfPrinter; blocked: string[]; close(): Promise<void> }> {
  const executablePath = opts.executablePath ?? process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';
  let browser: Browser;
  const { chromium } = await import('playwright-core');
  try {
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (err) {
    throw new LabError('E_RUNTIME', `Chromium could not be started from ${executablePath} (${(err as Error).message.split('\n')[0]}); install it (apt-get install chromium) or set LAB_CHROMIUM to its path. The HTML report does not need it.`, executablePath);
  }
  const blocked: string[] = [];
  const print: PdfPrinter = async (html, setup) => {
    const page = await browser.newPage();
    try {
      await page.route('**/*', (route) => {
        blocked.push(route.request().url());
        return route.abort();
      });
      await page.setContent(html, { waitUntil: 'load' });
      const mm = (v: number) => `${v}mm`;
      const bytes = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: setup.headerTemplate,
        footerTemplate: setup.footerTemplate,
        margin: { top: mm(setup.marginMm.top), right: mm(setup.marginMm.right), bottom: mm(setup.marginMm.bottom), left: mm(setup.marginMm.left) },
        outline: true,
        tagged: true,
      });
      return new Uint8Array(bytes);
    } finally {
      await page.close();
    }
  };
  return { print, blocked, close: () => browser.close() };
}
