/**
 * @file The image viewer's transform: pure math (unit-tested) plus a small composable that applies it to
 * reactive state.
 *
 * Note: Viewer coordinates. `screen = offset + scale · image`, in CSS pixels relative to the canvas's
 * top-left corner. Image coordinates are continuous with pixel column x covering [x, x+1) and row y covering
 * [y, y+1) (x = column to the right, y = row down), so the pixel under a screen point is
 * `floor((screen − offset) / scale)`. This is the transform the canvas carries in its `data-view-scale`,
 * `data-view-offset-x` and `data-view-offset-y` attributes, for tests. (The core's convention puts the origin
 * at the centre of the top-left pixel; the two differ by half a pixel and only in drawing, never in which
 * pixel is meant.)
 */
import { ref, watch, type Ref } from 'vue';

export interface View {
  /** screen pixels per image pixel */
  scale: number;
  /** screen position of image coordinate 0 (the top-left corner of pixel 0,0) */
  offsetX: number;
  offsetY: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}

/** Largest zoom: one image pixel covers 256×256 screen pixels. */
export const MAX_SCALE = 256;
/** Screen pixels of the image that panning always leaves visible. */
export const KEEP_VISIBLE = 48;

/** Scale at which the whole image fits into the viewport, leaving `padding` screen pixels round it. */
export function fitScale(img: Size, viewport: Size, padding = 8): number {
  const w = Math.max(1, viewport.width - 2 * padding);
  const h = Math.max(1, viewport.height - 2 * padding);
  return Math.min(w / img.width, h / img.height);
}

/** Smallest zoom allowed: a quarter of the fit (or of 1:1 for images smaller than the viewport). */
export function minScale(img: Size, viewport: Size): number {
  return Math.max(1e-4, Math.min(fitScale(img, viewport), 1) / 4);
}

export function clampScale(scale: number, img: Size, viewport: Size): number {
  return Math.min(MAX_SCALE, Math.max(minScale(img, viewport), scale));
}

/** The whole image, centred. */
export function fitView(img: Size, viewport: Size, padding = 8): View {
  const scale = fitScale(img, viewport, padding);
  return {
    scale,
    offsetX: (viewport.width - img.width * scale) / 2,
    offsetY: (viewport.height - img.height * scale) / 2,
  };
}

export function screenToImage(view: View, sx: number, sy: number): Point {
  return { x: (sx - view.offsetX) / view.scale, y: (sy - view.offsetY) / view.scale };
}

export function imageToScreen(view: View, ix: number, iy: number): Point {
  return { x: view.offsetX + ix * view.scale, y: view.offsetY + iy * view.scale };
}

/** Integer pixel (x = column, y = row) under a screen point, or null outside the image. */
export function pixelAt(view: View, sx: number, sy: number, img: Size): Point | null {
  const p = screenToImage(view, sx, sy);
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return null;
  return { x, y };
}

/** Changes the scale while the image point under (sx, sy) stays under (sx, sy). */
export function zoomAbout(view: View, newScale: number, sx: number, sy: number): View {
  const p = screenToImage(view, sx, sy);
  return { scale: newScale, offsetX: sx - p.x * newScale, offsetY: sy - p.y * newScale };
}

/** Keeps at least KEEP_VISIBLE screen pixels of the image (or all of it, if smaller) inside the viewport. */
export function clampView(view: View, img: Size, viewport: Size, keep = KEEP_VISIBLE): View {
  const w = img.width * view.scale;
  const h = img.height * view.scale;
  const kx = Math.min(keep, w, viewport.width);
  const ky = Math.min(keep, h, viewport.height);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return {
    scale: view.scale,
    offsetX: clamp(view.offsetX, kx - w, viewport.width - kx),
    offsetY: clamp(view.offsetY, ky - h, viewport.height - ky),
  };
}

/**
 * The next zoom step up (direction +1) or down (−1) on the ladder of powers of √2 (…, 0.5, 0.71, 1, 1.41,
 * 2, …), so repeated steps land on 1:1 and on integer scales, where drawing is pixel-exact.
 */
