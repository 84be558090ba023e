/**
 * @file The report as ONE self-contained HTML file: the stylesheet inlined (resources/report/report.css),
 * charts as inline SVG, maps as PNG data URIs, no script and no external reference, so it opens the same
 * offline, in a mail attachment or in ten years. A title page with the table of contents (links to every
 * section and subsection; page numbers once the PDF pass knows them, Note: TOC page numbers in pdf.ts),
 * operator notes under it (spilling onto the next page when long), then one section per job, each
 * starting on a new page when printed.
 *
 * The figures are drawn once per renderer (`htmlRenderer`); rendering again with page numbers only
 * rebuilds the table of contents, which keeps the two-pass PDF cheap.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LabError } from '../errors';
import { escapeHtml } from './format';
import { figureHtml, tableHtml } from './html-figures';
import { allFigures, tocEntries, type Block, type ReportMeta, type ReportModel, type ReportSection } from './model';

export interface HtmlOptions {
  /** the data folder as the HTML refers to it (relative to the HTML file), e.g. "report_data" */
  dataDir: string;
  /** stylesheet text; default resources/report/report.css (LAB_REPORT_CSS overrides the path) */
  css?: string;
}

/** Section id → 1-based PDF page. */
export type PageMap = Record<string, number>;

/** The default stylesheet: resources/report/report.css from the project root, or $LAB_REPORT_CSS. */
export function reportCss(): string {
  const path = process.env.LAB_REPORT_CSS ?? resolve(import.meta.dirname, '..', '..', '..', 'resources', 'report', 'report.css');
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new LabError('E_NOT_FOUND', `The report stylesheet ${path} is missing; reinstall the application or set LAB_REPORT_CSS to its path.`, path);
  }
}

const p = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((para) => `<p>${escapeHtml(para.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('\n');

function blockHtml(b: Block, dataDir: string): string {
  switch (b.type) {
    case 'text':
      return p(b.text);
    case 'messages':
      return `<div class="messages"><div class="kv-title">${escapeHtml(b.title)}</div><ul>${b.items.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul></div>`;
    case 'keyValues':
      return `<div class="kv${b.compact ? ' compact' : ''}">${b.title ? `<div class="kv-title">${escapeHtml(b.title)}</div>` : ''}<dl>${b.items
        .map((i) => `<dt>${escapeHtml(i.key)}</dt><dd${i.mono ? ' class="mono"' : ''}>${escapeHtml(i.value)}</dd>`)
        .join('')}</dl></div>`;
    case 'table':
      return tableHtml(b.table, dataDir);
    case 'figures':
      return `<div class="figs cols-${b.columns}">${b.figures.map((f) => figureHtml(f, b.columns, dataDir)).join('\n')}</div>`;
  }
}

function titlePage(m: ReportMeta, jobs: number, dataDir: string): string {
  const rows: [string, string | undefined][] = [
    ['Project', m.project],
    ['Sample', m.sample],
    ['Operator', m.operator],
    ['Date', m.date],
    ['Jobs', String(jobs)],
    ['Generated', `${m.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} by Speckle Lab ${m.appVersion}`],
  ];
  return `<div class="brand">Speckle Lab · measurement report</div>
<h1>${escapeHtml(m.title)}</h1>
<table class="meta">${rows
    .filter(([, v]) => v)
    .map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v!)}</td></tr>`)
    .join('')}</table>
<p class="how-to-read">Maps use the job's pixel grid (x to the right, y down); dark grey marks points that were not measured (NaN).
Every figure and table names the files behind it in the data folder <code>${escapeHtml(dataDir)}/</code> beside this report: float32 TIFF maps
copied unchanged from the result folders, and CSV files holding exactly the plotted values.</p>`;
}

/** An entry of the table of contents (the notes, then model.ts `tocEntries`). */
export type TocEntry = ReturnType<typeof tocEntries>[number];

/** The TOC's entries: the notes first when there are any, then every section and subsection. */
export function tocOf(model: Pick<ReportModel, 'notes' | 'sections'>): TocEntry[] {
  return [...(model.notes ? [{ id: 'notes', number: '', title: 'Notes', level: 1 as const }] : []), ...tocEntries(model as ReportModel)];
}

