import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROI_MAX_TOTAL_VERTICES, RoiRegionSchema, RoiSchema, TrackParamsSchema } from '../../shared/contract';
import { rasteriseRegion } from '../../shared/roi-raster';
import { readImage } from '../imageio';
import { quietContext } from '../progress';
import { runSimulatePairTask } from '../tasks/simulate-pair-task';
import { runTrackTask } from '../tasks/track-task';
import { runSimulateXpciTask } from '../xpci/simulate-task';
import { runXpciTask } from '../xpci/xpci-task';
import { buildGrid } from './grid';
import { trackerRoi, type RoiSpec } from './roi-region';
import type { AnyTrackMethod } from './types';

const square = (x0: number, y0: number, x1: number, y1: number) => ({ points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as [number, number][] });

describe('ROI contract', () => {
  it('still takes a plain rectangle, unchanged', () => {
    expect(RoiSchema.parse({ x: 1, y: 2, width: 3, height: 4 })).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    const p = TrackParamsSchema.parse({ refPath: 'a', defPath: 'b', method: 'zncc', roi: { x: 0, y: 0, width: 8, height: 8 } });
    expect(p.roi).toEqual({ x: 0, y: 0, width: 8, height: 8 });
  });
  it('takes a region and says what is wrong with a degenerate polygon', () => {
    expect(RoiSchema.parse({ kind: 'region', include: [square(1, 1, 5, 5)] })).toEqual({ kind: 'region', include: [square(1, 1, 5, 5)], exclude: [] });
    const msg = (v: unknown) => {
      const r = RoiSchema.safeParse(v);
      return r.success ? 'ok' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(msg({ kind: 'region', include: [{ points: [[0, 0], [1, 1]] }] })).toBe('include.0.points: a polygon needs at least 3 vertices');
    expect(msg({ kind: 'region', exclude: [{ points: [[0, 0], [1, Number.NaN], [2, 0]] }] })).toBe('exclude.0.points.1.1: vertex coordinates must be finite numbers (image pixels)');
    expect(msg({ kind: 'region', include: [{ points: [[0, 0], [Infinity, 1], [2, 0]] }] })).toMatch(/finite numbers/);
    expect(msg({ kind: 'region', include: [{ points: [[0, 0], [1, 1], [3, 3]] }] })).toBe('include.0.points: a polygon has no area: its vertices lie on one line');
    expect(msg({ kind: 'region', include: [{ points: Array.from({ length: 10_001 }, (_, k) => [k, k % 2]) }] })).toMatch(/at most 10000 vertices/);
    expect(msg({ kind: 'region', include: [{ points: [[0, 0], [1e300, 1], [2, 0]] }] })).toBe('include.0.points.1.0: vertex coordinates must lie within ±10000000 px');
    expect(msg({ kind: 'polygon' })).toMatch(/^kind: /);
  });
  it('bounds a region’s total vertex count, refusing an oversized one before parsing its vertices', () => {
    const ring = (n: number, r: number) => ({ points: Array.from({ length: n }, (_, k) => [500 + r * Math.cos((2 * Math.PI * k) / n), 500 + r * Math.sin((2 * Math.PI * k) / n)] as [number, number]) });
    expect(ROI_MAX_TOTAL_VERTICES).toBe(20_000);
    expect(RoiSchema.safeParse({ kind: 'region', include: [ring(10_000, 400)], exclude: [ring(10_000, 100)] }).success).toBe(true);
    const over = { kind: 'region', include: [ring(10_000, 400), ring(5000, 300)], exclude: [ring(5000, 100), ring(3, 50)] };
    const r = RoiSchema.safeParse(over);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['the ROI has 20003 vertices in all; a region may have at most 20000 (simplify or remove polygons)']);
    // the region schema on its own says the same
    expect(RoiRegionSchema.safeParse(over).error?.issues[0].message).toMatch(/20003 vertices in all/);
    // what the per-polygon limits alone allowed: 200 polygons of 10,000 vertices (2 M; 78 MB of JSON)
    const huge = { refPath: 'a', defPath: 'b', method: 'zncc', roi: { kind: 'region', include: Array.from({ length: 100 }, () => ring(10_000, 400)), exclude: Array.from({ length: 100 }, () => ring(10_000, 100)) } };
    const p = TrackParamsSchema.safeParse(huge);
    expect(p.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['roi: the ROI has 2000000 vertices in all; a region may have at most 20000 (simplify or remove polygons)']);
  });
});

