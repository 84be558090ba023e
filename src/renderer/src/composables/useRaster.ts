/**
 * @file An offscreen RGBA canvas rebuilt from a reactive source, ONCE per change of what it depends on
 * (coalesced to one rebuild per animation frame). Pan and zoom then only drawImage it (lib/draw.ts), which
 * keeps large images responsive. `useDisplayImage` (grey through a contrast window) and the DIC heat maps
 * (colour map through a range) are both built on it.
 */
import { shallowRef, watch } from 'vue';
import type { Size } from './useViewport';

export interface DisplayImage {
  canvas: HTMLCanvasElement;
  rgba: Uint8ClampedArray;
  size: Size;
}

/** What to paint: the size, and a function that fills one packed RGBA uint32 per pixel (ImageData layout). */
export interface RasterSource {
  size: Size;
  paint(out: Uint32Array): void;
}

/**
 * @param source reactive getter; every reactive value it reads is a dependency, so read the pixels, window,
 *   colour map etc. in the getter itself and capture them in `paint`. Null clears the raster.
 */
export function useRaster(source: () => RasterSource | null) {
  /** Current raster; replaced (new object) on every rebuild so watchers redraw. */
  const display = shallowRef<DisplayImage | null>(null);
  let canvas: HTMLCanvasElement | null = null;
  let ctx: CanvasRenderingContext2D | null = null;
  let imageData: ImageData | null = null;
  let frame = 0;
  let pending: RasterSource | null = null;

  function rebuild(): void {
    frame = 0;
    const src = pending;
    if (!src) {
      display.value = null;
      return;
    }
    const s = src.size;
    if (!canvas || canvas.width !== s.width || canvas.height !== s.height) {
      canvas = document.createElement('canvas');
      canvas.width = s.width;
      canvas.height = s.height;
      ctx = canvas.getContext('2d');
      imageData = ctx ? ctx.createImageData(s.width, s.height) : null;
    }
    if (!ctx || !imageData) return;
    src.paint(new Uint32Array(imageData.data.buffer, imageData.data.byteOffset, s.width * s.height));
    ctx.putImageData(imageData, 0, 0);
    display.value = { canvas, rgba: imageData.data, size: s };
  }

  watch(
    source,
    (src) => {
      pending = src;
      if (!frame) frame = requestAnimationFrame(rebuild);
    },
    { immediate: true },
  );

  function dispose(): void {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    pending = null;
    canvas = null;
    ctx = null;
    imageData = null;
    display.value = null;
  }

  return { display, dispose };
}
