/**
 * @file Polygon ROI shapes in reference-image pixels (see Note: ROI shapes, in src/shared/contract.ts):
 * include polygons that add to the measured region and exclusion polygons cut out of it. Pure geometry for
 * drawing and editing them: snapping vertices to pixel corners (like the rectangle, so the JSON a result
 * records reads as whole pixels), hit-testing vertices in screen space, moving a vertex, clipping to a
 * new image size, and the pixels and grid points a drawing selects, counted from the same scanline runs
 * the core's rasteriser fills (src/shared/roi-raster.ts), without building an image-sized mask.
 */
import { ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES, ROI_MAX_VERTICES } from '../../../shared/contract';
import { countRegion, countRegionLattice, rasteriseRegion, type RoiRegionLike } from '../../../shared/roi-raster';
import { imageToScreen, type Point, type Size, type View } from '../composables/useViewport';
import type { RoiRect } from './roi';

export type Vertex = [number, number];
export interface RoiPolygon {
  points: Vertex[];
}
export type PolygonList = 'include' | 'exclude';
export interface RoiShapes {
  include: RoiPolygon[];
  exclude: RoiPolygon[];
}
/** One vertex of one polygon. */
export interface VertexRef {
  list: PolygonList;
  index: number;
  vertex: number;
}

/** Screen pixels around a vertex that still grab it. */
export const VERTEX_TOLERANCE = 7;

export const noShapes = (): RoiShapes => ({ include: [], exclude: [] });
export const hasShapes = (s: RoiShapes): boolean => s.include.length + s.exclude.length > 0;

/** Every vertex of every polygon. */
export function vertexCount(s: RoiShapes): number {
  let n = 0;
  for (const p of s.include) n += p.points.length;
  for (const p of s.exclude) n += p.points.length;
  return n;
}

const listWord = (list: PolygonList) => (list === 'include' ? 'polygons' : 'exclusions');
/** Why no polygon can be added to `list`, in words. */
export const polygonLimitMessage = (list: PolygonList): string =>
  `The ROI already has ${ROI_MAX_POLYGONS} ${listWord(list)}, the most it may have: delete one before drawing another.`;
/** Why the polygon being drawn can take no more vertices, in words. */
export function vertexLimitMessage(draftLength: number): string {
  return draftLength >= ROI_MAX_VERTICES
    ? `A polygon may have at most ${ROI_MAX_VERTICES} vertices: close this one.`
    : `The ROI may have at most ${ROI_MAX_TOTAL_VERTICES} vertices in all: close this polygon, or delete or simplify others.`;
}

/**
 * Why `shapes` cannot be an ROI (too many polygons in a list, too many vertices in all), in words; null
 * when they can. The contract refuses the same (see ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES).
 */
export function shapesLimitProblem(shapes: RoiShapes): string | null {
  for (const list of ['include', 'exclude'] as const) if (shapes[list].length > ROI_MAX_POLYGONS) return `The ROI has ${shapes[list].length} ${listWord(list)}; it may have at most ${ROI_MAX_POLYGONS}. Delete some.`;
  const n = vertexCount(shapes);
  return n > ROI_MAX_TOTAL_VERTICES ? `The ROI has ${n} vertices in all; it may have at most ${ROI_MAX_TOTAL_VERTICES}. Delete or simplify polygons.` : null;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** An image point as a vertex on the nearest pixel corner inside the image. */
export function snapVertex(p: Point, img: Size): Vertex {
  return [clamp(Math.round(p.x), 0, img.width), clamp(Math.round(p.y), 0, img.height)];
}

/** Twice the signed area (shoelace); 0 for a polygon whose vertices lie on one line. */
export function doubleArea(points: readonly Vertex[]): number {
  let a = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) a += (points[j][0] - points[i][0]) * (points[j][1] + points[i][1]);
  return a;
}

/** True when the polygon encloses something: at least 3 vertices, not all on one line. */
export function isClosable(points: readonly Vertex[]): boolean {
  if (points.length < 3) return false;
  const [x0, y0] = points[0];
  const a = points.find(([x, y]) => x !== x0 || y !== y0);
  return !!a && points.some(([x, y]) => (a[0] - x0) * (y - y0) !== (a[1] - y0) * (x - x0));
}

/** The draft with `v` appended, unless it repeats the last vertex (a double click adds one point, not two). */
export function addVertex(draft: readonly Vertex[], v: Vertex): Vertex[] {
  const last = draft[draft.length - 1];
  return last && last[0] === v[0] && last[1] === v[1] ? [...draft] : [...draft, v];
}

/** The nearest vertex within `tol` screen px of `s`; exclusions first, as they are drawn on top. */
export function hitVertex(shapes: RoiShapes, view: View, s: Point, tol = VERTEX_TOLERANCE): VertexRef | null {
  let best: VertexRef | null = null;
  let bestD = tol * tol;
  for (const list of ['exclude', 'include'] as const) {
    shapes[list].forEach((poly, index) =>
      poly.points.forEach(([x, y], vertex) => {
        const q = imageToScreen(view, x, y);
        const d = (q.x - s.x) ** 2 + (q.y - s.y) ** 2;
        if (d <= bestD && (!best || d < bestD)) {
          best = { list, index, vertex };
          bestD = d;
        }
      }),
    );
  }
  return best;
}

/** True when screen point `s` is within `tol` of the draft's first vertex, so a click there closes it. */
export function nearFirst(draft: readonly Vertex[], view: View, s: Point, tol = VERTEX_TOLERANCE): boolean {
  if (draft.length < 3) return false;
  const q = imageToScreen(view, draft[0][0], draft[0][1]);
  return (q.x - s.x) ** 2 + (q.y - s.y) ** 2 <= tol * tol;
}

