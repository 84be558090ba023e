/**
 * @file Rectangle region of interest in image pixels, as the contract's `params.roi` takes it: the pixels
 * x … x+width−1 (columns) and y … y+height−1 (rows). Drawing snaps to pixel EDGES (image coordinates
 * rounded to integers, see Note: Viewer coordinates in composables/useViewport.ts), so what the user sees
 * outlined is exactly the set of pixels sent. Pure geometry: creating from a drag, hit-testing the handles
 * in screen space, moving and resizing, clamping to the image.
 */
import { imageToScreen, type Point, type Size, type View } from '../composables/useViewport';

export interface RoiRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a pointer grabbed: a corner, an edge, or the inside (move). */
export type RoiHandle = 'nw' | 'ne' | 'sw' | 'se' | 'n' | 's' | 'e' | 'w' | 'move';

/** Screen pixels around a corner or edge that still grab it. */
export const HANDLE_TOLERANCE = 7;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Edges [x0, x1) × [y0, y1) → rect, clamped to the image; null when less than one pixel wide or high. */
function fromEdges(x0: number, y0: number, x1: number, y1: number, img: Size): RoiRect | null {
  const l = clamp(Math.round(Math.min(x0, x1)), 0, img.width);
  const r = clamp(Math.round(Math.max(x0, x1)), 0, img.width);
  const t = clamp(Math.round(Math.min(y0, y1)), 0, img.height);
  const b = clamp(Math.round(Math.max(y0, y1)), 0, img.height);
  return r - l >= 1 && b - t >= 1 ? { x: l, y: t, width: r - l, height: b - t } : null;
}

/** The rectangle spanned by a drag between two image points (any direction), snapped to pixel edges. */
export function rectFromDrag(a: Point, b: Point, img: Size): RoiRect | null {
  return fromEdges(a.x, a.y, b.x, b.y, img);
}

/** The part of `r` inside the image; null when none is. Use when a new image replaces the old one. */
export function clampRect(r: RoiRect, img: Size): RoiRect | null {
  return fromEdges(r.x, r.y, r.x + r.width, r.y + r.height, img);
}

/** Which handle of `r` is under screen point `s`, or null. Corners win over edges, edges over the inside. */
export function hitTest(r: RoiRect, view: View, s: Point, tol = HANDLE_TOLERANCE): RoiHandle | null {
  const a = imageToScreen(view, r.x, r.y);
  const b = imageToScreen(view, r.x + r.width, r.y + r.height);
  const nearX0 = Math.abs(s.x - a.x) <= tol;
  const nearX1 = Math.abs(s.x - b.x) <= tol;
  const nearY0 = Math.abs(s.y - a.y) <= tol;
  const nearY1 = Math.abs(s.y - b.y) <= tol;
  const withinX = s.x >= a.x - tol && s.x <= b.x + tol;
  const withinY = s.y >= a.y - tol && s.y <= b.y + tol;
  if (!withinX || !withinY) return null;
  // On a tiny on-screen ROI the corners overlap: prefer the nearer one.
  const left = Math.abs(s.x - a.x) <= Math.abs(s.x - b.x);
  const top = Math.abs(s.y - a.y) <= Math.abs(s.y - b.y);
  if ((nearX0 || nearX1) && (nearY0 || nearY1)) return `${top ? 'n' : 's'}${left ? 'w' : 'e'}` as RoiHandle;
  if (nearX0 || nearX1) return left ? 'w' : 'e';
  if (nearY0 || nearY1) return top ? 'n' : 's';
  return s.x > a.x && s.x < b.x && s.y > a.y && s.y < b.y ? 'move' : null;
}

/**
 * The rectangle after dragging `handle` of `start` by (dx, dy) image pixels (continuous; the result snaps
 * to whole pixels). Moving keeps the size and stays inside the image; resizing past the opposite edge flips.
 */
export function dragRect(start: RoiRect, handle: RoiHandle, dx: number, dy: number, img: Size): RoiRect {
  if (handle === 'move') {
    const x = clamp(Math.round(start.x + dx), 0, Math.max(0, img.width - start.width));
    const y = clamp(Math.round(start.y + dy), 0, Math.max(0, img.height - start.height));
    return { ...start, x, y };
  }
  let x0 = start.x;
  let y0 = start.y;
  let x1 = start.x + start.width;
  let y1 = start.y + start.height;
  if (handle.includes('w')) x0 += dx;
  if (handle.includes('e')) x1 += dx;
  if (handle.includes('n')) y0 += dy;
  if (handle.includes('s')) y1 += dy;
  // keep at least one pixel: a resize that would collapse the rectangle stops at 1 px
  if (Math.abs(Math.round(x1) - Math.round(x0)) < 1) (handle.includes('w') ? (x0 = x1 - 1) : (x1 = x0 + 1));
  if (Math.abs(Math.round(y1) - Math.round(y0)) < 1) (handle.includes('n') ? (y0 = y1 - 1) : (y1 = y0 + 1));
  return fromEdges(x0, y0, x1, y1, img) ?? start;
}

/** CSS cursor for a handle. */
export function cursorFor(handle: RoiHandle | null): string | undefined {
  switch (handle) {
    case 'nw':
    case 'se':
      return 'nwse-resize';
    case 'ne':
    case 'sw':
      return 'nesw-resize';
    case 'n':
    case 's':
      return 'ns-resize';
    case 'e':
    case 'w':
      return 'ew-resize';
    case 'move':
      return 'move';
    default:
      return undefined;
  }
}

/** Parses the four typed fields into a rectangle inside the image, or says what is wrong. */
export function rectFromFields(fields: { x: string; y: string; width: string; height: string }, img: Size | null): { rect: RoiRect | null; error: string | null } {
  const nums = [fields.x, fields.y, fields.width, fields.height].map((t) => (t.trim() === '' ? Number.NaN : Number(t)));
  if (!nums.every((n) => Number.isInteger(n))) return { rect: null, error: 'x, y, width and height must be whole numbers of pixels.' };
  const [x, y, width, height] = nums;
  if (x < 0 || y < 0 || width < 1 || height < 1) return { rect: null, error: 'x and y must be ≥ 0 px; width and height ≥ 1 px.' };
  if (img && (x + width > img.width || y + height > img.height)) {
    return { rect: null, error: `The ROI reaches ${x + width}, ${y + height} px but the image is ${img.width} × ${img.height} px.` };
  }
  return { rect: { x, y, width, height }, error: null };
}

export function sameRect(a: RoiRect | null, b: RoiRect | null): boolean {
  return a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);
}
