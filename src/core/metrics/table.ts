/**
 * @file Aligned plain-text tables for the CLI and for test logs: numbers right-aligned with a fixed number
 * of significant digits, text left-aligned, NaN shown as "—" so a missing figure is never mistaken for a
 * small one. Monospace output only; the report draws its own tables from the same row objects.
 */

export type Cell = string | number | boolean | null | undefined;

export interface TableOptions {
  /** columns to show and their order (object rows); default the keys of the first row */
  columns?: string[];
  /** column titles, by key; default the key */
  titles?: Record<string, string>;
  /** significant digits of non-integers; default 4 */
  digits?: number;
  /** text between columns; default two spaces */
  gap?: string;
}

/** A number with `digits` significant digits, without a trailing exponent for everyday magnitudes. */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  // Number(toPrecision) drops trailing zeros; String() keeps plain notation from 1e-6 to 1e21.
  return String(Number(v.toPrecision(digits)));
}

/**
 * Formats rows as an aligned table. Rows are either objects (a header line is built from the keys or
 * `columns`) or arrays of cells whose first array is the header.
 *
 * @example formatTable([{ shift: 0.1, bias: 0.0012 }, { shift: 0.2, bias: -0.0031 }])
 *   shift     bias
 *     0.1   0.0012
 *     0.2  -0.0031
 */
export function formatTable(rows: Record<string, Cell>[] | Cell[][], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const digits = opts.digits ?? 4;
  let grid: Cell[][];
  if (Array.isArray(rows[0])) {
    grid = rows as Cell[][];
  } else {
    const objs = rows as Record<string, Cell>[];
    const keys = opts.columns ?? Object.keys(objs[0]);
    grid = [keys.map((k) => opts.titles?.[k] ?? k), ...objs.map((o) => keys.map((k) => o[k]))];
  }
  const text = grid.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c, digits) : c == null ? '' : String(c))));
  const ncol = Math.max(...text.map((r) => r.length));
  // A column is numeric (right-aligned) when every body cell that holds something is a number.
  const numeric = Array.from({ length: ncol }, (_, j) => grid.slice(1).every((r) => r[j] == null || typeof r[j] === 'number'));
  const width = Array.from({ length: ncol }, (_, j) => Math.max(...text.map((r) => [...(r[j] ?? '')].length)));
  const gap = opts.gap ?? '  ';
  return text
    .map((r) =>
      Array.from({ length: ncol }, (_, j) => {
        const s = r[j] ?? '';
        const pad = ' '.repeat(width[j] - [...s].length);
        return numeric[j] ? pad + s : s + pad;
      })
        .join(gap)
        .trimEnd(),
    )
    .join('\n');
}
