/**
 * @file The tiled display image (lib/tiled-raster.ts, Note: Tiled display) of a reactive source: a new
 * raster, with its pyramid, when the values change; only a new mapping when the window or colour map does,
 * which re-maps the visible tiles at the next frame and nothing else. `useDisplayImage` (grey through a
 * contrast window) and the DIC and X-ray heat maps (colour map through a range) are both built on it.
 */
import { shallowRef, watch } from 'vue';
import { TiledRaster, type PixelMap } from '../lib/tiled-raster';
import type { Size } from './useViewport';

/** What an image canvas draws (components/image/ImageCanvas.vue). A new object whenever what it shows changes. */
export interface DisplayImage {
  raster: TiledRaster;
  size: Size;
}

/** What to show: native values (row-major, size.width × size.height) and how each maps to RGBA. */
export interface RasterSource {
  size: Size;
  values: Float32Array;
  map: PixelMap;
}

/**
 * @param source reactive getter; every reactive value it reads is a dependency, so read the values, window,
 *   colour map etc. in the getter itself and capture them in `map`. Null clears the raster.
 */
export function useRaster(source: () => RasterSource | null) {
  /** Current display image; replaced (new object) on every change, and as pyramid levels arrive, so canvases redraw. */
  const display = shallowRef<DisplayImage | null>(null);
  let raster: TiledRaster | null = null;

  function publish(): void {
    display.value = raster ? { raster, size: raster.size } : null;
  }

  function drop(): void {
    raster?.dispose();
    raster = null;
  }

  watch(
    source,
    (src) => {
      if (!src || src.values.length !== src.size.width * src.size.height) {
        drop();
      } else if (raster && raster.values === src.values && raster.size.width === src.size.width && raster.size.height === src.size.height) {
        raster.setMap(src.map);
      } else {
        drop();
        const r: TiledRaster = new TiledRaster(src.values, src.size, src.map, {
          onProgress: () => {
            if (raster === r) publish();
          },
        });
        raster = r;
      }
      publish();
    },
    { immediate: true },
  );

  function dispose(): void {
    drop();
    display.value = null;
  }

  return { display, dispose };
}
