/**
 * @file The 8-bit display image behind a grey image view: native float pixels mapped through the contrast
 * window into an offscreen canvas, once per change of pixels or window (see composables/useRaster.ts).
 */
import type { Ref } from 'vue';
import { renderGrey, type ContrastWindow } from '../lib/contrast';
import { useRaster } from './useRaster';
import type { Size } from './useViewport';

export type { DisplayImage } from './useRaster';

export function useDisplayImage(pixels: Ref<Float32Array | null>, size: Ref<Size | null>, contrast: Ref<ContrastWindow>) {
  return useRaster(() => {
    const px = pixels.value;
    const s = size.value;
    const w = { lo: contrast.value.lo, hi: contrast.value.hi };
    if (!px || !s || px.length !== s.width * s.height) return null;
    return { size: s, paint: (out) => renderGrey(px, w, out) };
  });
}
