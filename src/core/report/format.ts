/**
 * @file Small text helpers of the report: numbers as the report prints them (one function, so the tests
 * can look for exactly what a reader sees), HTML escaping, CSV writing and reading, and file-name slugs.
 *
 * Note: Report numbers. Tables print 4 significant digits (metrics/table.ts `formatNumber`) with an ASCII
 * minus, so a value copied from the PDF pastes into a spreadsheet as a number; NaN is "—". CSV files keep
 * every digit: a float32 value widened to a double and written with String() reads back bit-identical.
 */
import { formatNumber } from '../metrics/table';

/** A number as tables and captions show it (Note: Report numbers). */
export function formatValue(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  // Very small and very large magnitudes in scientific notation (6.519e-6, not 0.000006519): easier to
  // read and the digit count stays the same.
  const a = Math.abs(v);
  if (Number.isFinite(v) && a !== 0 && (a < 1e-3 || a >= 1e6) && !(Number.isInteger(v) && a < 1e15)) {
    const [m, e] = v.toExponential(digits - 1).split('e');
    return `${String(Number(m))}e${Number(e)}`;
  }
  return formatNumber(v, digits);
}

/** A byte count for people: 1.2 MB, 830 kB, 412 B. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A folder or file name made of letters, digits, "-", "_" and "." only (for the data folder). */
export function slug(s: string): string {
  const t = s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return t.slice(0, 48) || 'job';
}

type CsvCell = number | string | null | undefined;

/** One CSV cell: numbers with every digit ("NaN" for NaN), text quoted when it must be. */
function csvCell(c: CsvCell): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return Number.isNaN(c) ? 'NaN' : String(c);
  return /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

/** CSV text: a header line and one line per row, "\n" line ends, a final newline. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** Reads CSV text written by toCsv or profilesToCsv (quoted cells allowed); returns header and string rows. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const lines: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), lines.push(row), (row = []), (cell = '');
    } else cell += ch;
  }
  if (cell !== '' || row.length) row.push(cell), lines.push(row);
  const nonEmpty = lines.filter((r) => !(r.length === 1 && r[0] === ''));
  return { header: nonEmpty[0] ?? [], rows: nonEmpty.slice(1) };
}

/** A CSV cell back to a number ("NaN", "" → NaN). */
export const csvNumber = (s: string | undefined): number => (s === undefined || s === '' ? Number.NaN : Number(s));
