/**
 * @file The 8-bit display image behind the viewer: native float pixels mapped through the contrast window
 * into an offscreen canvas, ONCE per change of pixels or window (coalesced to one per animation frame).
 * Pan and zoom then only drawImage this canvas (lib/draw.ts), which keeps large images responsive.
 */
import { shallowRef, watch, type Ref } from 'vue';
import { renderGrey, type ContrastWindow } from '../lib/contrast';
import type { Size } from './useViewport';

export interface DisplayImage {
  canvas: HTMLCanvasElement;
  rgba: Uint8ClampedArray;
  size: Size;
}

export function useDisplayImage(pixels: Ref<Float32Array | null>, size: Ref<Size | null>, contrast: Ref<ContrastWindow>) {
  /** Current display image; replaced (new object) on every rebuild so watchers redraw. */
  const display = shallowRef<DisplayImage | null>(null);
  let canvas: HTMLCanvasElement | null = null;
  let ctx: CanvasRenderingContext2D | null = null;
  let imageData: ImageData | null = null;
  let frame = 0;

  function rebuild(): void {
    frame = 0;
    const px = pixels.value;
    const s = size.value;
    if (!px || !s || px.length !== s.width * s.height) {
      display.value = null;
      return;
    }
    if (!canvas || canvas.width !== s.width || canvas.height !== s.height) {
      canvas = document.createElement('canvas');
      canvas.width = s.width;
      canvas.height = s.height;
      ctx = canvas.getContext('2d');
      imageData = ctx ? ctx.createImageData(s.width, s.height) : null;
    }
    if (!ctx || !imageData) return;
    renderGrey(px, contrast.value, new Uint32Array(imageData.data.buffer, imageData.data.byteOffset, s.width * s.height));
    ctx.putImageData(imageData, 0, 0);
    display.value = { canvas, rgba: imageData.data, size: s };
  }

  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(rebuild);
  }

  watch([pixels, size, () => contrast.value.lo, () => contrast.value.hi], schedule, { immediate: true });

  function dispose(): void {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    canvas = null;
    ctx = null;
    imageData = null;
    display.value = null;
  }

  return { display, dispose };
}
