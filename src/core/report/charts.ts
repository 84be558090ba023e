/**
 * @file Figures as static SVG, drawn server-side by ECharts (SSR, SVG renderer): no script is needed to
 * view them and nothing is fetched. A map figure is one SVG: the colour-mapped PNG (data URI) placed
 * exactly on a pixel-coordinate grid (x right, y down, pixel centres at whole numbers), the ROI box, and
 * the colour bar with its unit and a dark-grey NaN swatch beside it. The vector overlay adds arrows; the
 * histogram is a step outline of the bins; profiles are lines, the truth dashed in black.
 *
 * Sizes are CSS pixels at print scale: the A4 text block is 178 mm ≈ 672 px wide (resources/report/
 * report.css), so a two-column figure is about 330 px.
 */
import * as echarts from 'echarts';
import { colourAt } from '../render/colormap';
import type { HistogramFigure, MapFigure, ProfileFigure, VectorFigure } from './model';
import { mapPngUri } from './raster';
import { formatValue } from './format';

const FONT = { fontFamily: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', fontSize: 9, color: '#333' };
// onZero false: a value axis otherwise crosses the plot wherever the other axis has its zero.
const AXIS_LINE = { onZero: false, lineStyle: { color: '#666' } };
const SERIES_COLOURS = ['#1f5fa8', '#c0392b', '#2e8b57', '#7d3c98'];
const SOLID_ICON = 'path://M0,2h30v2h-30z';
const DASHED_ICON = 'path://M0,2h8v2h-8z M11,2h8v2h-8z M22,2h8v2h-8z';

/** Renders one option to an SVG string (the instance is disposed at once; nothing stays in memory). */
export function renderSvg(width: number, height: number, option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function gradientStops(colormap: MapFigure['colormap']): { offset: number; color: string }[] {
  return Array.from({ length: 17 }, (_, k) => {
    const t = k / 16;
    const [r, g, b] = colormap === 'grey' ? [255 * t, 255 * t, 255 * t].map(Math.round) : colourAt(colormap, t);
    return { offset: t, color: `rgb(${r},${g},${b})` };
  });
}

interface MapLayout {
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  width: number;
  height: number;
}

/** Plot area of a map of `w`×`h` px in a figure `width` wide, at most `maxH` tall, colour bar included. */
function mapLayout(w: number, h: number, width: number, maxH: number): MapLayout {
  const left = 34, top = 14, right = 72, bottom = 22;
  let plotW = width - left - right;
  let plotH = (plotW * h) / w;
  if (plotH > maxH) (plotH = maxH), (plotW = (maxH * w) / h);
  return { left, top, plotW, plotH, width: Math.ceil(left + plotW + right), height: Math.ceil(top + plotH + bottom) };
}

/** Axes, image, ROI box and colour bar of a map-like figure; `extra` adds series on the map grid. */
function mapOption(l: MapLayout, img: { uri: string; w: number; h: number }, bar: { colormap: MapFigure['colormap']; range: [number, number]; unit: string; nan: boolean }, roi?: { x: number; y: number; width: number; height: number }, extra: unknown[] = []): echarts.EChartsCoreOption {
  const px = (x: number) => l.left + ((x + 0.5) / img.w) * l.plotW;
  const py = (y: number) => l.top + ((y + 0.5) / img.h) * l.plotH;
  const barLeft = l.left + l.plotW + 12;
  const label = { ...FONT, showMinLabel: false, showMaxLabel: false, hideOverlap: true };
  const graphic: unknown[] = [
    { type: 'image', left: l.left, top: l.top, z: -10, style: { image: img.uri, width: l.plotW, height: l.plotH } },
    { type: 'rect', shape: { x: barLeft, y: l.top, width: 12, height: l.plotH }, style: { fill: new echarts.graphic.LinearGradient(0, 1, 0, 0, gradientStops(bar.colormap)), stroke: '#666', lineWidth: 0.5 } },
  ];
  if (bar.nan) {
    graphic.push(
      { type: 'rect', shape: { x: barLeft, y: l.top + l.plotH + 7, width: 12, height: 8 }, style: { fill: 'rgb(40,40,40)' } },
      { type: 'text', x: barLeft + 16, y: l.top + l.plotH + 6, style: { text: 'NaN', ...FONT, fill: '#333' } },
    );
  }
  if (roi) {
    graphic.push({ type: 'rect', z: 10, shape: { x: px(roi.x - 0.5), y: py(roi.y - 0.5), width: (roi.width / img.w) * l.plotW, height: (roi.height / img.h) * l.plotH }, style: { fill: 'none', stroke: '#fff', lineWidth: 1.2, lineDash: [4, 3] } });
  }
  return {
    grid: [
      { left: l.left, top: l.top, width: l.plotW, height: l.plotH },
      { left: barLeft, top: l.top, width: 12, height: l.plotH },
    ],
    xAxis: [
      { type: 'value', gridIndex: 0, min: -0.5, max: img.w - 0.5, axisLabel: label, axisLine: AXIS_LINE, splitLine: { show: false }, axisTick: { lineStyle: { color: '#666' } } },
      { type: 'value', gridIndex: 1, show: false, min: 0, max: 1 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, inverse: true, min: -0.5, max: img.h - 0.5, axisLabel: label, axisLine: AXIS_LINE, splitLine: { show: false } },
      {
        type: 'value', gridIndex: 1, position: 'right', min: bar.range[0], max: bar.range[1], name: bar.unit, nameGap: 4,
        // The end values are in the caption; end labels would collide with the nearest nice tick.
        nameTextStyle: { ...FONT, align: 'left' }, axisLabel: { ...FONT, showMinLabel: false, showMaxLabel: false, formatter: (v: number) => formatValue(v, 3) },
        axisLine: { show: false }, axisTick: { show: true, lineStyle: { color: '#666' } }, splitLine: { show: false },
      },
    ],
    graphic,
    series: [{ type: 'scatter', xAxisIndex: 1, yAxisIndex: 1, data: [], silent: true }, ...extra],
  };
}

/** A colour-mapped map with axes in pixels and its colour bar. */
export function mapSvg(fig: MapFigure, width = 330, maxH = 250): string {
  const l = mapLayout(fig.width, fig.height, width, maxH);
  const uri = mapPngUri(fig.values, fig.width, fig.height, fig.colormap, fig.range, Math.round(2 * Math.max(l.plotW, l.plotH)));
  return renderSvg(l.width, l.height, mapOption(l, { uri, w: fig.width, h: fig.height }, { colormap: fig.colormap, range: fig.range, unit: fig.quantity.unit, nan: fig.nan > 0 }, fig.roi));
}

/** Arrows over |u|: a white halo under black arrows keeps them visible on dark and light colours. */
export function vectorSvg(fig: VectorFigure, width = 520, maxH = 400): string {
  const l = mapLayout(fig.width, fig.height, width, maxH);
  const uri = mapPngUri(fig.background, fig.width, fig.height, 'viridis', fig.range, Math.round(2 * Math.max(l.plotW, l.plotH)));
  // Arrows shorter than 5 CSS px (1.3 mm) on paper would be little more than their own arrowhead: left
  // out (the caption says so; vectors.csv keeps them all).
  const pxPerMapPx = l.plotW / fig.width;
  const data = fig.arrows
    .filter((a) => Math.hypot(a.u, a.v) * fig.scale * pxPerMapPx >= 5)
    .map((a) => ({ coords: [[a.x, a.y], [a.x + a.u * fig.scale, a.y + a.v * fig.scale]] }));
  const arrows = (color: string, w: number, size: number) => ({ type: 'lines', coordinateSystem: 'cartesian2d', xAxisIndex: 0, yAxisIndex: 0, polyline: false, silent: true, symbol: ['none', 'arrow'], symbolSize: size, lineStyle: { color, width: w, opacity: 1 }, data });
  const nan = fig.background.some((v) => !Number.isFinite(v));
  return renderSvg(l.width, l.height, mapOption(l, { uri, w: fig.width, h: fig.height }, { colormap: 'viridis', range: fig.range, unit: 'px', nan }, fig.roi, [arrows('rgba(255,255,255,0.85)', 2, 6), arrows('#111', 0.8, 4.5)]));
}

/** Histogram as a filled step outline over the bin edges. */
export function histogramSvg(fig: HistogramFigure, width = 218, height = 150): string {
  const n = fig.counts.length;
  const pts: [number, number][] = [[fig.edges[0], 0], ...fig.counts.map((c, k) => [fig.edges[k], c] as [number, number]), [fig.edges[n], fig.counts[n - 1]], [fig.edges[n], 0]];
  const q = fig.quantity;
  return renderSvg(width, height, {
    grid: { left: 44, right: 12, top: 10, bottom: 36 },
    xAxis: { type: 'value', min: fig.edges[0], max: fig.edges[n], name: q.unit ? `${q.symbol} (${q.unit})` : q.symbol, nameLocation: 'middle', nameGap: 20, nameTextStyle: FONT, axisLabel: { ...FONT, hideOverlap: true, showMinLabel: false, showMaxLabel: false, formatter: (v: number) => formatValue(v, 3) }, axisLine: AXIS_LINE, splitLine: { show: false } },
    yAxis: { type: 'value', name: 'count', nameLocation: 'middle', nameGap: 32, nameTextStyle: FONT, axisLabel: { ...FONT, hideOverlap: true }, axisLine: { show: false, onZero: false }, axisTick: { show: false }, splitLine: { lineStyle: { color: '#e3e3e3' } } },
    series: [{ type: 'line', step: 'end', data: pts, showSymbol: false, silent: true, lineStyle: { color: SERIES_COLOURS[0], width: 1 }, areaStyle: { color: 'rgba(31,95,168,0.25)' } }],
  });
}

/** Line profiles; NaN leaves a gap. */
export function profileSvg(fig: ProfileFigure, width = 330, height = 210): string {
  let colour = 0;
  const series = fig.series.map((s) => ({
    type: 'line',
    name: s.name,
    symbol: 'none',
    silent: true,
    data: fig.x.map((x, k) => [x, Number.isFinite(s.values[k]) ? s.values[k] : null]),
    lineStyle: s.truth ? { color: '#000', width: 1.1, type: [4, 3] } : { color: SERIES_COLOURS[colour++ % SERIES_COLOURS.length], width: 1.2 },
    itemStyle: { color: s.truth ? '#000' : SERIES_COLOURS[(colour - 1) % SERIES_COLOURS.length] },
    z: s.truth ? 3 : 2,
  }));
  return renderSvg(width, height, {
    // Explicit icons: ECharts' default puts a symbol on the legend line; these show solid vs dashed.
    legend: { top: 0, right: 4, textStyle: FONT, itemWidth: 24, itemHeight: 6, data: fig.series.map((s) => ({ name: s.name, icon: s.truth ? DASHED_ICON : SOLID_ICON })) },
    grid: { left: 52, right: 12, top: 24, bottom: 36 },
    // The axis spans the data exactly; its end label is dropped, as it is rarely a round number.
    xAxis: { type: 'value', min: 'dataMin', max: 'dataMax', name: fig.xLabel, nameLocation: 'middle', nameGap: 20, nameTextStyle: FONT, axisLabel: { ...FONT, hideOverlap: true, showMaxLabel: false }, axisLine: AXIS_LINE, splitLine: { show: false } },
    yAxis: { type: 'value', scale: true, name: fig.yLabel, nameLocation: 'middle', nameGap: 40, nameTextStyle: FONT, axisLabel: { ...FONT, hideOverlap: true, formatter: (v: number) => formatValue(v, 3) }, axisLine: { show: false, onZero: false }, axisTick: { show: false }, splitLine: { lineStyle: { color: '#e3e3e3' } } },
    series,
  });
}
