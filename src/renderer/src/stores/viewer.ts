/**
 * @file The Viewer workspace's state: the open image (as the back end described it, plus its native float32
 * pixels), the display contrast, the view transform and the pixel under the cursor. Opening goes through the
 * contract only: a path (typed, or from the native dialog) straight to `image.open`; a File (input or drop)
 * through `lab.pathForFile` first. Failures go to the app's error banner, naming the file.
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import type { Point, Size, View } from '../composables/useViewport';
import { autoWindow, type ContrastMode, type ContrastWindow } from '../lib/contrast';
import { formatNative, formatPhysical } from '../lib/format';
import { useAppStore } from './app';

export type OpenedImage = CallOutput<'image.open'>;

/** Last path segment, for either separator (back-end paths may be Windows paths). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}

export const useViewerStore = defineStore('viewer', () => {
  const app = useAppStore();

  /** The open image's description from `image.open`; null when none is open. */
  const image = shallowRef<OpenedImage | null>(null);
  /** Its native pixels, float32 row-major (`pixels[y * width + x]`), fetched from `image.dataUrl`. */
  const pixels = shallowRef<Float32Array | null>(null);
  /** File name being opened while an open is in flight (for the busy indicator); null otherwise. */
  const opening = ref<string | null>(null);
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

  /** Bumped by every open, so a slow open that a newer one overtook is dropped. */
  let openToken = 0;

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

  async function loadOpened(opened: OpenedImage, token: number): Promise<void> {
    const data = await fetchFloat32(opened.dataUrl, opened.width * opened.height);
    if (token !== openToken) {
      void lab['image.close']({ id: opened.id }).catch(() => {});
      return;
    }
    const previous = image.value;
    image.value = opened;
    pixels.value = markRaw(data);
    view.value = null;
    followFit.value = true;
    hover.value = null;
    contrastMode.value = contrastMode.value === 'manual' ? 'percentile' : contrastMode.value;
    contrast.value = autoWindow(opened.stats, contrastMode.value === 'minmax' ? 'minmax' : 'percentile');
    // The back end holds every opened image's pixels until closed; free the one we replaced.
    if (previous && previous.id !== opened.id) void lab['image.close']({ id: previous.id }).catch(() => {});
  }

  /** Opens a file by its path on the back-end machine (typed path, dialog, or a server-side upload copy). */
  async function openPath(path: string, displayName = baseName(path)): Promise<boolean> {
    const trimmed = path.trim();
    if (!trimmed) return false;
    const token = ++openToken;
    opening.value = displayName;
    try {
      const opened = await lab['image.open']({ path: trimmed });
      if (token !== openToken) {
        void lab['image.close']({ id: opened.id }).catch(() => {});
        return false;
      }
      await loadOpened(opened, token);
      if (token === openToken) app.dismissError();
      return token === openToken;
    } catch (err) {
      if (token === openToken) app.reportError(`Could not open ${displayName}`, err);
      return false;
    } finally {
      if (token === openToken) opening.value = null;
    }
  }

  /** Opens a File from the file input or a drop: uploads it (harness) or resolves its path (Electron) first. */
  async function openFile(file: File): Promise<boolean> {
    const token = ++openToken;
    opening.value = file.name;
    let path: string;
    try {
      path = await lab.pathForFile(file);
    } catch (err) {
      if (token === openToken) {
        app.reportError(`Could not open ${file.name}`, err);
        opening.value = null;
      }
      return false;
    }
    if (token !== openToken) return false;
    return openPath(path, file.name);
  }

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
