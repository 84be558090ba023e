/**
 * @file Geometry of a tiled display image with a mip pyramid (see Note: Tiled display, in
 * lib/tiled-raster.ts): the size of each pyramid level, which level a view draws from, and which tiles of
 * that level it needs. Pure functions; the drawing lives in lib/draw.ts.
 *
 * Level k halves level k − 1 with rounding up, so level k is ceil(width / 2^k) × ceil(height / 2^k) and its
 * pixel i covers image columns [i·2^k, min((i + 1)·2^k, width)). Image coordinates are those of Note: Viewer
 * coordinates (composables/useViewport.ts).
 */
import type { Size, View } from '../composables/useViewport';

/** Side of a tile in level pixels: 1 MB of RGBA, few enough draw calls per frame, cheap to re-map. */
export const TILE_SIZE = 512;
/** The pyramid stops at the first level whose longer side is at most this. */
export const SMALLEST_LEVEL_SIDE = 32;

/** Integer rectangle [x, x + width) × [y, y + height). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Size of pyramid level `level` of an image of size `img`. */
export function levelSize(img: Size, level: number): Size {
  const f = 2 ** level;
  return { width: Math.ceil(img.width / f), height: Math.ceil(img.height / f) };
}

/** Sizes of every pyramid level, level 0 (the image itself) first, down to SMALLEST_LEVEL_SIDE. */
export function pyramidSizes(img: Size, smallest = SMALLEST_LEVEL_SIDE): Size[] {
  const sizes = [{ width: img.width, height: img.height }];
  for (;;) {
    const s = sizes[sizes.length - 1];
    if (Math.max(s.width, s.height) <= Math.max(1, smallest)) return sizes;
    sizes.push(levelSize(img, sizes.length));
  }
}

/**
 * The coarsest level that still has at least one pixel per device pixel: level k shows 2^k image pixels per
 * level pixel, so it is the largest k with scale · dpr · 2^k ≤ 1, clamped to the levels that exist.
 * Magnified views (scale · dpr ≥ 1) draw from level 0.
 */
export function chooseLevel(scale: number, dpr: number, levelCount: number): number {
  const devicePerImagePixel = scale * dpr;
  if (!(devicePerImagePixel > 0) || levelCount <= 1) return 0;
  // the epsilon keeps exact powers of two (scale 0.5, 0.25) on the coarser level despite rounding in log2
  const k = Math.floor(Math.log2(1 / devicePerImagePixel) + 1e-9);
  return Math.min(levelCount - 1, Math.max(0, k));
}

/** Visible range of image columns (or rows) [first, end) for one axis. */
export function visibleRange(offset: number, scale: number, screenLength: number, imageLength: number): [number, number] {
  const first = Math.max(0, Math.floor(-offset / scale));
  const end = Math.min(imageLength, Math.ceil((screenLength - offset) / scale));
  return [first, Math.max(first, end)];
}

/** The image pixels at least partly on screen, or null when none is. */
export function visibleImageRect(view: View, css: Size, img: Size): Rect | null {
  const [x0, x1] = visibleRange(view.offsetX, view.scale, css.width, img.width);
  const [y0, y1] = visibleRange(view.offsetY, view.scale, css.height, img.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** The tile at (col, row) of a level, in level pixels (edge tiles are smaller). */
export function tileRect(level: Size, col: number, row: number, tile = TILE_SIZE): Rect {
  const x = col * tile;
  const y = row * tile;
  return { x, y, width: Math.min(tile, level.width - x), height: Math.min(tile, level.height - y) };
}

/** Number of tile columns and rows of a level. */
export function tileCount(level: Size, tile = TILE_SIZE): { cols: number; rows: number } {
  return { cols: Math.ceil(level.width / tile), rows: Math.ceil(level.height / tile) };
}

/** One tile to draw: which, the part of it that is visible, and where that part lies in the image. */
export interface TilePlacement {
  col: number;
  row: number;
  /** visible part of the tile, in level pixels relative to the tile's top-left corner */
  src: Rect;
  /** the same part in image coordinates: [x0, x1) × [y0, y1), clipped to the image */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The tiles of level `level` that hold any pixel of the image rectangle `visible`, each with the part of it
 * that does: their union is `visible` grown outwards to whole level pixels, and no two overlap.
 */
export function visibleTiles(visible: Rect, img: Size, level: number, tile = TILE_SIZE): TilePlacement[] {
  const f = 2 ** level;
  const ls = levelSize(img, level);
  const lx0 = Math.max(0, Math.floor(visible.x / f));
  const ly0 = Math.max(0, Math.floor(visible.y / f));
  const lx1 = Math.min(ls.width, Math.ceil((visible.x + visible.width) / f));
  const ly1 = Math.min(ls.height, Math.ceil((visible.y + visible.height) / f));
  const out: TilePlacement[] = [];
  if (lx1 <= lx0 || ly1 <= ly0) return out;
  for (let row = Math.floor(ly0 / tile); row * tile < ly1; row++) {
    const sy0 = Math.max(ly0, row * tile);
    const sy1 = Math.min(ly1, (row + 1) * tile);
    for (let col = Math.floor(lx0 / tile); col * tile < lx1; col++) {
      const sx0 = Math.max(lx0, col * tile);
      const sx1 = Math.min(lx1, (col + 1) * tile);
      out.push({
        col,
        row,
        src: { x: sx0 - col * tile, y: sy0 - row * tile, width: sx1 - sx0, height: sy1 - sy0 },
        x0: sx0 * f,
        y0: sy0 * f,
        x1: Math.min(img.width, sx1 * f),
        y1: Math.min(img.height, sy1 * f),
      });
    }
  }
  return out;
}
