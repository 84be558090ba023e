/**
 * @file Benchmark of the ROI rasteriser (src/shared/roi-raster.ts) on an 8192 × 8192 image, for regions at
 * the contract's limit (ROI_MAX_TOTAL_VERTICES = 20,000 vertices) and an ordinary drawing: the full-size
 * mask the core builds for the trackers, and the counts the renderer shows on every ROI commit (selected
 * pixels and grid points from the row spans) beside the mask-based way it used to count them. Not a test:
 * timings depend on the machine; compare the columns of one run.
 *
 *   npx tsx bench/roi-raster.ts [--size 8192] [--step 4] [--margin 18]
 */
import { parseArgs } from 'node:util';
import { ROI_MAX_TOTAL_VERTICES } from '../src/shared/contract';
import { countRegion, countRegionLattice, countSelected, rasteriseRegion, type RoiPoint, type RoiRegionLike } from '../src/shared/roi-raster';

const { values } = parseArgs({ options: { size: { type: 'string', default: '8192' }, step: { type: 'string', default: '4' }, margin: { type: 'string', default: '18' } } });
const S = Number(values.size);
const step = Number(values.step);
const margin = Number(values.margin);
const N = ROI_MAX_TOTAL_VERTICES;

let seed = 1;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const ring = (cx: number, cy: number, r: (a: number) => number, n: number): RoiPoint[] =>
  Array.from({ length: n }, (_, k) => {
    const a = (2 * Math.PI * k) / n;
    return [cx + r(a) * Math.cos(a), cy + r(a) * Math.sin(a)];
  });
const zigzag = (n: number, dx: number): RoiPoint[] => {
  const pts: RoiPoint[] = [];
  for (let k = 0; k < n / 2; k++) {
    const x = 0.0125 * S + dx + (k * 0.975 * S) / (n / 2);
    pts.push([x, 0.001 * S], [x + 0.4, 0.999 * S]);
  }
  return pts;
};
const c = S / 2;
const cases: [string, RoiRegionLike][] = [
  ['worst: 20,000 edges, each crossing every row', { include: [{ points: zigzag(N / 2, 0) }, { points: zigzag(N / 2, 0.2) }] }],
  ['20,000-vertex self-crossing star', { include: [{ points: ring(c, c, () => 0.03 * S + 0.45 * S * rnd(), N) }] }],
  ['20,000-vertex detailed outline − a 2,000-vertex hole', { include: [{ points: ring(c, c, (a) => 0.36 * S + 0.1 * S * Math.sin(9 * a), N - 2000) }], exclude: [{ points: ring(c, c, () => 0.1 * S, 2000) }] }],
  ['100 include + 100 exclusion polygons × 100 vertices', {
    include: Array.from({ length: 100 }, (_, i) => ({ points: ring(((i % 10) + 0.5) * (S / 10), (Math.floor(i / 10) + 0.5) * (S / 10), () => 0.046 * S, 100) })),
    exclude: Array.from({ length: 100 }, (_, i) => ({ points: ring(((i % 10) + 0.5) * (S / 10), (Math.floor(i / 10) + 0.5) * (S / 10), () => 0.018 * S, 100) })),
  }],
  ['ordinary drawing: rectangle + 3 polygons − 1 exclusion', {
    rect: { x: 100, y: 100, width: S / 4, height: S / 4 },
    include: [{ points: ring(c, c, () => S / 5, 60) }, { points: [[S * 0.6, S * 0.1], [S * 0.9, S * 0.15], [S * 0.8, S * 0.4]] }, { points: ring(S * 0.25, S * 0.75, () => S / 8, 24) }],
    exclude: [{ points: ring(c, c, () => S / 12, 40) }],
  }],
];

const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const v = f();
  return [v, performance.now() - t];
};
const x0 = Math.ceil(margin / step) * step;
const nx = Math.floor((S - 1 - margin - x0) / step) + 1;
const g = { x0, y0: x0, step, nx, ny: nx };

console.log(`ROI rasteriser on ${S} × ${S}; grid step ${step}, margin ${margin}. Times in ms.`);
const rows: string[][] = [['region', 'vertices', 'mask (core)', 'count: mask+sum+grid (before)', 'count: spans (now)', 'ratio', 'selected px']];
for (const [name, region] of cases) {
  const vertices = [...(region.include ?? []), ...(region.exclude ?? [])].reduce((n, p) => n + p.points.length, 0);
  const [mask, tMask] = time(() => rasteriseRegion(region, S, S));
  const [before, tBefore] = time(() => {
    const m = rasteriseRegion(region, S, S);
    let grid = 0;
    for (let j = 0; j < g.ny; j++) for (let i = 0; i < g.nx; i++) grid += m[(g.y0 + j * step) * S + g.x0 + i * step];
    return { px: countSelected(m), grid };
  });
  const [now, tNow] = time(() => ({ px: countRegion(region, S, S), grid: countRegionLattice(region, S, S, g) }));
  if (now.px !== before.px || now.grid !== before.grid || now.px !== countSelected(mask)) throw new Error(`${name}: the counts differ`);
  rows.push([name, String(vertices), tMask.toFixed(0), tBefore.toFixed(0), tNow.toFixed(0), (tBefore / tNow).toFixed(1), String(now.px)]);
}
const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
for (const r of rows) console.log(r.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  '));
