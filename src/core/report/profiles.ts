/**
 * @file Line-profile figures: from a job's own profile.csv (the xpci job writes one when asked), or along
 * the centre row of the measurement grid when it has none. Quantities sharing a unit share a chart (αx
 * with αy, T with D). With a ground truth the truth is drawn dashed along the same line and the caption
 * gives bias and RMSE along it. Each figure's CSV holds exactly the plotted columns, so it reads back to
 * the drawn values.
 */
import { bilinear } from '../xpci/profile';
import type { ProfileFigure, Rect } from './model';
import { csvNumber, formatValue, parseCsv, toCsv } from './format';
import type { SectionKit } from './figures';
import { axisLabel, csvUnit, OFFSET_FREE, quantityOf, type Quantity } from './quantities';
import type { TruthSource } from './truth';

interface Line {
  /** position along the line, in sLabel units */
  s: number[];
  sLabel: string;
  sCsv: string;
  /** sample positions, px */
  x: number[];
  y: number[];
  /** where the line is, for captions */
  where: string;
}

interface Track {
  q: Quantity;
  /** display units */
  values: number[];
}

/** Bias and RMSE of measured − truth over the points where both are finite (means removed for phase). */
function lineErrors(m: number[], t: number[], offsetFree: boolean): { n: number; bias: number; rmse: number } {
  const idx = m.map((_, k) => k).filter((k) => Number.isFinite(m[k]) && Number.isFinite(t[k]));
  const n = idx.length;
  if (!n) return { n, bias: Number.NaN, rmse: Number.NaN };
  const mean = (a: number[]) => idx.reduce((s, k) => s + a[k], 0) / n;
  const [mo, to] = offsetFree ? [mean(m), mean(t)] : [0, 0];
  let s = 0, s2 = 0;
  for (const k of idx) {
    const e = m[k] - mo - (t[k] - to);
    (s += e), (s2 += e * e);
  }
  return { n, bias: s / n, rmse: Math.sqrt(s2 / n) };
}

/** `t` plus the constant that gives it the mean of `m` over the points where both are finite. */
function shiftOntoMean(t: number[], m: number[]): number[] {
  let s = 0, n = 0;
  for (let k = 0; k < t.length; k++) if (Number.isFinite(t[k]) && Number.isFinite(m[k])) (s += m[k] - t[k]), n++;
  return n ? t.map((v) => v + s / n) : t;
}

/** One figure per group of quantities with the same unit. */
function figuresFor(kit: SectionKit, line: Line, tracks: Track[], truth: TruthSource | null, truthNote: string): ProfileFigure[] {
  const groups = new Map<string, Track[]>();
  for (const t of tracks) groups.set(t.q.unit, [...(groups.get(t.q.unit) ?? []), t]);
  const out: ProfileFigure[] = [];
  for (const group of groups.values()) {
    // Position columns: s along the line, then the sample point (x is s itself along a row).
    const sameX = line.sCsv === 'x_px';
    const columns: string[] = sameX ? ['x_px', 'y_px'] : [line.sCsv, 'x_px', 'y_px'];
    const series: ProfileFigure['series'] = [];
    const errs: string[] = [];
    for (const t of group) {
      series.push({ name: t.q.symbol, values: t.values });
      columns.push(`${t.q.key}_${csvUnit(t.q)}`);
      const tm = truth?.maps.get(t.q.key);
      if (!tm) continue;
      const free = OFFSET_FREE.has(t.q.key);
      let tv = line.x.map((x, k) => bilinear(tm.data, tm.width, tm.height, x, line.y[k]) * t.q.scale);
      const e = lineErrors(t.values, tv, free);
      // A phase is defined up to a constant: the truth is drawn shifted onto the measured mean, so the
      // two curves can be compared by eye (the errors above already ignore the constant).
      if (free) tv = shiftOntoMean(tv, t.values);
      series.push({ name: `${t.q.symbol} truth`, values: tv, truth: true });
      columns.push(`${t.q.key}_truth${free ? '_shifted' : ''}_${csvUnit(t.q)}`);
      const u = t.q.unit ? ` ${t.q.unit}` : '';
      errs.push(`${t.q.symbol}: bias ${formatValue(e.bias)}${u}, RMSE ${formatValue(e.rmse)}${u} over ${e.n} points${free ? ' (means removed; truth drawn shifted onto the measured mean)' : ''}`);
    }
    const keys = group.map((t) => t.q.key).join('_');
    const rows = line.s.map((s, k) => [...(sameX ? [] : [s]), line.x[k], line.y[k], ...series.map((sr) => sr.values[k])]);
    const data = kit.file(`profile_${keys}.csv`, `the plotted profile of ${group.map((t) => t.q.symbol).join(', ')}`, { kind: 'text', text: toCsv(columns, rows) });
    const q0 = group[0].q;
    const yLabel = group.length === 1 ? axisLabel(q0) : q0.unit ? `${group.map((t) => t.q.symbol).join(', ')} (${q0.unit})` : group.map((t) => t.q.symbol).join(', ');
    out.push({
      type: 'profile',
      ...kit.nextFigure(),
      title: `Profile of ${group.map((t) => t.q.symbol).join(' and ')}`,
      caption: `${line.where}.${errs.length ? ` Truth dashed${truthNote}. ${errs.join('; ')}.` : ''}`,
      data: [data],
      xLabel: line.sLabel,
      x: line.s,
      yLabel,
      series,
    });
  }
  return out;
}

