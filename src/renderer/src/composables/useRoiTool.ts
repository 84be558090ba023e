/**
 * @file The ROI gestures on the reference canvas, as an ImageCanvas `interaction`: with the ROI tool, a drag
 * on empty image draws a new rectangle, a drag inside moves it, a drag on a corner or edge resizes it; with
 * the pan tool, only corners and edges are live (a drag anywhere else pans). The rectangle follows the
 * pointer as a draft and is committed once, on release. Geometry in lib/roi.ts.
 */
import { computed, ref, type Ref } from 'vue';
import type { CanvasInteraction } from '../lib/canvas-types';
import { cursorFor, dragRect, hitTest, rectFromDrag, type RoiHandle, type RoiRect } from '../lib/roi';
import type { Point, Size } from './useViewport';

export interface RoiToolOptions {
  roi: Ref<RoiRect | null>;
  imageSize: Ref<Size | null>;
  /** true with the ROI tool selected (draw and move); false with the pan tool (resize by handles only) */
  drawing: () => boolean;
  commit(r: RoiRect): void;
}

type Gesture = { kind: 'new'; from: Point } | { kind: 'edit'; handle: RoiHandle; from: Point; start: RoiRect };

export function useRoiTool(o: RoiToolOptions) {
  /** the rectangle while a gesture is under way; null otherwise */
  const draft = ref<RoiRect | null>(null);
  const active = ref(false);
  let gesture: Gesture | null = null;

  function grab(r: RoiRect | null, s: Point, view: Parameters<typeof hitTest>[1]): RoiHandle | null {
    if (!r) return null;
    const h = hitTest(r, view, s);
    return h === 'move' && !o.drawing() ? null : h;
  }

  function update(p: Point): void {
    const img = o.imageSize.value;
    if (!gesture || !img) return;
    draft.value = gesture.kind === 'new' ? rectFromDrag(gesture.from, p, img) : dragRect(gesture.start, gesture.handle, p.x - gesture.from.x, p.y - gesture.from.y, img);
  }

  const interaction: CanvasInteraction = {
    down(p, s, view) {
      if (!o.imageSize.value) return false;
      const r = o.roi.value;
      const h = grab(r, s, view);
      if (h && r) gesture = { kind: 'edit', handle: h, from: p, start: r };
      else if (o.drawing()) gesture = { kind: 'new', from: p };
      else return false;
      draft.value = gesture.kind === 'edit' ? r : null;
      active.value = true;
      return true;
    },
    move(p) {
      update(p);
    },
    up(p) {
      update(p);
      // a click without a drag leaves the ROI as it was
      if (draft.value) o.commit(draft.value);
      gesture = null;
      draft.value = null;
      active.value = false;
    },
    cursor(_p, s, view) {
      const h = grab(o.roi.value, s, view);
      return cursorFor(h);
    },
  };

  /** what to draw: the draft while dragging, else the committed ROI */
  const shown = computed(() => (active.value ? draft.value : o.roi.value));

  return { interaction, shown, active };
}
