import { describe, expect, it } from 'vitest';
import { ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES, RoiSchema } from '../../../shared/contract';
import { countSelected } from '../../../shared/roi-raster';
import {
  addVertex,
  clipPolygon,
  fitShapes,
  hitVertex,
  isClosable,
  moveVertex,
  nearFirst,
  regionGridPoints,
  removePolygon,
  roiParam,
  selectedPixels,
  selectionMask,
  shapesLimitProblem,
  snapVertex,
  vertexCount,
  type RoiShapes,
  type Vertex,
} from './roi-polygon';
import { describeRoi, loadShapes, roiFromParameters, saveShapes, ROI_SHAPES_KEY } from './roi-shapes';

const view = { scale: 4, offsetX: 10, offsetY: 20 };
const scr = (x: number, y: number) => ({ x: 10 + 4 * x, y: 20 + 4 * y });
const img = { width: 40, height: 30 };
const sq = (x0: number, y0: number, x1: number, y1: number) => ({ points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as Vertex[] });

/** A small seeded generator (the renderer may not import the core's). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('drawing a polygon', () => {
  it('snaps vertices to pixel corners inside the image', () => {
    expect(snapVertex({ x: 3.4, y: 7.6 }, img)).toEqual([3, 8]);
    expect(snapVertex({ x: -5, y: 99 }, img)).toEqual([0, 30]);
  });
  it('adds one vertex per click, not two for the clicks of a double click', () => {
    expect(addVertex([[1, 1]], [1, 1])).toEqual([[1, 1]]);
    expect(addVertex([[1, 1]], [2, 1])).toEqual([[1, 1], [2, 1]]);
  });
  it('closes only a polygon with an area, by a click near its first vertex', () => {
    const d: Vertex[] = [[2, 2], [10, 2], [10, 9]];
    expect(nearFirst(d, view, { x: scr(2, 2).x + 5, y: scr(2, 2).y })).toBe(true);
    expect(nearFirst(d, view, { x: scr(2, 2).x + 9, y: scr(2, 2).y })).toBe(false);
    expect(nearFirst(d.slice(0, 2), view, scr(2, 2))).toBe(false);
    expect(isClosable(d)).toBe(true);
    expect(isClosable([[0, 0], [1, 1], [5, 5]])).toBe(false);
  });
});

describe('editing', () => {
  const shapes: RoiShapes = { include: [sq(2, 2, 20, 20)], exclude: [sq(8, 8, 12, 12)] };
  it('grabs the nearest vertex in screen space, exclusions first', () => {
    expect(hitVertex(shapes, view, scr(20, 2))).toEqual({ list: 'include', index: 0, vertex: 1 });
    expect(hitVertex(shapes, view, { x: scr(12, 12).x - 3, y: scr(12, 12).y + 2 })).toEqual({ list: 'exclude', index: 0, vertex: 2 });
    expect(hitVertex(shapes, view, scr(15, 15))).toBeNull();
  });
  it('moves a vertex (snapped, inside the image) and refuses a move that flattens the polygon', () => {
    const moved = moveVertex(shapes, { list: 'include', index: 0, vertex: 2 }, { x: 55.2, y: 24.7 }, img);
    expect(moved.include[0].points[2]).toEqual([40, 25]);
    expect(moved.exclude).toBe(shapes.exclude);
    const tri: RoiShapes = { include: [{ points: [[0, 0], [10, 0], [5, 5]] }], exclude: [] };
    expect(moveVertex(tri, { list: 'include', index: 0, vertex: 2 }, { x: 20, y: 0 }, img)).toBe(tri);
  });
  it('deletes one polygon', () => {
    expect(removePolygon(shapes, 'exclude', 0)).toEqual({ include: shapes.include, exclude: [] });
  });
});

describe('a new image size', () => {
  it('clips a polygon to the image and keeps the pixels it selected there', () => {
    const tri: Vertex[] = [[-10, 5], [30, 5], [10, 50]];
    const c = clipPolygon(tri, img)!;
    expect(c.every(([x, y]) => x >= 0 && x <= 40 && y >= 0 && y <= 30)).toBe(true);
    const before = selectionMask(null, { include: [{ points: tri }], exclude: [] }, img)!;
    const after = selectionMask(null, { include: [{ points: c }], exclude: [] }, img)!;
    expect(Array.from(after)).toEqual(Array.from(before));
  });
  it('drops polygons left outside, and reports whether anything changed', () => {
    const s: RoiShapes = { include: [sq(2, 2, 10, 10), sq(50, 50, 60, 60)], exclude: [sq(35, 25, 45, 35)] };
    const f = fitShapes(s, img);
    expect(f.changed).toBe(true);
    expect(f.dropped).toBe(1);
    expect(f.shapes.include).toEqual([sq(2, 2, 10, 10)]);
    expect([...f.shapes.exclude[0].points].sort()).toEqual([[35, 25], [35, 30], [40, 25], [40, 30]]);
    const same = fitShapes({ include: [sq(2, 2, 10, 10)], exclude: [] }, img);
    expect(same.changed).toBe(false);
  });
});

describe('what is sent and counted', () => {
  it('sends a plain rectangle without polygons, a region with them', () => {
    expect(roiParam(null, { include: [], exclude: [] })).toBeUndefined();
    expect(roiParam({ x: 1, y: 2, width: 3, height: 4 }, { include: [], exclude: [] })).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    expect(roiParam({ x: 1, y: 2, width: 3, height: 4 }, { include: [], exclude: [sq(1, 1, 2, 2)] })).toEqual({
      kind: 'region',
      rect: { x: 1, y: 2, width: 3, height: 4 },
      include: [],
      exclude: [sq(1, 1, 2, 2)],
    });
  });
  it('counts the selected pixels: rectangle ∪ include polygons minus exclusions', () => {
    expect(selectedPixels(null, { include: [], exclude: [] }, img)).toBe(1200);
    expect(selectedPixels({ x: 0, y: 0, width: 10, height: 10 }, { include: [sq(20, 0, 30, 10)], exclude: [sq(5, 5, 25, 7)] }, img)).toBe(200 - 2 * 10);
    expect(selectedPixels(null, { include: [], exclude: [sq(0, 0, 40, 15)] }, img)).toBe(600);
  });
  it('counts the grid points the core measures in a region', () => {
    // grid from x = y = 4 (margin 3, step 4) to 36 / 26: x = 4, 8, 12, 16 lie in the left half
    expect(regionGridPoints(null, { include: [sq(0, 0, 20, 30)], exclude: [] }, img, 4, 3)).toEqual({ nx: 9, ny: 6, points: 4 * 6, margin: 3 });
    expect(regionGridPoints(null, { include: [], exclude: [] }, img, 4, 3)).toEqual({ nx: 9, ny: 6, points: 9 * 6, margin: 3 });
  });

  /** What the store counted before: the full-size mask, summed, and read at every grid point. */
  function maskCounts(rect: { x: number; y: number; width: number; height: number } | null, shapes: RoiShapes, size: { width: number; height: number }, step: number, margin: number) {
    const m = selectionMask(rect, shapes, size)!;
    const x0 = Math.ceil(margin / step) * step;
    let grid = 0;
    for (let y = x0; y <= size.height - 1 - margin; y += step) for (let x = x0; x <= size.width - 1 - margin; x += step) grid += m[y * size.width + x];
    return { pixels: countSelected(m), grid };
  }

  it('counts pixels and grid points from the row spans exactly as the full-size mask does, on random regions', () => {
    const rand = mulberry32(21);
    for (let t = 0; t < 150; t++) {
      const size = { width: 20 + Math.floor(rand() * 70), height: 20 + Math.floor(rand() * 70) };
      const v = (): Vertex => [Math.round((rand() * (size.width + 30) - 15) * 2) / 2, Math.round((rand() * (size.height + 30) - 15) * 2) / 2];
      const poly = () => ({ points: Array.from({ length: 3 + Math.floor(rand() * 9) }, v) });
      const shapes: RoiShapes = {
        include: Array.from({ length: Math.floor(rand() * 4) }, poly),
        exclude: Array.from({ length: Math.floor(rand() * 3) + (t % 5 === 0 ? 1 : 0) }, poly),
      };
      if (!shapes.include.length && !shapes.exclude.length) shapes.include.push(poly());
      const rect = rand() < 0.4 ? { x: Math.floor(rand() * size.width / 2), y: Math.floor(rand() * size.height / 2), width: 1 + Math.floor(rand() * size.width / 2), height: 1 + Math.floor(rand() * size.height / 2) } : null;
      const step = 1 + Math.floor(rand() * 6);
      const margin = Math.floor(rand() * 12);
      const want = maskCounts(rect, shapes, size, step, margin);
      expect(selectedPixels(rect, shapes, size), `trial ${t}`).toBe(want.pixels);
      expect(regionGridPoints(rect, shapes, size, step, margin).points, `trial ${t}`).toBe(want.grid);
    }
  });
});