describe('trackerRoi', () => {
  it('keeps a rectangle a rectangle, so its grid still starts at its corner', () => {
    expect(trackerRoi({ x: 4, y: 6, width: 10, height: 12 }, 50, 50)).toEqual({ kind: 'rect', x: 4, y: 6, width: 10, height: 12 });
    expect(trackerRoi({ kind: 'rect', x: 4, y: 6, width: 10, height: 12 }, 50, 50)).toEqual({ kind: 'rect', x: 4, y: 6, width: 10, height: 12 });
    expect(trackerRoi(undefined, 50, 50)).toBeUndefined();
  });
  it('turns a region into the full-size mask of its pixel centres', () => {
    const region: RoiSpec = { kind: 'region', include: [square(2, 2, 30, 30)], exclude: [square(10, 10, 20, 20)] };
    const roi = trackerRoi(region, 40, 32);
    expect(roi?.kind).toBe('mask');
    expect(roi && roi.kind === 'mask' && Array.from(roi.mask)).toEqual(Array.from(rasteriseRegion(region, 40, 32)));
  });
  it('refuses a region that selects no pixel, in words', () => {
    expect(() => trackerRoi({ kind: 'region', include: [square(60, 60, 90, 90)] }, 40, 32)).toThrow(/The ROI selects no pixel of the 40×32 image/);
    expect(() => trackerRoi({ kind: 'region', include: [square(2, 2, 9, 9)], exclude: [square(0, 0, 10, 10)] }, 40, 32)).toThrow(/selects no pixel/);
  });
  it('refuses a region with more vertices than the contract allows, before rasterising it', () => {
    const zigzag = Array.from({ length: 10_001 }, (_, k) => [k % 2 ? 60 : 2, 2 + k * 0.001] as [number, number]);
    expect(() => trackerRoi({ kind: 'region', include: [{ points: zigzag }, { points: zigzag.slice(1) }] }, 64, 64)).toThrow(
      'The ROI has 20001 vertices in all; a region may have at most 20000 (simplify or remove polygons).',
    );
  });
  it('refuses a region no grid point lands on', () => {
    const roi = trackerRoi({ kind: 'region', include: [square(11, 11, 13, 13)] }, 64, 64);
    expect(() => buildGrid(64, 64, 8, 4, roi)).toThrow(/no grid point .* lies inside the ROI/);
    expect(buildGrid(64, 64, 1, 4, roi).active.reduce((a, b) => a + b, 0)).toBe(4);
  });
});

describe('a region ROI through the track job', () => {
  let dir: string;
  const W = 96, H = 80;
  // include: a concave pentagon; exclude: a square hole in it
  const region: RoiSpec = {
    kind: 'region',
    include: [{ points: [[12, 10], [84, 12], [86, 70], [50, 50], [10, 68]] }],
    exclude: [square(36, 20, 56, 38)],
  };
  const mask = rasteriseRegion(region, W, H);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-roi-region-'));
    await runSimulatePairTask({ outDir: join(dir, 'pair'), width: W, height: H, speckleSize: 4, noise: 'none', field: 'constant:0.4,-0.25', seed: 5 }, quietContext());
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const method of ['zncc', 'icgn', 'umpa', 'cnn-dic', 'cnn+icgn'] as AnyTrackMethod[]) {
    it(`${method}: NaN outside the polygon and in the hole, measured inside; result.json records the region`, async () => {
      const outDir = join(dir, `run-${method}`);
      await runTrackTask(
        { refPaths: [join(dir, 'pair', 'reference.tif')], defPaths: [join(dir, 'pair', 'deformed.tif')], method, options: method === 'umpa' ? { window: 5, search: 2 } : method.startsWith('cnn') ? {} : { search: 3 }, step: 2, roi: region, threads: 0, outDir },
        quietContext(),
      );
      const u = (await readImage(join(outDir, 'u.tif'))).data;
      let inside = 0, finiteInside = 0;
      for (let k = 0; k < W * H; k++) {
        if (!mask[k]) expect(Number.isNaN(u[k]), `pixel ${k % W},${Math.floor(k / W)} lies outside the region`).toBe(true);
        else if (Number.isFinite(u[k])) finiteInside++;
        if (mask[k]) inside++;
      }
      // the border margin and the grid's reach leave some of the region unmeasured, not most of it
      expect(finiteInside / inside).toBeGreaterThan(0.5);
      // accuracy is each method's own test; here only that the point is measured, not invented or blank
      expect(Math.abs(u[45 * W + 30] - 0.4)).toBeLessThan(method === 'zncc' || method === 'icgn' ? 0.05 : 1);
      const result = JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8'));
      expect(result.parameters.roi).toEqual(region);
    }, 60_000);
  }
});

describe('a region ROI through the xpci job', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-roi-xpci-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('measures and integrates only inside the region; the hole stays NaN in every map', async () => {
    const W = 64, H = 48;
    const sim = join(dir, 'sim');
    await runSimulateXpciTask({ outDir: sim, width: W, height: H, distanceM: 20, photons: 0, seed: 9, sample: { kind: 'sphere', radiusUm: 200 } }, quietContext());
    const region: RoiSpec = { kind: 'region', include: [{ points: [[4, 4], [60, 4], [60, 44], [4, 44]] }], exclude: [square(26, 18, 38, 30)] };
    const out = join(dir, 'xpci');
    await runXpciTask(
      { refPaths: [join(sim, 'reference.tif')], samplePaths: [join(sim, 'sample.tif')], geometry: { pixelUm: 12, distanceM: 20, energyKeV: 20 }, method: 'zncc', options: { window: 7, search: 2 }, step: 1, roi: region, threads: 0, outDir: out },
      quietContext(),
    );
    const mask = rasteriseRegion(region, W, H);
    for (const name of ['u', 'phase']) {
      const m = (await readImage(join(out, `${name}.tif`))).data;
      expect(Number.isNaN(m[24 * W + 32]), `${name} in the hole`).toBe(true);
      expect(Number.isFinite(m[10 * W + 10]), `${name} inside`).toBe(true);
      for (let k = 0; k < W * H; k++) if (!mask[k]) expect(Number.isNaN(m[k]), `${name} at ${k % W},${Math.floor(k / W)}`).toBe(true);
    }
    expect(JSON.parse(await readFile(join(out, 'result.json'), 'utf8')).parameters.roi).toEqual(region);
  }, 60_000);
});
