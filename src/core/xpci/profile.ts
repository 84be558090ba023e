/**
 * @file Line profiles through float32 maps (refraction angle, phase, thickness, transmission ...) and
 * their CSV export.
 *
 * Note: Profile sampling. The segment from (x0, y0) to (x1, y1) (pixel centres, x = column, y = row) is
 * sampled every 1 px from its start, s = 0, 1, …, ⌊L⌋ with L its length, plus the end point when L is
 * not a whole number, so both ends are always included. Across the line, a band of `widthPx` samples 1 px
 * apart centred on the line (offsets −(w−1)/2 … (w−1)/2 along the left-hand normal) is averaged. Each
 * sample is bilinear; a sample is skipped when it falls outside the image or any of the pixels it blends
 * (with non-zero weight) is NaN, so "not measured" never leaks into a mean as a number. Each point reports
 * the mean, the standard deviation of the samples averaged (NaN for fewer than 2) and their count n
 * (0 → value NaN). The end points themselves must lie inside the image; band samples beyond the border
 * are skipped rather than refused, so a wide band along an edge still works.
 */
import { LabError } from '../errors';

export interface ProfileSpec {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** band width across the line, whole pixels ≥ 1 (1 = the line only) */
  widthPx?: number;
  /** pixel size in µm: adds sUm */
  pixelUm?: number;
}

export interface Profile {
  /** distance from (x0, y0) along the line, px */
  s: Float64Array;
  /** the same in µm, when pixelUm was given */
  sUm?: Float64Array;
  /** the sample positions on the line, px */
  x: Float64Array;
  y: Float64Array;
  /** mean across the band; NaN where n = 0 */
  value: Float64Array;
  /** standard deviation across the band (sample, n − 1); NaN where n < 2 */
  std: Float64Array;
  /** samples averaged at each point */
  n: Uint32Array;
}

/** Bilinear value at (x, y), or NaN outside the image or next to a NaN pixel it would blend. */
export function bilinear(map: Float32Array, width: number, height: number, x: number, y: number): number {
  if (!(x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1)) return Number.NaN;
  const i = Math.min(Math.floor(x), width - 2 < 0 ? 0 : width - 2);
  const j = Math.min(Math.floor(y), height - 2 < 0 ? 0 : height - 2);
  const fx = x - i, fy = y - j;
  let acc = 0;
  for (const [di, dj, wgt] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
    if (wgt === 0) continue;
    const v = map[(j + dj) * width + i + di];
    if (!Number.isFinite(v)) return Number.NaN;
    acc += wgt * v;
  }
  return acc;
}

/** Checks a profile against the image; throws E_INVALID_INPUT with a sentence saying what to change. */
export function validateProfile(p: ProfileSpec, width: number, height: number): void {
  for (const key of ['x0', 'y0', 'x1', 'y1'] as const) {
    if (!Number.isFinite(p[key])) throw new LabError('E_INVALID_INPUT', `The profile coordinate ${key} = ${p[key]} is not a finite number of pixels.`);
  }
  for (const [name, x, y] of [['start', p.x0, p.y0], ['end', p.x1, p.y1]] as const) {
    if (x < 0 || y < 0 || x > width - 1 || y > height - 1) {
      throw new LabError(
        'E_INVALID_INPUT',
        `The profile ${name} point (${x}, ${y}) lies outside the ${width}×${height} image; x must be 0–${width - 1} and y 0–${height - 1} px.`,
      );
    }
  }
  if (Math.hypot(p.x1 - p.x0, p.y1 - p.y0) < 1) {
    throw new LabError('E_INVALID_INPUT', `The profile from (${p.x0}, ${p.y0}) to (${p.x1}, ${p.y1}) is shorter than 1 px; choose two distinct points.`);
  }
  const w = p.widthPx ?? 1;
  if (!Number.isInteger(w) || w < 1 || w > Math.max(width, height)) {
    throw new LabError('E_INVALID_INPUT', `The profile width ${w} px must be a whole number from 1 to ${Math.max(width, height)}.`);
  }
  if (p.pixelUm !== undefined && !(Number.isFinite(p.pixelUm) && p.pixelUm > 0)) {
    throw new LabError('E_INVALID_INPUT', `The pixel size ${p.pixelUm} µm for the profile must be a positive number.`);
  }
}

