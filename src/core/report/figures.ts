/**
 * @file Builders of the figures every field-type section shares — a colour-mapped map, its histogram, the
 * decimated vector overlay — and `SectionKit`, which numbers a section's figures and tables and collects
 * the data files behind them (each figure is captioned with those file names; data-files.ts writes them).
 */
import type { DataFile, HistogramFigure, MapFigure, Rect, VectorFigure } from './model';
import { formatValue, toCsv } from './format';
import { csvUnit, type Quantity } from './quantities';
import { cropValues, displayRange, histogram, magnitude, outside, scaled } from './stats';

/** Per-section numbering and data-file collection. */
export class SectionKit {
  readonly files: DataFile[] = [];
  private figures = 0;
  private tables = 0;
  constructor(
    /** section number, "2" */
    readonly number: string,
    /** the section's folder inside the data folder */
    readonly folder: string,
  ) {}

  /** Registers a data file (once per name) and returns its path in the data folder. */
  file(name: string, what: string, source: DataFile['source']): string {
    const path = `${this.folder}/${name}`;
    if (!this.files.some((f) => f.path === path)) this.files.push({ path, what, source });
    return path;
  }

  nextFigure(): { id: string; label: string } {
    this.figures++;
    return { id: `fig-${this.number}-${this.figures}`, label: `Figure ${this.number}.${this.figures}` };
  }

  nextTable(): { id: string; label: string } {
    this.tables++;
    return { id: `tab-${this.number}-${this.tables}`, label: `Table ${this.number}.${this.tables}` };
  }
}

const unitText = (q: Quantity) => (q.unit ? ` ${q.unit}` : '');
const ordinal = (n: number) => `${n}${n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : n % 10 === 1 && n % 100 !== 11 ? 'st' : 'th'}`;

/**
 * A map figure from stored values (stored unit; shown × q.scale). The colour range comes from the values
 * inside the ROI, so a wild border outside it cannot wash out the region the user measured.
 */
export function mapFigure(kit: SectionKit, q: Quantity, stored: Float32Array, width: number, height: number, dataPath: string, roi?: Rect): MapFigure {
  const values = scaled(stored, q.scale);
  const { colormap, range } = displayRange(cropValues(values, width, height, roi), q);
  const o = outside(values, range);
  const how = colormap === 'diverging' ? 'symmetric about zero, 1st–99th percentile' : colormap === 'grey' ? '0.5–99.5th percentile' : '1st–99th percentile';
  const clipped = o.below + o.above ? ` ${o.below + o.above} values outside it are drawn in the end colours.` : '';
  const stored_ = q.scale !== 1 ? ` Stored in ${q.unit === 'µrad' ? 'rad' : 'm'}, shown ×${q.scale === 1e6 ? '10⁶' : q.scale}.` : '';
  const nan = o.nan ? ` Dark grey: not measured (NaN, ${o.nan} px).` : '';
  return {
    type: 'map',
    ...kit.nextFigure(),
    title: `${q.title}${q.unit ? ` (${q.unit})` : ''}`,
    caption: `Colour range ${formatValue(range[0])} … ${formatValue(range[1])}${unitText(q)} (${how}).${clipped}${stored_}${nan}${roi ? ' Box: ROI.' : ''}`,
    data: [dataPath],
    quantity: q,
    width,
    height,
    values,
    colormap,
    range,
    roi,
    ...o,
  };
}

/** Histogram of a quantity inside the ROI over its map's colour range; CSV hist_KEY.csv beside the maps. */
export function histogramFigure(kit: SectionKit, map: MapFigure): HistogramFigure {
  const q = map.quantity;
  const inRoi = cropValues(map.values, map.width, map.height, map.roi);
  const h = histogram(inRoi, map.range);
  const u = csvUnit(q);
  const data = kit.file(`hist_${q.key}.csv`, `histogram of ${q.symbol} inside the ROI, ${h.counts.length} bins`, {
    kind: 'text',
    text: toCsv([`bin_lo_${u}`, `bin_hi_${u}`, 'count'], h.counts.map((c, k) => [h.edges[k], h.edges[k + 1], c])),
  });
  const out = h.below + h.above ? `; ${h.below} below and ${h.above} above the range not shown` : '';
  return {
    type: 'histogram',
    ...kit.nextFigure(),
    title: `Histogram of ${q.symbol}`,
    caption: `${h.counts.reduce((a, b) => a + b, 0)} values${map.roi ? ' inside the ROI' : ''} over the colour range of ${map.label}${out}.`,
    data: [data],
    quantity: q,
    ...h,
  };
}