/** Profiles along the centre row of the grid (or of the ROI/map), over the columns that hold values. */
export function centreRowProfiles(
  kit: SectionKit,
  maps: Map<string, Float32Array>,
  keys: string[],
  width: number,
  height: number,
  grid: unknown,
  truth: TruthSource | null,
  roi?: Rect,
): ProfileFigure[] {
  const present = keys.filter((k) => maps.has(k));
  if (!present.length) return [];
  const g = grid as { y0?: number; step?: number; ny?: number } | undefined;
  const onGrid = !!g && Number.isInteger(g.y0) && Number.isInteger(g.step) && Number.isInteger(g.ny);
  const y = onGrid ? g!.y0! + g!.step! * Math.floor(g!.ny! / 2) : roi ? roi.y + (roi.height >> 1) : height >> 1;
  const finiteAt = (x: number) => present.some((k) => Number.isFinite(maps.get(k)![y * width + x]));
  let x0 = 0, x1 = width - 1;
  while (x0 < x1 && !finiteAt(x0)) x0++;
  while (x1 > x0 && !finiteAt(x1)) x1--;
  if (!finiteAt(x0)) return [];
  const xs = Array.from({ length: x1 - x0 + 1 }, (_, k) => x0 + k);
  const line: Line = { s: xs, sLabel: 'x (px)', sCsv: 'x_px', x: xs, y: xs.map(() => y), where: `Along row y = ${y} px, x = ${x0} … ${x1} px (the centre row of the ${onGrid ? 'measurement grid' : roi ? 'ROI' : 'map'})` };
  const tracks = present.map((k) => {
    const q = quantityOf(k);
    return { q, values: xs.map((x) => maps.get(k)![y * width + x] * q.scale) };
  });
  return figuresFor(kit, line, tracks, truth, '');
}

/** Quantities of profile.csv the report plots, in order. */
const CSV_PLOTTED = ['alpha_x', 'alpha_y', 'phase', 'thickness', 'transmission', 'darkfield'];

/** Profiles from a job's profile.csv (core/xpci/profile.ts format: quantity_unit_tag columns). */
export function csvProfiles(kit: SectionKit, csvText: string, truth: TruthSource | null, spec: unknown): ProfileFigure[] {
  const { header, rows } = parseCsv(csvText);
  const col = (name: string) => header.indexOf(name);
  const xi = col('x_px'), yi = col('y_px');
  const sUm = col('s_um') >= 0;
  const si = sUm ? col('s_um') : col('s_px');
  if (xi < 0 || yi < 0 || si < 0) return [];
  const tracks: Track[] = [];
  for (const key of CSV_PLOTTED) {
    const q = quantityOf(key);
    const name = header.find((h) => h.startsWith(`${key}_${csvUnit(q)}`) && !h.startsWith(`${key}_std`));
    if (name) tracks.push({ q, values: rows.map((r) => csvNumber(r[col(name)])) });
  }
  if (!tracks.length) return [];
  const p = spec as { x0?: number; y0?: number; x1?: number; y1?: number; widthPx?: number } | null;
  const where = p && p.x0 !== undefined
    ? `Along (${p.x0}, ${p.y0}) → (${p.x1}, ${p.y1}) px, averaged over a band ${p.widthPx ?? 1} px wide (the job's profile.csv)`
    : "From the job's profile.csv";
  const line: Line = {
    s: rows.map((r) => csvNumber(r[si])),
    sLabel: sUm ? 's (µm, sample plane)' : 's (px)',
    sCsv: sUm ? 's_um' : 's_px',
    x: rows.map((r) => csvNumber(r[xi])),
    y: rows.map((r) => csvNumber(r[yi])),
    where,
  };
  return figuresFor(kit, line, tracks, truth, ', sampled on the centre line');
}
