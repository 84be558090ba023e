/**
 * @file Pure helpers of the Settings workspace: model table cells (short sha256, parameter count, metrics
 * flattened to rows and the few shown in the table) and the theme (applied as `data-theme` on <html>, and
 * remembered in localStorage so the next start paints in it before the back end answers).
 */

export type Theme = 'dark' | 'light';
export const THEME_KEY = 'speckle-lab.theme';

/** The first 12 hex digits and an ellipsis (the full value is in the title and the copy button). */
export function shortSha(sha: string): string {
  return sha.length > 12 ? `${sha.slice(0, 12)}…` : sha;
}

/** 523456 → "523.5 k", 12_300_000 → "12.3 M". */
export function formatParams(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

function leafText(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** Every leaf of a metrics object as [dotted path, text]; arrays of numbers stay one row. */
export function flattenMetrics(metrics: Record<string, unknown>, prefix = ''): [string, string][] {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(metrics)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) rows.push(...flattenMetrics(v as Record<string, unknown>, key));
    else rows.push([key, leafText(v)]);
  }
  return rows;
}

/**
 * The few numeric metrics for the table cell, one line each, value first so a narrow cell still shows it ("19.508  test-psnr-db.mean"): means first,
 * then the others in manifest order. `—` without metrics; "see details" when none is a number.
 */
export function keyMetrics(metrics: Record<string, unknown>, count = 2): string[] {
  const rows = flattenMetrics(metrics).filter(([, t]) => t !== '' && !Number.isNaN(Number(t)));
  if (rows.length === 0) return [Object.keys(metrics).length ? 'see details' : '—'];
  const rank = (k: string) => (/(^|\.)mean$|_mean$/.test(k) ? 0 : 1);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r[0]) - rank(b.r[0]) || a.i - b.i)
    .slice(0, count)
    .map(({ r: [k, t] }) => `${t}  ${k}`);
}

export function isTheme(v: unknown): v is Theme {
  return v === 'dark' || v === 'light';
}

/** Sets `data-theme` on <html> and remembers it for the next start. */
export function applyTheme(theme: Theme, doc: Document | undefined = globalThis.document, storage: Storage | undefined = globalThis.localStorage): void {
  if (doc) doc.documentElement.dataset.theme = theme;
  try {
    storage?.setItem(THEME_KEY, theme);
  } catch {
    // private mode or storage full: the back end's settings file still has it
  }
}

/** The theme remembered from the last run ('dark' when none). */
export function rememberedTheme(storage: Storage | undefined = globalThis.localStorage): Theme {
  try {
    const v = storage?.getItem(THEME_KEY);
    return isTheme(v) ? v : 'dark';
  } catch {
    return 'dark';
  }
}
