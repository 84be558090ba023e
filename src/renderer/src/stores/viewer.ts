/**
 * @file The Viewer workspace's state: the open image (an image slot, composables/useImageSlot.ts: the back
 * end's description plus its native float32 pixels), the display contrast, the view transform and the pixel
 * under the cursor. Failures go to the app's error banner, naming the file.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { lab } from '../api';
import { useImageSlot, type OpenedImage } from '../composables/useImageSlot';
import type { Point, Size, View } from '../composables/useViewport';
import { autoWindow, type ContrastMode, type ContrastWindow } from '../lib/contrast';
import { formatNative, formatPhysical } from '../lib/format';
import { useAppStore } from './app';

export type { OpenedImage } from '../composables/useImageSlot';
export { baseName } from '../lib/format';

export const useViewerStore = defineStore('viewer', () => {
  const app = useAppStore();

  /** How the display window was chosen. */
  const contrastMode = ref<ContrastMode>('percentile');
  /** Display window in native units: lo shows black, hi white. Display only; pixels are never changed. */
  const contrast = ref<ContrastWindow>({ lo: 0, hi: 1 });
  /** View transform (see Note: Viewer coordinates, in composables/useViewport.ts); null until first fitted. */
  const view = ref<View | null>(null);
  /** True while the view is "fit to window" and so follows resizes of the viewer. */
  const followFit = ref(true);
  /** Integer pixel under the cursor (x = column, y = row); null when the cursor is off the image. */
  const hover = ref<Point | null>(null);

  const slot = useImageSlot({
    beforeShow(opened: OpenedImage) {
      view.value = null;
      followFit.value = true;
      hover.value = null;
      contrastMode.value = contrastMode.value === 'manual' ? 'percentile' : contrastMode.value;
      contrast.value = autoWindow(opened.stats, contrastMode.value === 'minmax' ? 'minmax' : 'percentile');
    },
    onError: (title, err) => app.reportError(title, err),
    onOpened: () => app.dismissError(),
  });
  /** The open image's description from `image.open`; null when none is open. */
  const image = slot.image;
  /** Its native pixels, float32 row-major (`pixels[y * width + x]`), fetched from `image.dataUrl`. */
  const pixels = slot.pixels;
  /** File name being opened while an open is in flight (for the busy indicator); null otherwise. */
  const opening = slot.opening;

  /** Image size in pixels, or null. */
  const imageSize = computed<Size | null>(() => (image.value ? { width: image.value.width, height: image.value.height } : null));
  /** Native value at the hovered pixel, or null. */
  const hoverValue = computed<number | null>(() => {
    const p = hover.value;
    const img = image.value;
    const px = pixels.value;
    if (!p || !img || !px) return null;
    return px[p.y * img.width + p.x];
  });
  /** The hovered value as text in the file's own terms (integers stay integers). */
  const hoverValueText = computed(() =>
    hoverValue.value === null || !image.value ? '' : formatNative(hoverValue.value, image.value.meta.sampleType),
  );
  /** Physical position of the hovered pixel in µm, when the file carries a pixel size; else ''. */
  const hoverPhysicalText = computed(() => {
    const p = hover.value;
    const ps = image.value?.meta.pixelSize;
    return p && ps ? formatPhysical(p.x, p.y, ps) : '';
  });

  /** Sets the display window automatically from the histogram (full range or 0.5–99.5 %). */
  function autoContrast(mode: 'minmax' | 'percentile'): void {
    if (!image.value) return;
    contrastMode.value = mode;
    contrast.value = autoWindow(image.value.stats, mode);
  }

  /** Sets one or both window bounds by hand (switches to manual mode). Non-finite values are ignored. */
  function setContrast(lo: number | undefined, hi: number | undefined): void {
    const next = { ...contrast.value };
    if (lo !== undefined && Number.isFinite(lo)) next.lo = lo;
    if (hi !== undefined && Number.isFinite(hi)) next.hi = hi;
    contrastMode.value = 'manual';
    contrast.value = next;
  }

  /** Records the pixel under the cursor (null when it leaves the image). */
  function setHover(p: Point | null): void {
    if (p?.x === hover.value?.x && p?.y === hover.value?.y) return;
    hover.value = p;
  }

  /** Opens a file by its path on the back-end machine (typed path, dialog, or a server-side upload copy). */
  const openPath = slot.openPath;
  /** Opens a File from the file input or a drop: uploads it (harness) or resolves its path (Electron) first. */
  const openFile = slot.openFile;

  /** Asks for a file with the native dialog (Electron) and opens it; does nothing if the user cancels. */
  async function openWithDialog(): Promise<boolean> {
    try {
      const { path } = await lab['dialog.openImage']({});
      return path ? openPath(path) : false;
    } catch (err) {
      app.reportError('Could not show the open dialog', err);
      return false;
    }
  }

  return {
    image,
    pixels,
    opening,
    contrastMode,
    contrast,
    view,
    followFit,
    hover,
    imageSize,
    hoverValue,
    hoverValueText,
    hoverPhysicalText,
    autoContrast,
    setContrast,
    setHover,
    openPath,
    openFile,
    openWithDialog,
  };
});
