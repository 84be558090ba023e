/**
 * @file The report model: everything a report says, as plain data, before any HTML exists. A title page
 * (project, sample, operator, date), optional operator notes, then one section per job built from its
 * result folder (sections.ts): provenance (inputs with size, pixel size and sha256; method, parameters,
 * model id/sha256 and execution provider; application version), statistics inside the ROI, accuracy against
 * a ground truth when one is known (truth.ts), field maps with colour bars, a vector overlay, line profiles,
 * histograms, and before/after pairs for restoration jobs. Every figure and table names the data files
 * behind it; `dataFiles` says how each one is made (copied byte for byte from the result folder, or written
 * by the report), so html.ts, data-files.ts and the tests all read the same numbers.
 */
import type { GreyImage } from '../imageio';
import type { Quantity } from './quantities';

export interface ReportMeta {
  title: string;
  project?: string;
  sample?: string;
  operator?: string;
  /** measurement or report date as the user gave it (default: today, YYYY-MM-DD) */
  date: string;
  /** ISO time the report was built */
  generatedAt: string;
  appVersion: string;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A file of the data folder, by path relative to it ('/' separators). */
export interface DataFile {
  path: string;
  what: string;
  source:
    | { kind: 'copy'; from: string; sha256?: string }
    | { kind: 'text'; text: string }
    | { kind: 'tiff'; image: GreyImage; description: string; pixelUm?: number };
}

interface FigureBase {
  /** HTML id, unique in the report */
  id: string;
  /** "Figure 2.3" */
  label: string;
  title: string;
  caption: string;
  /** data files behind it (paths in the data folder) */
  data: string[];
}

export interface MapFigure extends FigureBase {
  type: 'map';
  quantity: Quantity;
  width: number;
  height: number;
  /** display values (stored × quantity.scale), row-major, NaN = not measured */
  values: Float32Array;
  colormap: 'viridis' | 'diverging' | 'grey';
  range: [number, number];
  roi?: Rect;
  /** finite values below and above the colour range (drawn in the end colours) */
  below: number;
  above: number;
  nan: number;
}

export interface VectorFigure extends FigureBase {
  type: 'vectors';
  width: number;
  height: number;
  /** |u| behind the arrows, px */
  background: Float32Array;
  range: [number, number];
  arrows: { x: number; y: number; u: number; v: number }[];
  /** drawn arrow length per px of displacement */
  scale: number;
  roi?: Rect;
}

export interface HistogramFigure extends FigureBase {
  type: 'histogram';
  quantity: Quantity;
  /** bin edges (n + 1) and counts (n), display units */
  edges: number[];
  counts: number[];
  below: number;
  above: number;
}

export interface ProfileSeries {
  name: string;
  values: number[];
  /** ground truth: drawn dashed in black */
  truth?: boolean;
}

export interface ProfileFigure extends FigureBase {
  type: 'profile';
  xLabel: string;
  x: number[];
  yLabel: string;
  series: ProfileSeries[];
}

export interface BeforeAfterFigure extends FigureBase {
  type: 'beforeAfter';
  before: GreyImage;
  after: GreyImage;
  /** grey range shared by both, so brightness differences are real */
  range: [number, number];
  /** regions on the after grid shown enlarged, A, B, … */
  insets: Rect[];
  beforeLabel: string;
  afterLabel: string;
}

export type Figure = MapFigure | VectorFigure | HistogramFigure | ProfileFigure | BeforeAfterFigure;

export type Cell = string | number | null;

export interface ReportTable {
  id: string;
  /** "Table 2.1" */
  label: string;
  title: string;
  caption?: string;
  columns: { title: string; numeric?: boolean; mono?: boolean }[];
  rows: Cell[][];
  /** rows drawn as a full-width line under the previous row (e.g. a sha256) */
  fullWidthRows?: number[];
  data?: string;
}

export type Block =
  | { type: 'keyValues'; title?: string; items: { key: string; value: string; mono?: boolean }[]; /** two pairs per line (short values) */ compact?: boolean }
  | { type: 'table'; table: ReportTable }
  | { type: 'figures'; columns: 1 | 2 | 3; figures: Figure[] }
  | { type: 'messages'; title: string; items: string[] }
  | { type: 'text'; text: string };

export interface Subsection {
  id: string;
  title: string;
  blocks: Block[];
}

export interface ReportSection {
  /** HTML id and PDF destination */
  id: string;
  /** "2" */
  number: string;
  title: string;
  /** a line under the heading: folder, kind, when */
  subtitle?: string;
  kind: string;
  subsections: Subsection[];
}

export interface ReportModel {
  meta: ReportMeta;
  notes?: string;
  sections: ReportSection[];
  dataFiles: DataFile[];
}

/** Every figure of the model, in reading order. */
export function allFigures(model: ReportModel): Figure[] {
  return model.sections.flatMap((s) => s.subsections.flatMap((ss) => ss.blocks.flatMap((b) => (b.type === 'figures' ? b.figures : []))));
}

/** Every table of the model, in reading order. */
export function allTables(model: ReportModel): ReportTable[] {
  return model.sections.flatMap((s) => s.subsections.flatMap((ss) => ss.blocks.flatMap((b) => (b.type === 'table' ? [b.table] : []))));
}

/** Entries of the table of contents: sections and their subsections (ids double as PDF destinations). */
export function tocEntries(model: ReportModel): { id: string; number: string; title: string; level: 1 | 2 }[] {
  return model.sections.flatMap((s) => [
    { id: s.id, number: s.number, title: s.title, level: 1 as const },
    ...s.subsections.map((ss, k) => ({ id: ss.id, number: `${s.number}.${k + 1}`, title: ss.title, level: 2 as const })),
  ]);
}