export function zoomStep(scale: number, direction: 1 | -1): number {
  const k = Math.log2(scale) * 2;
  const next = direction > 0 ? Math.floor(k + 1e-6) + 1 : Math.ceil(k - 1e-6) - 1;
  return 2 ** (next / 2);
}

/** Scale 1 (one image pixel per CSS pixel) about the viewport centre, on whole-pixel offsets. */
export function oneToOneView(view: View, viewport: Size): View {
  const z = zoomAbout(view, 1, viewport.width / 2, viewport.height / 2);
  return { scale: 1, offsetX: Math.round(z.offsetX), offsetY: Math.round(z.offsetY) };
}

/** Reactive state the composable works on (lives in the viewer store). */
export interface ViewportState {
  /** current transform; null until the first fit */
  view: Ref<View | null>;
  /** true while the view is "fit to window": it follows viewport resizes */
  followFit: Ref<boolean>;
}

/**
 * Fit, 1:1, zoom (about a point, or by steps about the centre) and pan on the given state, with the viewport
 * size tracked here (the component feeds it from a ResizeObserver).
 */
export function useViewport(state: ViewportState, imageSize: Ref<Size | null>) {
  /** CSS size of the canvas */
  const viewportSize = ref<Size>({ width: 0, height: 0 });
  const hasSize = () => viewportSize.value.width > 0 && viewportSize.value.height > 0;

  function set(view: View, followFit = false): void {
    const img = imageSize.value;
    if (!img) return;
    state.view.value = clampView(view, img, viewportSize.value);
    state.followFit.value = followFit;
  }

  function fit(): void {
    if (imageSize.value && hasSize()) set(fitView(imageSize.value, viewportSize.value), true);
  }

  function oneToOne(): void {
    if (state.view.value && hasSize()) set(oneToOneView(state.view.value, viewportSize.value));
  }

  /** Zooms to `scale` (clamped) about a screen point, the viewport centre by default. */
  function zoomTo(scale: number, sx = viewportSize.value.width / 2, sy = viewportSize.value.height / 2): void {
    const img = imageSize.value;
    const v = state.view.value;
    if (!img || !v) return;
    const s = clampScale(scale, img, viewportSize.value);
    const z = zoomAbout(v, s, sx, sy);
    // On integer scales, keep pixel edges on whole screen pixels so nearest-neighbour drawing is exact.
    if (Number.isInteger(s)) {
      z.offsetX = Math.round(z.offsetX);
      z.offsetY = Math.round(z.offsetY);
    }
    set(z);
  }

  function zoomBy(factor: number, sx?: number, sy?: number): void {
    if (state.view.value) zoomTo(state.view.value.scale * factor, sx, sy);
  }

  function zoomIn(): void {
    if (state.view.value) zoomTo(zoomStep(state.view.value.scale, 1));
  }

  function zoomOut(): void {
    if (state.view.value) zoomTo(zoomStep(state.view.value.scale, -1));
  }

  function pan(dx: number, dy: number): void {
    const v = state.view.value;
    if (v) set({ scale: v.scale, offsetX: v.offsetX + dx, offsetY: v.offsetY + dy });
  }

  /** Pixel under a point of the canvas (CSS pixels from its top-left), or null. */
  function pixelUnder(sx: number, sy: number): Point | null {
    const v = state.view.value;
    const img = imageSize.value;
    return v && img ? pixelAt(v, sx, sy, img) : null;
  }

  // First fit once both sizes are known; then follow resizes while fitted, else keep the image in reach.
  watch(
    [viewportSize, imageSize],
    () => {
      if (!imageSize.value || !hasSize()) return;
      if (!state.view.value || state.followFit.value) fit();
      else set(state.view.value);
    },
    { deep: true },
  );

  return { viewportSize, fit, oneToOne, zoomTo, zoomBy, zoomIn, zoomOut, pan, pixelUnder };
}
