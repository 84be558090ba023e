/**
 * @file HTML fragments of figures and tables: each figure is a `<figure>` with a numbered title, the SVG
 * (charts.ts) or images (before/after), and a caption ending with the data files behind it, linked
 * relative to the HTML so the report folder can be moved or zipped as a whole.
 */
import { histogramSvg, mapSvg, profileSvg, vectorSvg } from './charts';
import { escapeHtml, formatValue } from './format';
import type { BeforeAfterFigure, Figure, ReportTable } from './model';
import { greyPngUri, INSET_COLOURS, insetPngUri } from './raster';

/** Column width in CSS px of a figure in a 1-, 2- or 3-column row (A4 text block 672 px, 14 px gaps). */
export const FIGURE_WIDTH = { 1: 560, 2: 329, 3: 214 } as const;

/**
 * Relative href of a file in the report's data folder. Each segment is percent-encoded on its own, since
 * encodeURI leaves '#' and '?' alone ("Sample #3_data/…" would link to an anchor), and the './' keeps a
 * first segment with a colon ("scan:2_data") from reading as a URL scheme.
 */
export function relativeHref(path: string): string {
  return `./${path.split('/').map(encodeURIComponent).join('/')}`;
}

function dataLinks(paths: string[], dataDir: string): string {
  const links = paths.map((p) => `<a class="data-link" href="${escapeHtml(relativeHref(`${dataDir}/${p}`))}"><code>${escapeHtml(`${dataDir}/${p}`).replace(/\//g, '/<wbr>')}</code></a>`);
  return `<span class="data">Data: ${links.join(', ')}</span>`;
}

function beforeAfterHtml(fig: BeforeAfterFigure): string {
  const pair = [
    [fig.beforeLabel, greyPngUri(fig.before, fig.range, fig.insets)],
    [fig.afterLabel, greyPngUri(fig.after, fig.range, fig.insets)],
  ]
    .map(([label, uri]) => `<div class="ba-panel"><img src="${uri}" alt="${escapeHtml(label)}"><div class="ba-label">${escapeHtml(label)}</div></div>`)
    .join('');
  const insets = fig.insets
    .map((r, k) => {
      const name = String.fromCharCode(65 + k);
      const colour = INSET_COLOURS[k % INSET_COLOURS.length];
      return [['before', fig.before], ['after', fig.after]]
        .map(([side, img]) => `<div class="ba-inset" style="border-color:${colour}"><img src="${insetPngUri(img as BeforeAfterFigure['before'], r, fig.range)}" alt="inset ${name} ${side}"><div class="ba-label">${name} · ${side}</div></div>`)
        .join('');
    })
    .join('');
  const where = fig.insets.map((r, k) => `${String.fromCharCode(65 + k)}: ${r.width}×${r.height} px at (${r.x}, ${r.y})`).join('; ');
  return `<div class="ba-pair">${pair}</div><div class="ba-insets">${insets}</div><div class="ba-where">Enlarged regions (output pixels) — ${where}.</div>`;
}

/** The drawing of a figure (SVG or images), sized for its column count. */
function figureBody(fig: Figure, columns: 1 | 2 | 3): string {
  const w = FIGURE_WIDTH[columns];
  switch (fig.type) {
    case 'map':
      return mapSvg(fig, w);
    case 'vectors':
      return vectorSvg(fig, w);
    case 'histogram':
      return histogramSvg(fig, w);
    case 'profile':
      return profileSvg(fig, w);
    case 'beforeAfter':
      return beforeAfterHtml(fig);
  }
}

export function figureHtml(fig: Figure, columns: 1 | 2 | 3, dataDir: string): string {
  return `<figure class="fig fig-${fig.type}" id="${fig.id}">
<div class="fig-title"><span class="fig-label">${escapeHtml(fig.label)}</span> ${escapeHtml(fig.title)}</div>
<div class="fig-body">${figureBody(fig, columns)}</div>
<figcaption>${escapeHtml(fig.caption)} ${dataLinks(fig.data, dataDir)}</figcaption>
</figure>`;
}

export function tableHtml(t: ReportTable, dataDir: string): string {
  const ncol = t.columns.length;
  const full = new Set(t.fullWidthRows ?? []);
  const head = t.columns.map((c) => `<th class="${c.numeric ? 'num' : ''}">${escapeHtml(c.title)}</th>`).join('');
  const body = t.rows
    .map((r, k) => {
      if (full.has(k)) return `<tr class="full"><td colspan="${ncol}"><code>${escapeHtml(String(r[0] ?? ''))}</code></td></tr>`;
      const cells = t.columns.map((c, j) => {
        const v = r[j];
        const text = typeof v === 'number' ? formatValue(v) : v === null || v === undefined ? '—' : String(v);
        return `<td class="${c.numeric ? 'num' : ''}${c.mono ? ' mono' : ''}">${escapeHtml(text)}</td>`;
      });
      return `<tr${full.has(k + 1) ? ' class="has-full"' : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  const note = [t.caption ? escapeHtml(t.caption) : '', t.data ? dataLinks([t.data], dataDir) : ''].filter(Boolean).join(' ');
  return `<div class="table-wrap" id="${t.id}">
<div class="fig-title"><span class="fig-label">${escapeHtml(t.label)}</span> ${escapeHtml(t.title)}</div>
<table class="data-table"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
${note ? `<p class="table-note">${note}</p>` : ''}
</div>`;
}