/** Samples `map` (row-major width·height, NaN = not measured) along a segment; see Note: Profile sampling. */
export function lineProfile(map: Float32Array, width: number, height: number, p: ProfileSpec): Profile {
  if (map.length !== width * height) {
    throw new LabError('E_SIZE_MISMATCH', `The map has ${map.length} values but a ${width}×${height} image needs ${width * height}.`);
  }
  validateProfile(p, width, height);
  const L = Math.hypot(p.x1 - p.x0, p.y1 - p.y0);
  const ux = (p.x1 - p.x0) / L, uy = (p.y1 - p.y0) / L;
  const nx = uy, ny = -ux; // left-hand normal in image coordinates (y down)
  const steps = Math.floor(L + 1e-9);
  const count = steps + (L - steps > 1e-9 ? 2 : 1);
  const w = p.widthPx ?? 1;
  const out: Profile = {
    s: new Float64Array(count),
    x: new Float64Array(count),
    y: new Float64Array(count),
    value: new Float64Array(count),
    std: new Float64Array(count),
    n: new Uint32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const s = Math.min(k, L);
    const cx = p.x0 + s * ux, cy = p.y0 + s * uy;
    let n = 0, sum = 0, sum2 = 0;
    for (let t = 0; t < w; t++) {
      const off = t - (w - 1) / 2;
      const v = bilinear(map, width, height, cx + off * nx, cy + off * ny);
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
      sum2 += v * v;
    }
    const mean = n ? sum / n : Number.NaN;
    out.s[k] = s;
    out.x[k] = cx;
    out.y[k] = cy;
    out.value[k] = mean;
    out.std[k] = n > 1 ? Math.sqrt(Math.max(0, (sum2 - n * mean * mean) / (n - 1))) : Number.NaN;
    out.n[k] = n;
  }
  if (p.pixelUm !== undefined) out.sUm = out.s.map((s) => s * p.pixelUm!);
  return out;
}

export interface CsvColumn {
  /** quantity name, e.g. "alpha_x" (letters, digits, underscores) */
  quantity: string;
  /** unit as written in the header, e.g. "urad", "um", "rad", "1" for dimensionless */
  unit: string;
  /** optional tag after the unit, e.g. the method: alpha_x_urad_icgn */
  tag?: string;
  values: ArrayLike<number>;
}

const NAME = /^[A-Za-z0-9]+(?:[_.-][A-Za-z0-9]+)*$/;

/**
 * CSV text with one header line `quantity_unit[_tag],...` and one row per sample; numbers with up to 8
 * significant digits, NaN written as "NaN" (read as NaN by numpy, pandas and spreadsheet imports).
 */
export function profilesToCsv(columns: CsvColumn[]): string {
  if (columns.length === 0) throw new LabError('E_INVALID_INPUT', 'A profile CSV needs at least one column.');
  const rows = columns[0].values.length;
  const header = columns.map((c) => {
    for (const part of [c.quantity, c.unit, c.tag ?? 'x']) {
      if (!NAME.test(part)) {
        throw new LabError('E_INVALID_INPUT', `The CSV column name part "${part}" may only hold letters, digits, "_", "." and "-".`);
      }
    }
    if (c.values.length !== rows) {
      throw new LabError('E_SIZE_MISMATCH', `The CSV column ${c.quantity} has ${c.values.length} values but ${columns[0].quantity} has ${rows}; all columns must have the same length.`);
    }
    return [c.quantity, c.unit, c.tag].filter((x) => x !== undefined).join('_');
  });
  const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(8))) : 'NaN');
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => fmt(c.values[r])).join(','));
  return lines.join('\n') + '\n';
}