/** Points of a job's grid (result.json `grid`), or a regular 16 px lattice when it has none. */
function gridLattice(width: number, height: number, grid: unknown): { xs: number[]; ys: number[] } {
  const g = grid as { x0?: number; y0?: number; step?: number; nx?: number; ny?: number } | undefined;
  if (g && [g.x0, g.y0, g.step, g.nx, g.ny].every(Number.isInteger) && g.step! > 0) {
    return { xs: Array.from({ length: g.nx! }, (_, i) => g.x0! + i * g.step!), ys: Array.from({ length: g.ny! }, (_, j) => g.y0! + j * g.step!) };
  }
  const s = 16;
  return { xs: Array.from({ length: Math.floor(width / s) }, (_, i) => s / 2 + i * s), ys: Array.from({ length: Math.floor(height / s) }, (_, j) => s / 2 + j * s) };
}

/**
 * Arrows on about 16 grid points along the longer side, over |u|. Arrows are drawn longer than the
 * displacement (a sub-pixel field would be invisible otherwise), scaled as explained below; the caption
 * gives the factor.
 */
export function vectorFigure(kit: SectionKit, u: Float32Array, v: Float32Array, width: number, height: number, grid: unknown, dataPaths: string[], roi?: Rect): VectorFigure {
  const { xs, ys } = gridLattice(width, height, grid);
  const stride = Math.max(1, Math.round(Math.max(xs.length, ys.length) / 16));
  const arrows: VectorFigure['arrows'] = [];
  for (let j = Math.floor((ys.length - 1) % stride / 2); j < ys.length; j += stride) {
    for (let i = Math.floor((xs.length - 1) % stride / 2); i < xs.length; i += stride) {
      const x = Math.round(xs[i]), y = Math.round(ys[j]);
      const k = y * width + x;
      if (x < width && y < height && Number.isFinite(u[k]) && Number.isFinite(v[k])) arrows.push({ x, y, u: u[k], v: v[k] });
    }
  }
  const spacing = stride * (xs.length > 1 ? xs[1] - xs[0] : 16);
  const lengths = arrows.map((a) => Math.hypot(a.u, a.v)).sort((a, b) => a - b);
  const p95 = lengths.length ? lengths[Math.min(lengths.length - 1, Math.floor(0.95 * lengths.length))] : 0;
  const max = lengths.length ? lengths[lengths.length - 1] : 0;
  // The longest arrow spans 90% of the spacing, so arrows never run into each other — unless it is an
  // outlier (over 3× the 95th percentile), which would shrink every other arrow to nothing: then the
  // 95th percentile sets the scale and the few longer arrows are allowed to overlap.
  const outlier = max > 3 * p95;
  const ref = outlier ? p95 : max;
  const scale = ref > 0 ? (0.9 * spacing) / ref : 1;
  const background = magnitude(u, v);
  const { range } = displayRange(cropValues(background, width, height, roi), { key: 'magnitude', symbol: '|u|', title: '', unit: 'px', scale: 1, signed: false });
  const csv = kit.file('vectors.csv', 'the arrows of the vector overlay (grid points, px)', {
    kind: 'text',
    text: toCsv(['x_px', 'y_px', 'u_px', 'v_px'], arrows.map((a) => [a.x, a.y, a.u, a.v])),
  });
  return {
    type: 'vectors',
    ...kit.nextFigure(),
    title: 'Displacement vectors over |u| (px)',
    caption: `${arrows.length} grid points, ${spacing} px apart${stride > 1 ? ` (every ${ordinal(stride)} point of the grid)` : ''}; arrows drawn ×${formatValue(scale, 3)} (1 px of displacement = ${formatValue(scale, 3)} px on the map), arrows shorter than 1.3 mm on paper left out${outlier ? `; scaled to the 95th percentile, so the ${lengths.filter((l) => l > p95 / 0.9).length} longest overlap their neighbours` : ''}. Background |u|, ${formatValue(range[0])} … ${formatValue(range[1])} px.`,
    data: [csv, ...dataPaths],
    width,
    height,
    background,
    range,
    arrows,
    scale,
    roi,
  };
}