describe('the contract’s limits', () => {
  const tri = (k: number) => ({ points: [[k, 0], [k + 1, 0], [k, 1]] as Vertex[] });
  it('says what is too much, as the contract refuses it', () => {
    const full: RoiShapes = { include: Array.from({ length: ROI_MAX_POLYGONS }, (_, k) => tri(k)), exclude: [] };
    expect(shapesLimitProblem(full)).toBeNull();
    expect(RoiSchema.safeParse(roiParam(null, full)).success).toBe(true);
    const over = { include: [...full.include, tri(0)], exclude: [] };
    expect(shapesLimitProblem(over)).toBe(`The ROI has ${ROI_MAX_POLYGONS + 1} polygons; it may have at most ${ROI_MAX_POLYGONS}. Delete some.`);
    expect(RoiSchema.safeParse(roiParam(null, over)).success).toBe(false);
    const ring = (n: number) => ({ points: Array.from({ length: n }, (_, k) => [50 + 40 * Math.cos(k / 100), 50 + 40 * Math.sin(k / 100)] as Vertex) });
    const many: RoiShapes = { include: [ring(10_000), ring(10_000)], exclude: [tri(3)] };
    expect(vertexCount(many)).toBe(ROI_MAX_TOTAL_VERTICES + 3);
    expect(shapesLimitProblem(many)).toMatch(/20003 vertices in all; it may have at most 20000/);
    const r = RoiSchema.safeParse(roiParam(null, many));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('the ROI has 20003 vertices in all; a region may have at most 20000 (simplify or remove polygons)');
  });
});

