/**
 * @file One image "slot" (the Viewer's image, the DIC reference or deformed image): opening by path or by
 * File through the contract, its native float32 pixels, the busy state and the last error. A slow open that
 * a newer one overtook is dropped and freed; the image a new one replaces is freed (`image.close`), because
 * the back end holds every opened image's pixels until then.
 *
 * Opening goes through the contract only: a path (typed, recent, native dialog) straight to `image.open`;
 * a File (input or drop) through `lab.pathForFile` first (Electron: the real path; harness: an upload).
 */
import { markRaw, ref, shallowRef } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import { baseName } from '../lib/format';
import { toShownError, type ShownError } from '../stores/app';

export type OpenedImage = CallOutput<'image.open'>;

export interface ImageSlotHooks {
  /** Called with the new image once its pixels are in, before it is shown (reset views, remember paths). */
  beforeShow?(opened: OpenedImage, pixels: Float32Array): void;
  /** Called when an open fails, with a title naming the file (the slot's own `error` is set too). */
  onError?(title: string, err: unknown): void;
  /** Called after a successful open. */
  onOpened?(opened: OpenedImage): void;
}

export function useImageSlot(hooks: ImageSlotHooks = {}) {
  /** The open image's description from `image.open`; null when none is open. */
  const image = shallowRef<OpenedImage | null>(null);
  /** Its native pixels, float32 row-major (`pixels[y * width + x]`), fetched from `image.dataUrl`. */
  const pixels = shallowRef<Float32Array | null>(null);
  /** File name being opened while an open is in flight (for the busy indicator); null otherwise. */
  const opening = ref<string | null>(null);
  /** Why the last open failed; null after a success. */
  const error = ref<ShownError | null>(null);

  /** Bumped by every open, so a slow open that a newer one overtook is dropped. */
  let token = 0;

  const free = (id: string) => void lab['image.close']({ id }).catch(() => {});

  function fail(title: string, err: unknown, t: number): void {
    if (t !== token) return;
    error.value = toShownError(title, err);
    hooks.onError?.(title, err);
  }

  /** Opens a file by its path on the back-end machine (typed path, dialog, or a server-side upload copy). */
  async function openPath(path: string, displayName = baseName(path)): Promise<boolean> {
    const trimmed = path.trim();
    if (!trimmed) return false;
    const t = ++token;
    opening.value = displayName;
    try {
      const opened = await lab['image.open']({ path: trimmed });
      if (t !== token) {
        free(opened.id);
        return false;
      }
      const data = markRaw(await fetchFloat32(opened.dataUrl, opened.width * opened.height));
      if (t !== token) {
        free(opened.id);
        return false;
      }
      const previous = image.value;
      hooks.beforeShow?.(opened, data);
      image.value = opened;
      pixels.value = data;
      error.value = null;
      if (previous && previous.id !== opened.id) free(previous.id);
      hooks.onOpened?.(opened);
      return true;
    } catch (err) {
      fail(`Could not open ${displayName}`, err, t);
      return false;
    } finally {
      if (t === token) opening.value = null;
    }
  }

  /** Opens a File from the file input or a drop: uploads it (harness) or resolves its path (Electron) first. */
  async function openFile(file: File): Promise<boolean> {
    const t = ++token;
    opening.value = file.name;
    let path: string;
    try {
      path = await lab.pathForFile(file);
    } catch (err) {
      fail(`Could not open ${file.name}`, err, t);
      if (t === token) opening.value = null;
      return false;
    }
    if (t !== token) return false;
    return openPath(path, file.name);
  }

  /** Forgets the image (and frees it on the back end). */
  function clear(): void {
    token++;
    opening.value = null;
    if (image.value) free(image.value.id);
    image.value = null;
    pixels.value = null;
    error.value = null;
  }

  return { image, pixels, opening, error, openPath, openFile, clear };
}

export type ImageSlot = ReturnType<typeof useImageSlot>;

/**
 * A function that, the first time it is called, opens the remembered paths into their slots (each not already
 * showing an image); later calls do nothing. A path goes into `restoring` while it opens, so the store's
 * onOpened hook can tell a restore from a user's open; it leaves again when the open fails.
 */
export function reopenRemembered(pairs: () => ReadonlyArray<readonly [ImageSlot, string]>, restoring: Set<string>): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const [slot, path] of pairs()) {
      if (!path || slot.image.value) continue;
      restoring.add(path);
      void slot.openPath(path).then((ok) => {
        if (!ok) restoring.delete(path);
      });
    }
  };
}
