/**
 * @file Types of the generic image canvas (components/image/ImageCanvas.vue): the viewport it shares with
 * other canvases, extra drawing on top of the image, and pointer gestures that take the left button from
 * panning (the DIC ROI tool).
 */
import type { Ref } from 'vue';
import type { Point, Size, View } from '../composables/useViewport';

/** What a canvas needs from `useViewport`: several canvases given the same object stay in sync. */
export interface ViewportApi {
  viewportSize: Ref<Size>;
  zoomBy(factor: number, sx?: number, sy?: number): void;
  pan(dx: number, dy: number): void;
  pixelUnder(sx: number, sy: number): Point | null;
}

/** The zoom actions of `useViewport` that the zoom buttons and keys call (components/image/StageToolbar, useZoomShortcuts). */
export interface ZoomActions {
  zoomIn(): void;
  zoomOut(): void;
  oneToOne(): void;
  fit(): void;
}

/** Where overlay drawing happens: `screen = offset + scale · image` in CSS px (see Note: Viewer coordinates). */
export interface OverlayContext {
  view: View;
  /** CSS size of the canvas */
  css: Size;
  dpr: number;
}

/** Draws on top of the image; the context's transform is already CSS px (dpr applied). */
export type OverlayDraw = (ctx: CanvasRenderingContext2D, t: OverlayContext) => void;

/**
 * A left-button gesture handler. `image` is the continuous image coordinate under the pointer, `screen` the
 * CSS px position on the canvas. `down` returns true to take the gesture (it then gets move/up), false to
 * leave it to panning.
 */
export interface CanvasInteraction {
  down(image: Point, screen: Point, view: View): boolean;
  move(image: Point, screen: Point, view: View): void;
  up(image: Point, screen: Point, view: View): void;
  /** CSS cursor while hovering (not dragging) at this point; undefined = the default crosshair */
  cursor?(image: Point, screen: Point, view: View): string | undefined;
}