describe('stored polygons and a result’s ROI', () => {
  it('round-trips through storage and ignores a damaged entry', () => {
    const mem = new Map<string, string>();
    const st = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const s: RoiShapes = { include: [sq(1, 1, 5, 5)], exclude: [] };
    saveShapes(st, s);
    expect(loadShapes(st)).toEqual(s);
    mem.set(ROI_SHAPES_KEY, JSON.stringify({ version: 1, include: [{ points: [[0, 0], [1, 1]] }], exclude: 'x' }));
    expect(loadShapes(st)).toEqual({ include: [], exclude: [] });
    mem.set(ROI_SHAPES_KEY, '{oops');
    expect(loadShapes(st)).toEqual({ include: [], exclude: [] });
  });
  it('keeps the valid polygons of a list with a bad one, or with one too many, instead of dropping them all', () => {
    const mem = new Map<string, string>();
    const st = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const polys = Array.from({ length: ROI_MAX_POLYGONS + 1 }, (_, k) => sq(k % 30, 0, (k % 30) + 2, 2 + Math.floor(k / 30)));
    // 101 polygons (one past the limit, as a build without the tool's check could save), a flat one among them
    mem.set(ROI_SHAPES_KEY, JSON.stringify({ version: 1, include: [polys[0], { points: [[0, 0], [1, 1], [2, 2]] }, ...polys.slice(1)], exclude: [sq(1, 1, 2, 2), 'x'] }));
    const got = loadShapes(st);
    expect(got.include).toEqual(polys.slice(0, ROI_MAX_POLYGONS));
    expect(got.exclude).toEqual([sq(1, 1, 2, 2)]);
    // and the total vertex limit: polygons past it are left out, in stored order
    const big = { points: Array.from({ length: 10_000 }, (_, k) => [20 + 10 * Math.cos(k / 2000), 20 + 10 * Math.sin(k / 2000)] as Vertex) };
    mem.set(ROI_SHAPES_KEY, JSON.stringify({ version: 1, include: [big, big, sq(1, 1, 5, 5)], exclude: [sq(2, 2, 3, 3)] }));
    const capped = loadShapes(st);
    expect(capped.include).toHaveLength(2);
    expect(capped.exclude).toEqual([]);
    expect(vertexCount(capped)).toBe(ROI_MAX_TOTAL_VERTICES);
  });
  it('reads a rectangle, a region or nothing back from parameters.roi', () => {
    expect(roiFromParameters(null)).toEqual({ rect: null, shapes: { include: [], exclude: [] } });
    expect(roiFromParameters({ x: 1, y: 1, width: 4, height: 4 })).toEqual({ rect: { x: 1, y: 1, width: 4, height: 4 }, shapes: { include: [], exclude: [] } });
    expect(roiFromParameters({ kind: 'region', include: [sq(1, 1, 5, 5)], exclude: [sq(2, 2, 3, 3)] })).toEqual({ rect: null, shapes: { include: [sq(1, 1, 5, 5)], exclude: [sq(2, 2, 3, 3)] } });
    expect(roiFromParameters({ kind: 'region', include: [{ points: [[0, 0]] }] })).toBeNull();
  });
});

describe('describeRoi', () => {
  it('says what a result was measured in', () => {
    expect(describeRoi(null)).toBe('whole image');
    expect(describeRoi({ x: 1, y: 2, width: 3, height: 4 })).toBe('x 1, y 2, 3 × 4 px');
    expect(describeRoi({ kind: 'region', include: [sq(1, 1, 5, 5), sq(6, 6, 9, 9)], exclude: [sq(2, 2, 3, 3)] })).toBe('2 polygons − 1 exclusion');
    expect(describeRoi({ kind: 'region', rect: { x: 0, y: 0, width: 8, height: 8 }, include: [sq(1, 1, 5, 5)], exclude: [] })).toBe('x 0, y 0, 8 × 8 px + 1 polygon');
    expect(describeRoi({ kind: 'region', exclude: [sq(2, 2, 3, 3), sq(4, 4, 6, 6)] })).toBe('whole image − 2 exclusions');
    expect(describeRoi({ kind: 'blob' })).toBeNull();
  });
});
