/**
 * @file The display image behind a grey image view: native float pixels mapped through the contrast window
 * to 8-bit grey, tile by tile as frames need them (see composables/useRaster.ts and Note: Tiled display, in
 * lib/tiled-raster.ts). A contrast change re-maps only the tiles on screen.
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
    return { size: s, values: px, map: (values, out) => renderGrey(values, w, out) };
  });
}
