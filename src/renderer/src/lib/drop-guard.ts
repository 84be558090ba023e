/**
 * @file The window-wide half of drag-and-drop: a file (or link) dropped anywhere but a drop zone does
 * nothing. Left to Chromium, such a drop navigates the window to the file, which replaces the app (and an
 * .html file would then run with the app's preload). Electron main refuses that navigation too (Note:
 * Renderer URL, src/main/renderer-url.ts); this keeps it from being attempted and shows a "no drop" cursor.
 *
 * Installed on `document`, so it runs after the drop zones (useFileDrop) in the bubbling phase: a zone
 * that took the drag has already called preventDefault and is left alone. Nothing here stops propagation.
 */

/** Drag types whose default drop is a navigation. */
const NAVIGATING_TYPES = ['Files', 'text/uri-list'];

type DragLike = Event & { dataTransfer?: { types?: ArrayLike<string>; dropEffect?: string } | null };

function navigates(e: DragLike): boolean {
  const types = Array.from(e.dataTransfer?.types ?? []);
  if (types.includes('Files')) return true;
  // A link dropped into a text field is inserted as text, not followed: leave that to the field.
  return types.some((t) => NAVIGATING_TYPES.includes(t)) && !isEditable(e.target);
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean } | null;
  const tag = el?.tagName?.toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || el?.isContentEditable === true;
}

/** Cancels the default of file and link drops that no drop zone took; returns the uninstaller. */
export function installDropGuard(target: EventTarget): () => void {
  const onDragOver = (ev: Event) => {
    const e = ev as DragLike;
    if (e.defaultPrevented || !navigates(e)) return;
    // Cancelled with dropEffect "none": Chromium neither performs the drop nor falls back to navigating.
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  };
  const onDrop = (ev: Event) => {
    const e = ev as DragLike;
    if (navigates(e)) e.preventDefault();
  };
  target.addEventListener('dragover', onDragOver);
  target.addEventListener('drop', onDrop);
  return () => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('drop', onDrop);
  };
}
