/**
 * @file Drawing the polygon ROI on an image canvas, in CSS px with the view transform (see Note: Viewer
 * coordinates, in composables/useViewport.ts), beside lib/overlay.ts's rectangle: include polygons in the
 * ROI amber with a faint fill, exclusions red and hatched (so they read as "cut out" on grey speckle and on
 * every colour map), each filled by the even-odd rule the rasteriser uses, and the open polygon being drawn.
 */
import { imageToScreen } from '../composables/useViewport';
import type { OverlayContext } from './canvas-types';
import { ROI_COLOUR } from './overlay';
import type { PolygonList, RoiShapes, Vertex } from './roi-polygon';

export const EXCLUDE_COLOUR = '#ff4d4d';
const colourOf = (list: PolygonList) => (list === 'exclude' ? EXCLUDE_COLOUR : ROI_COLOUR);
/** CSS px between hatch lines */
const HATCH = 7;

function tracePath(ctx: CanvasRenderingContext2D, t: OverlayContext, points: readonly Vertex[], close: boolean): void {
  ctx.beginPath();
  points.forEach(([x, y], k) => {
    const q = imageToScreen(t.view, x, y);
    if (k === 0) ctx.moveTo(q.x, q.y);
    else ctx.lineTo(q.x, q.y);
  });
  if (close) ctx.closePath();
}

function outline(ctx: CanvasRenderingContext2D, colour: string, dashed: boolean): void {
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(0,0,0,0.6)';
  ctx.setLineDash([]);
  ctx.stroke();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colour;
  ctx.setLineDash(dashed ? [6, 4] : []);
  ctx.stroke();
  ctx.setLineDash([]);
}

function hatch(ctx: CanvasRenderingContext2D, t: OverlayContext, points: readonly Vertex[]): void {
  const qs = points.map(([x, y]) => imageToScreen(t.view, x, y));
  const x0 = Math.max(0, Math.min(...qs.map((q) => q.x)));
  const x1 = Math.min(t.css.width, Math.max(...qs.map((q) => q.x)));
  const y0 = Math.max(0, Math.min(...qs.map((q) => q.y)));
  const y1 = Math.min(t.css.height, Math.max(...qs.map((q) => q.y)));
  if (x1 <= x0 || y1 <= y0) return;
  ctx.save();
  tracePath(ctx, t, points, true);
  ctx.clip('evenodd');
  ctx.fillStyle = 'rgba(255, 60, 60, 0.16)';
  ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
  ctx.beginPath();
  // 45° lines through the bounding box, on a screen-fixed lattice so they do not crawl while panning
  const start = Math.floor((x0 + y0) / HATCH) * HATCH;
  for (let c = start; c <= x1 + y1; c += HATCH) {
    ctx.moveTo(c - y0, y0);
    ctx.lineTo(c - y1, y1);
  }
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(255, 77, 77, 0.75)';
  ctx.stroke();
  ctx.restore();
}

function vertexHandles(ctx: CanvasRenderingContext2D, t: OverlayContext, points: readonly Vertex[], colour: string, firstBig = false): void {
  points.forEach(([x, y], k) => {
    const q = imageToScreen(t.view, x, y);
    const hs = firstBig && k === 0 ? 5 : 3.5;
    ctx.fillStyle = colour;
    ctx.fillRect(q.x - hs, q.y - hs, 2 * hs, 2 * hs);
    ctx.strokeStyle = 'rgba(0,0,0,0.8)';
    ctx.lineWidth = 1;
    ctx.strokeRect(q.x - hs, q.y - hs, 2 * hs, 2 * hs);
  });
}

/** The closed polygons: include ones first, exclusions on top; vertex handles when editable. */
export function drawShapes(ctx: CanvasRenderingContext2D, t: OverlayContext, shapes: RoiShapes, opts: { editable: boolean }): void {
  for (const p of shapes.include) {
    tracePath(ctx, t, p.points, true);
    ctx.fillStyle = 'rgba(255, 176, 32, 0.10)';
    ctx.fill('evenodd');
    outline(ctx, ROI_COLOUR, !opts.editable);
  }
  for (const p of shapes.exclude) {
    hatch(ctx, t, p.points);
    tracePath(ctx, t, p.points, true);
    outline(ctx, EXCLUDE_COLOUR, !opts.editable);
  }
  if (!opts.editable) return;
  for (const list of ['include', 'exclude'] as const) for (const p of shapes[list]) vertexHandles(ctx, t, p.points, colourOf(list));
}

/** The polygon being drawn: its edges so far, a rubber band to the pointer, and a large first vertex to close on. */
export function drawDraft(ctx: CanvasRenderingContext2D, t: OverlayContext, draft: { list: PolygonList; points: readonly Vertex[] }, pointer: Vertex | null): void {
  const colour = colourOf(draft.list);
  tracePath(ctx, t, pointer ? [...draft.points, pointer] : draft.points, false);
  outline(ctx, colour, false);
  vertexHandles(ctx, t, draft.points, colour, true);
}
