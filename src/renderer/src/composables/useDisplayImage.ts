/**
 * @file The display image behind an image view: native float pixels mapped through the contrast window
 * to 8-bit grey (useDisplayImage), or a map's values through a colour map (useColourImage), tile by tile as
 * frames need them (see composables/useRaster.ts and Note: Tiled display, in lib/tiled-raster.ts). A
 * contrast or range change re-maps only the tiles on screen.
 */
import type { Ref } from 'vue';
import { renderColour, type ColourMapName, type ColourRange } from '../lib/colormap';
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

/**
 * A result map (DIC, X-ray phase) coloured through `colourMap` over `range`, NaN grey. Getters, so that every
 * store value they read is a dependency of the raster; null (no map, or values of another size) clears it.
 */
export function useColourImage(
  values: () => Float32Array | null | undefined,
  range: () => ColourRange | null | undefined,
  size: () => Size | null | undefined,
  colourMap: () => ColourMapName,
) {
  return useRaster(() => {
    const v = values();
    const r = range();
    const s = size();
    const cm = colourMap();
    if (!v || !r || !s || v.length !== s.width * s.height) return null;
    const rr = { lo: r.lo, hi: r.hi };
    return { size: s, values: v, map: (values, out) => renderColour(values, rr, cm, out) };
  });
}
