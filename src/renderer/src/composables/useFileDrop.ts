/**
 * @file Drag-and-drop of files onto an element: `dragging` while files hover it, `onFile` with the first
 * dropped file. Drags that carry no files (text, links) are left alone.
 */
import { ref } from 'vue';

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

export function useFileDrop(onFile: (file: File) => void) {
  /** true while a file drag is over the element */
  const dragging = ref(false);
  // dragenter/dragleave fire for every child element; count them so the overlay does not flicker.
  let depth = 0;

  function onDragEnter(e: DragEvent): void {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    dragging.value = true;
  }
  function onDragOver(e: DragEvent): void {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  }
  function onDragLeave(e: DragEvent): void {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) dragging.value = false;
  }
  function onDrop(e: DragEvent): void {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    dragging.value = false;
    const file = e.dataTransfer?.files?.[0];
    if (file) onFile(file);
  }

  /** Bind with v-on="handlers" on the drop target. */
  const handlers = { dragenter: onDragEnter, dragover: onDragOver, dragleave: onDragLeave, drop: onDrop };
  return { dragging, handlers };
}
