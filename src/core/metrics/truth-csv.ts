/**
 * @file Reader for the ground truth of DIC Challenge 1.0 Sample 14 (../shared/data/dic/sample14/truth.csv):
 * one row per image column x (0-based), columns `x, u_L1, exx_L1, u_L3, exx_L3, u_L5, exx_L5`, u in px,
 * exx = ∂u/∂x in microstrain, v = 0. The published file has no header line (and CRLF line ends, and
 * numbers such as 3.31E-07); a header, when present, must name exactly those columns, so a file with
 * reordered columns is refused rather than silently misread. Every failure names the file and the line.
 * Values are read as written: the published file stores numbers in E notation with 3 significant digits,
 * harmless for the tiny values near x = 101 but ±5e-5 px for u_L3 at x = 716 and 1332 (±5.88E-02), so
 * accuracy claims below 1e-4 px on L3 should leave those two columns out.
 */
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors';

export const TRUTH_COLUMNS = ['x', 'u_L1', 'exx_L1', 'u_L3', 'exx_L3', 'u_L5', 'exx_L5'] as const;
export type TruthLevel = 'L1' | 'L3' | 'L5';

export interface Sample14Truth {
  /** the file read, for reports */
  file: string;
  /** number of rows = image columns described */
  rows: number;
  /** column index of each row (0, 1, 2, ...) */
  x: Float64Array;
  /** true u per column, px, for each deformed image */
  u: Record<TruthLevel, Float64Array>;
  /** true ∂u/∂x per column, microstrain */
  exx: Record<TruthLevel, Float64Array>;
}

/** Reads and checks truth.csv. Throws LabError (E_NOT_FOUND, E_IO, E_CORRUPT) naming the file. */
export async function parseTruthCsv(path: string): Promise<Sample14Truth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The truth file "${path}" does not exist.`, path);
    throw new LabError('E_IO', `Cannot read the truth file "${path}" (${code ?? (err as Error).message}).`, path);
  }
  return parseTruthCsvText(text, path);
}

/** Same as parseTruthCsv from the file's text; `name` is used in messages. */
export function parseTruthCsvText(text: string, name: string): Sample14Truth {
  const bad = (line: number, why: string) =>
    new LabError('E_CORRUPT', `"${name}" line ${line}: ${why}. Expected rows of ${TRUTH_COLUMNS.join(', ')} (Sample 14 truth).`, name);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();

  let start = 0;
  if (lines.length && /[A-Za-z_]/.test(lines[0].replace(/[eE][+-]?\d/g, ''))) {
    // A header: accept it only if it names our columns in our order (quotes and case ignored).
    const names = lines[0].split(',').map((s) => s.trim().replace(/^"|"$/g, '').toLowerCase());
    const want = TRUTH_COLUMNS.map((s) => s.toLowerCase());
    if (names.length !== want.length || names.some((s, i) => s !== want[i])) {
      throw bad(1, `the header is "${lines[0].trim()}"`);
    }
    start = 1;
  }
  const rows = lines.length - start;
  if (rows <= 0) throw new LabError('E_CORRUPT', `"${name}" holds no data rows; expected one row per image column.`, name);

  const cols = TRUTH_COLUMNS.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const lineNo = start + r + 1;
    const fields = lines[start + r].split(',');
    if (fields.length !== TRUTH_COLUMNS.length) throw bad(lineNo, `${fields.length} fields instead of ${TRUTH_COLUMNS.length}`);
    for (let c = 0; c < fields.length; c++) {
      const s = fields[c].trim();
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) throw bad(lineNo, `field ${c + 1} (${TRUTH_COLUMNS[c]}) is "${s}", not a number`);
      cols[c][r] = v;
    }
    // Rows are looked up by column index, so a gap or a shuffle would misalign truth and measurement.
    if (cols[0][r] !== r) throw bad(lineNo, `x is ${cols[0][r]} where ${r} was expected (rows must list columns 0, 1, 2, ... in order)`);
  }
  return {
    file: name,
    rows,
    x: cols[0],
    u: { L1: cols[1], L3: cols[3], L5: cols[5] },
    exx: { L1: cols[2], L3: cols[4], L5: cols[6] },
  };
}
