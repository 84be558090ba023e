/**
 * @file Drawing the viewer canvas from the 8-bit display image and the view transform (see Note: Viewer
 * coordinates, in composables/useViewport.ts). Pan and zoom only redraw with drawImage; the float → 8-bit
 * mapping happens once per contrast change elsewhere (composables/useDisplayImage.ts).
 *
 * Magnified views are nearest-neighbour. From PIXEL_EXACT_SCALE up, every visible pixel is filled as its own
 * rectangle with edges rounded to device pixels from the transform, so pixel boundaries sit exactly where
 * the readout's floor((screen − offset) / scale) puts them, at any zoom, with no sampling drift. Minified
 * views (scale < 1) are smoothed, which shows the overview truthfully instead of aliasing speckle.
 */
import type { Point, Size, View } from '../composables/useViewport';

/** Screen pixels per image pixel from which pixels are drawn one by one. */
export const PIXEL_EXACT_SCALE = 12;
/** Screen pixels per image pixel from which a faint pixel grid is drawn. */
export const GRID_SCALE = 32;

export interface DrawInput {
  /** the display image (8-bit RGBA), same size as the image */
  source: CanvasImageSource;
  /** its RGBA bytes, for the pixel-exact path */
  rgba: Uint8ClampedArray;
  img: Size;
  view: View;
  /** CSS size of the canvas */
  css: Size;
  dpr: number;
  /** pixel to outline, if any */
  hover: Point | null;
}

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

/** Visible range of image columns (or rows) [first, end) for one axis. */
export function visibleRange(offset: number, scale: number, screenLength: number, imageLength: number): [number, number] {
  const first = Math.max(0, Math.floor(-offset / scale));
  const end = Math.min(imageLength, Math.ceil((screenLength - offset) / scale));
  return [first, Math.max(first, end)];
}

export function clearCanvas(ctx: CanvasRenderingContext2D): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

export function drawView(ctx: CanvasRenderingContext2D, d: DrawInput): void {
  clearCanvas(ctx);
  const { view, img, css, dpr } = d;
  const [x0, x1] = visibleRange(view.offsetX, view.scale, css.width, img.width);
  const [y0, y1] = visibleRange(view.offsetY, view.scale, css.height, img.height);
  if (x1 <= x0 || y1 <= y0) return;
  // device-pixel edge of image coordinate u along each axis
  const ex = (u: number) => Math.round(dpr * (view.offsetX + u * view.scale));
  const ey = (u: number) => Math.round(dpr * (view.offsetY + u * view.scale));

  if (view.scale >= PIXEL_EXACT_SCALE) {
    const xs = new Int32Array(x1 - x0 + 1);
    for (let i = x0; i <= x1; i++) xs[i - x0] = ex(i);
    const rgba = d.rgba;
    for (let j = y0; j < y1; j++) {
      const top = ey(j);
      const h = ey(j + 1) - top;
      let k = (j * img.width + x0) * 4;
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
  } else {
    ctx.imageSmoothingEnabled = view.scale < 1;
    ctx.imageSmoothingQuality = 'medium';
    // Only the visible part: keeps destination coordinates small at high zoom on large images.
    const dx = dpr * (view.offsetX + x0 * view.scale);
    const dy = dpr * (view.offsetY + y0 * view.scale);
    const dw = dpr * (x1 - x0) * view.scale;
    const dh = dpr * (y1 - y0) * view.scale;
    ctx.drawImage(d.source, x0, y0, x1 - x0, y1 - y0, dx, dy, dw, dh);
  }

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
}
