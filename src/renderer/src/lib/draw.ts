/**
 * @file Drawing the viewer canvas from a tiled display image and the view transform (see Note: Viewer
 * coordinates, in composables/useViewport.ts, and Note: Tiled display, in lib/tiled-raster.ts). Pan and zoom
 * only redraw the tiles in view; the float → RGBA mapping happens per tile, once per contrast change.
 *
 * Magnified views are nearest-neighbour. From PIXEL_EXACT_SCALE up, every visible pixel is filled as its own
 * rectangle with edges rounded to device pixels from the transform, so pixel boundaries sit exactly where
 * the readout's floor((screen − offset) / scale) puts them, at any zoom, with no sampling drift. Below that,
 * tiles of level 0 are drawn with their edges rounded the same way, so no seam shows between them. Minified
 * views (scale < 1) draw a coarser pyramid level, smoothed, which shows the overview truthfully instead of
 * aliasing speckle.
 */
import type { Point, Size, View } from '../composables/useViewport';
import { chooseLevel, visibleImageRect, visibleTiles, type Rect } from './tiles';

/** Screen pixels per image pixel from which pixels are drawn one by one. */
export const PIXEL_EXACT_SCALE = 12;
/** Screen pixels per image pixel from which a faint pixel grid is drawn. */
export const GRID_SCALE = 32;

/** What drawView needs of a display image (lib/tiled-raster.ts). */
export interface TileSource {
  readonly tileSize: number;
  readonly levelCount: number;
  /** levels 0 … readyLevels − 1 exist */
  readonly readyLevels: number;
  tile(level: number, col: number, row: number): CanvasImageSource;
  /** RGBA bytes of an image rectangle, row-major */
  rgbaRect(r: Rect): Uint8ClampedArray;
  endFrame(): void;
}

export interface DrawInput {
  source: TileSource;
  img: Size;
  view: View;
  /** CSS size of the canvas */
  css: Size;
  dpr: number;
  /** pixel to outline, if any */
  hover: Point | null;
}

/** What a frame showed: a pyramid level, pixels one by one, or no image yet (its levels are still building). */
export type DrawnFrom = number | 'pixels' | 'none';

const BACKGROUND = '#15171a';
const styleCache = new Map<number, string>();
function fillStyleOf(r: number, g: number, b: number): string {
  const key = (r << 16) | (g << 8) | b;
  let s = styleCache.get(key);
  if (!s) {
    s = `rgb(${r},${g},${b})`;
    styleCache.set(key, s);
  }
  return s;
}

export function clearCanvas(ctx: CanvasRenderingContext2D): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/**
 * Level to draw a minified view from, or null while the pyramid has not got there yet. No stand-in from a
 * finer level: mapping 4× or more the pixels would take longer than the few ms the missing coarse level
 * needs (each is a quarter of the one before).
 */
function drawableLevel(source: TileSource, scale: number, dpr: number): number | null {
  const k = chooseLevel(scale, dpr, source.levelCount);
  return k < source.readyLevels ? k : null;
}

export function drawView(ctx: CanvasRenderingContext2D, d: DrawInput): DrawnFrom {
  clearCanvas(ctx);
  const { view, img, css, dpr, source } = d;
  const visible = visibleImageRect(view, css, img);
  if (!visible) return 'none';
  const x0 = visible.x;
  const y0 = visible.y;
  const x1 = x0 + visible.width;
  const y1 = y0 + visible.height;
  // device-pixel edge of image coordinate u along each axis
  const ex = (u: number) => Math.round(dpr * (view.offsetX + u * view.scale));
  const ey = (u: number) => Math.round(dpr * (view.offsetY + u * view.scale));
  let drawn: DrawnFrom = 'none';

  if (view.scale >= PIXEL_EXACT_SCALE) {
    const xs = new Int32Array(x1 - x0 + 1);
    for (let i = x0; i <= x1; i++) xs[i - x0] = ex(i);
    const rgba = source.rgbaRect(visible);
    let k = 0;
    for (let j = y0; j < y1; j++) {
      const top = ey(j);
      const h = ey(j + 1) - top;
      for (let i = x0; i < x1; i++, k += 4) {
        ctx.fillStyle = fillStyleOf(rgba[k], rgba[k + 1], rgba[k + 2]);
        ctx.fillRect(xs[i - x0], top, xs[i + 1 - x0] - xs[i - x0], h);
      }
    }
    if (view.scale >= GRID_SCALE) {
      ctx.fillStyle = 'rgba(120, 130, 140, 0.35)';
      const top = ey(y0);
      const bottom = ey(y1);
      const left = ex(x0);
      const right = ex(x1);
      for (let i = x0 + 1; i < x1; i++) ctx.fillRect(ex(i), top, 1, bottom - top);
      for (let j = y0 + 1; j < y1; j++) ctx.fillRect(left, ey(j), right - left, 1);
    }
    drawn = 'pixels';
  } else {
    const level = view.scale >= 1 ? 0 : drawableLevel(source, view.scale, dpr);
    if (level !== null) {
      ctx.imageSmoothingEnabled = view.scale < 1;
      // The pyramid already did the averaging; what is left is less than 2× (see chooseLevel), which bilinear
      // handles. 'medium' would have Chromium build mipmaps of every tile on every frame (3–5× the frame time).
      ctx.imageSmoothingQuality = 'low';
      for (const t of visibleTiles(visible, img, level, source.tileSize)) {
        const tile = source.tile(level, t.col, t.row);
        const left = ex(t.x0);
        const top = ey(t.y0);
        ctx.drawImage(tile, t.src.x, t.src.y, t.src.width, t.src.height, left, top, ex(t.x1) - left, ey(t.y1) - top);
      }
      drawn = level;
    }
  }
  source.endFrame();
  // image outline, so dark images stay distinguishable from the background
  ctx.strokeStyle = 'rgba(140, 150, 160, 0.45)';
  ctx.lineWidth = 1;
  ctx.strokeRect(ex(0) - 0.5, ey(0) - 0.5, ex(img.width) - ex(0) + 1, ey(img.height) - ey(0) + 1);

  if (d.hover && view.scale >= 6) {
    const { x, y } = d.hover;
    ctx.strokeStyle = '#5aa9e6';
    ctx.lineWidth = Math.max(1, Math.round(dpr));
    ctx.strokeRect(ex(x) + 0.5, ey(y) + 0.5, ex(x + 1) - ex(x) - 1, ey(y + 1) - ey(y) - 1);
  }
  return drawn;
}
