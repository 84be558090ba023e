/**
 * @file Exports of the DIC workspace: the selected map as CSV (x, y, value for the measured points only),
 * the heat map as a PNG with its colour bar, and file names for both. The CSV values are the float32
 * values of the result's TIFFs, written as the shortest text that reads back to the same float32.
 */
import type { ColourRange } from './colormap';
import { baseName, formatFloat32 } from './format';
import type { MapInfo } from './dic-result';

/** Column name of a map's values: "u_px", "exx_strain", "quality". */
export function valueColumn(info: Pick<MapInfo, 'name' | 'unit'>): string {
  return info.unit ? `${info.name}_${info.unit}` : info.name;
}

/**
 * CSV text: a header `x_px,y_px,<value column>`, then one row per finite value in row-major order.
 * x = column, y = row, origin at the top-left pixel (the result's own convention).
 */
export function mapCsv(info: Pick<MapInfo, 'name' | 'unit'>, data: Float32Array, width: number): string {
  const rows: string[] = [`x_px,y_px,${valueColumn(info)}`];
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!Number.isFinite(d)) continue;
    rows.push(`${i % width},${Math.floor(i / width)},${formatFloat32(d)}`);
  }
  return rows.join('\n') + '\n';
}

/** "<result folder name>-<map>.<ext>", safe on every file system. */
export function exportName(resultDir: string, map: string, ext: 'csv' | 'png'): string {
  const stem = `${baseName(resultDir) || 'result'}-${map}`.replace(/[^\w.-]+/g, '_');
  return `${stem}.${ext}`;
}

export interface PngLayout {
  /** integer magnification of the map (nearest neighbour), so small maps stay legible */
  zoom: number;
  width: number;
  height: number;
  /** map area */
  mapHeight: number;
  /** colour bar strip below the map */
  barY: number;
  barHeight: number;
  barX: number;
  barWidth: number;
}

/** Layout of the exported PNG: the map magnified to at least `minSide` px (at most 8×), a 44 px legend strip below. */
export function pngLayout(width: number, height: number, minSide = 480): PngLayout {
  const zoom = Math.max(1, Math.min(8, Math.floor(minSide / Math.max(1, Math.min(width, height)))));
  const w = width * zoom;
  const mapHeight = height * zoom;
  const legend = 44;
  const barX = 64;
  return { zoom, width: w, height: mapHeight + legend, mapHeight, barY: mapHeight + 8, barHeight: 12, barX, barWidth: Math.max(40, w - 2 * barX) };
}

/** Text under the PNG's colour bar ends and above it: "-1.31 px", "1.31 px", "u: horizontal … · NaN = not measured". */
export function pngLabels(info: Pick<MapInfo, 'title' | 'unit'>, range: ColourRange, fmt: (v: number) => string): { lo: string; hi: string; caption: string } {
  const unit = info.unit ? ` ${info.unit}` : '';
  return { lo: `${fmt(range.lo)}${unit}`, hi: `${fmt(range.hi)}${unit}`, caption: `${info.title} · grey = not measured` };
}