function tocHtml(entries: TocEntry[], pages?: PageMap): string {
  const items = entries
    .map((e) => {
      const pg = pages?.[e.id];
      return `<li class="toc-l${e.level}"><a href="#${e.id}"><span class="toc-num">${escapeHtml(e.number)}</span><span class="toc-title">${escapeHtml(e.title)}</span><span class="toc-fill"></span><span class="toc-page">${pg ?? ''}</span></a></li>`;
    })
    .join('\n');
  return `<nav class="toc${pages ? ' with-pages' : ''}"><h2>Contents</h2><ol>${items}</ol></nav>`;
}

/** One job's section with its figures drawn (the expensive part of rendering: PNG maps, SVG charts). */
export function sectionHtml(s: ReportSection, dataDir: string): string {
  const subs = s.subsections
    .map((ss, k) => `<section class="sub" id="${ss.id}"><h3><span class="num">${s.number}.${k + 1}</span> ${escapeHtml(ss.title)}</h3>\n${ss.blocks.map((b) => blockHtml(b, dataDir)).join('\n')}</section>`)
    .join('\n');
  return `<section class="job" id="${s.id}"><h2><span class="num">${s.number}</span> ${escapeHtml(s.title)}</h2>${s.subtitle ? `<p class="subtitle">${escapeHtml(s.subtitle)}</p>` : ''}\n${subs}</section>`;
}

/**
 * The document around its table of contents, so that it can be assembled again with page numbers from
 * plain strings (no model, no figures): `head + TOC + tail`. This is what a report built job by job
 * keeps, and what the PDF printer gets across processes (Note: Report export off the main process,
 * write-report.ts).
 */
export interface DocumentParts {
  head: string;
  toc: TocEntry[];
  tail: string;
}

/**
 * The document's parts from the title page fields, the TOC entries and the sections already drawn.
 *
 * @param jobs the number of job sections (the title page says it)
 */
export function documentParts(model: Pick<ReportModel, 'meta' | 'notes'>, toc: TocEntry[], jobs: number, sectionsHtml: string[], opts: HtmlOptions): DocumentParts {
  const css = opts.css ?? reportCss();
  const m = model.meta;
  const notes = model.notes ? `<section class="notes" id="notes"><h2>Notes</h2>${p(model.notes)}</section>` : '';
  const end = `<p class="end">End of report · ${escapeHtml(m.title)} · ${escapeHtml(m.date)} · Speckle Lab ${escapeHtml(m.appVersion)}</p>`;
  return {
    head: `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Speckle Lab ${escapeHtml(m.appVersion)}">
<title>${escapeHtml(m.title)}${m.sample ? ` · ${escapeHtml(m.sample)}` : ''} · ${escapeHtml(m.date)}</title>
<style>
${css}
</style></head>
<body>
<header class="title-page">
${titlePage(m, jobs, opts.dataDir)}
`,
    toc,
    tail: `
${notes}
</header>
${sectionsHtml.join('\n')}
${end}
</body></html>
`,
  };
}

/** The whole document from its parts, with TOC page numbers when given. */
export function renderParts(parts: DocumentParts, pages?: PageMap): string {
  return parts.head + tocHtml(parts.toc, pages) + parts.tail;
}

/** Draws every figure once; `render(pages)` assembles the document with or without TOC page numbers. */
export function htmlRenderer(model: ReportModel, opts: HtmlOptions): { render(pages?: PageMap): string; figures: number } {
  const parts = documentParts(model, tocOf(model), model.sections.length, model.sections.map((s) => sectionHtml(s, opts.dataDir)), opts);
  return { figures: allFigures(model).length, render: (pages?: PageMap) => renderParts(parts, pages) };
}

/** The whole document in one call (no TOC page numbers unless given). */
export function renderReportHtml(model: ReportModel, opts: HtmlOptions & { pages?: PageMap }): string {
  return htmlRenderer(model, opts).render(opts.pages);
}