/**
 * The shapes with one vertex moved to `p` (snapped, inside the image). A move that would leave the polygon
 * with no area is refused: the shapes come back unchanged.
 */
export function moveVertex(shapes: RoiShapes, at: VertexRef, p: Point, img: Size): RoiShapes {
  const poly = shapes[at.list][at.index];
  if (!poly) return shapes;
  const points = poly.points.map((v, k) => (k === at.vertex ? snapVertex(p, img) : v));
  if (!isClosable(points)) return shapes;
  const list = shapes[at.list].map((q, k) => (k === at.index ? { points } : q));
  return { ...shapes, [at.list]: list };
}

export function removePolygon(shapes: RoiShapes, list: PolygonList, index: number): RoiShapes {
  return { ...shapes, [list]: shapes[list].filter((_, k) => k !== index) };
}

/**
 * The polygon clipped to the image box [0, width] × [0, height] (Sutherland–Hodgman; the box is convex, so a
 * concave polygon comes out right too, with zero-width seams along the border that select no pixel centre).
 * Null when nothing with an area is left.
 */
export function clipPolygon(points: readonly Vertex[], img: Size): Vertex[] | null {
  const edges: [(v: Vertex) => number][] = [[(v) => v[0]], [(v) => img.width - v[0]], [(v) => v[1]], [(v) => img.height - v[1]]];
  let out: Vertex[] = [...points];
  for (const [inside] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i];
      const prev = input[(i + input.length - 1) % input.length];
      const dc = inside(cur);
      const dp = inside(prev);
      if (dc >= 0 !== dp >= 0) {
        const t = dp / (dp - dc);
        out.push([prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])]);
      }
      if (dc >= 0) out.push(cur);
    }
    if (out.length === 0) return null;
  }
  // drop repeats the clipping leaves where a vertex sat on the border
  const dedup = out.filter((v, k) => {
    const p = out[(k + out.length - 1) % out.length];
    return k === 0 ? out.length === 1 || v[0] !== p[0] || v[1] !== p[1] : v[0] !== p[0] || v[1] !== p[1];
  });
  return isClosable(dedup) ? dedup : null;
}

/** The shapes fitted to a new image: each polygon clipped to it, those left with no area dropped. */
export function fitShapes(shapes: RoiShapes, img: Size): { shapes: RoiShapes; changed: boolean; dropped: number } {
  let changed = false;
  let dropped = 0;
  const fit = (list: RoiPolygon[]) =>
    list.flatMap((p) => {
      const inside = p.points.every(([x, y]) => x >= 0 && y >= 0 && x <= img.width && y <= img.height);
      if (inside) return [p];
      changed = true;
      const c = clipPolygon(p.points, img);
      if (!c) dropped++;
      return c ? [{ points: c }] : [];
    });
  const out = { include: fit(shapes.include), exclude: fit(shapes.exclude) };
  return { shapes: changed ? out : shapes, changed, dropped };
}

/**
 * The contract's `roi` for what is drawn: nothing (whole image), the plain rectangle (the original form, so
 * results without polygons read as before), or a region with the rectangle as part of its base.
 */
export function roiParam(rect: RoiRect | null, shapes: RoiShapes) {
  const r = rect ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height } : undefined;
  if (!hasShapes(shapes)) return r;
  const copy = (l: RoiPolygon[]) => l.map((p) => ({ points: p.points.map(([x, y]) => [x, y] as Vertex) }));
  return { kind: 'region' as const, ...(r && { rect: r }), include: copy(shapes.include), exclude: copy(shapes.exclude) };
}

/** The drawing as the rasteriser takes it; null when nothing is drawn (the whole image). */
function regionOf(rect: RoiRect | null, shapes: RoiShapes): RoiRegionLike | null {
  const roi = roiParam(rect, shapes);
  if (!roi) return null;
  return 'kind' in roi ? roi : { rect: roi };
}

/**
 * The pixels measured (1 = inside) for a drawing on a width × height image; null when nothing is drawn.
 * An image-sized array: for counting, use `selectedPixels` and `regionGridPoints`, which need none.
 */
export function selectionMask(rect: RoiRect | null, shapes: RoiShapes, img: Size): Uint8Array | null {
  const region = regionOf(rect, shapes);
  return region ? rasteriseRegion(region, img.width, img.height) : null;
}

/** How many pixels a drawing selects; the whole image when nothing is drawn. From the row spans, no mask. */
export function selectedPixels(rect: RoiRect | null, shapes: RoiShapes, img: Size): number {
  const region = regionOf(rect, shapes);
  return region ? countRegion(region, img.width, img.height) : img.width * img.height;
}

/**
 * The grid points the core measures inside a drawing (src/core/track/grid.ts buildGrid with a mask):
 * every `step` px from the image origin, at least `margin` px from each border, counted where the drawing
 * selects the pixel (every lattice point when nothing is drawn). From the row spans of the grid's rows only.
 */
export function regionGridPoints(rect: RoiRect | null, shapes: RoiShapes, img: Size, step: number, margin: number): { nx: number; ny: number; points: number; margin: number } {
  const x0 = Math.ceil(margin / step) * step;
  const y0 = x0;
  const xEnd = img.width - 1 - margin;
  const yEnd = img.height - 1 - margin;
  const nx = xEnd >= x0 ? Math.floor((xEnd - x0) / step) + 1 : 0;
  const ny = yEnd >= y0 ? Math.floor((yEnd - y0) / step) + 1 : 0;
  const region = regionOf(rect, shapes);
  const points = region ? countRegionLattice(region, img.width, img.height, { x0, y0, step, nx, ny }) : nx * ny;
  return { nx, ny, points, margin };
}
