import { buildReportModel } from '../build';
import { allFigures } from '../model';
import { mapSvg, histogramSvg, profileSvg, vectorSvg, renderSvg } from '../charts';
import { mapPngUri } from '../raster';
const m = await buildReportModel(['/tmp/rep/fx/trk'], {});
const figs = allFigures(m);
const acc: Record<string, number> = {};
for (const f of figs) { const t = performance.now();
  if (f.type === 'map') mapSvg(f); else if (f.type === 'histogram') histogramSvg(f); else if (f.type === 'profile') profileSvg(f); else if (f.type === 'vectors') vectorSvg(f);
  acc[f.type] = (acc[f.type] ?? 0) + performance.now() - t; }
console.log(acc);
const f = figs.find(f => f.type === 'map')!;
let t = performance.now(); for (let i = 0; i < 5; i++) mapPngUri((f as any).values, 160, 128, 'viridis', [0, 1], 500); console.log('png', (performance.now() - t) / 5);
t = performance.now(); for (let i = 0; i < 5; i++) renderSvg(300, 200, { xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [] }); console.log('empty chart', (performance.now() - t) / 5);
