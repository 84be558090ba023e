/**
 * @file The polygon ROI gestures on the reference canvas, as an ImageCanvas `interaction`. With the Polygon
 * or Exclude tool, each click adds a vertex (snapped to a pixel corner); a click on the first vertex, a
 * double click, or `finish()` (Enter) closes the polygon, `undo()` (Backspace) removes the last vertex and
 * `cancel()` (Esc) drops the draft. With any tool, dragging a vertex of a closed polygon moves it. Closed
 * and edited polygons are committed once, whole. Geometry in lib/roi-polygon.ts.
 *
 * The contract's limits hold while drawing: no polygon is started or closed in a list that already has
 * ROI_MAX_POLYGONS, and no vertex is added past ROI_MAX_VERTICES in the polygon or ROI_MAX_TOTAL_VERTICES in
 * the whole ROI. A refused gesture sets `refusal` (a sentence for the ROI panel) and calls `refuse`.
 *
 * ImageCanvas has no double-click hook (and a gesture swallows the browser's dblclick), so a second click
 * on the same spot within DOUBLE_CLICK_MS counts as one.
 */
import { computed, ref, shallowRef, type Ref } from 'vue';
import { ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES, ROI_MAX_VERTICES } from '../../../shared/contract';
import type { CanvasInteraction } from '../lib/canvas-types';
import {
  addVertex,
  hitVertex,
  isClosable,
  moveVertex,
  nearFirst,
  polygonLimitMessage,
  snapVertex,
  vertexCount,
  vertexLimitMessage,
  VERTEX_TOLERANCE,
  type PolygonList,
  type RoiShapes,
  type Vertex,
  type VertexRef,
} from '../lib/roi-polygon';
import type { Point, Size } from './useViewport';

export const DOUBLE_CLICK_MS = 400;

export interface RoiPolygonToolOptions {
  shapes: Ref<RoiShapes>;
  imageSize: Ref<Size | null>;
  /** the list a new polygon goes to with the Polygon / Exclude tool; null with any other tool */
  drawing: () => PolygonList | null;
  commit(shapes: RoiShapes): void;
  /** told why a click, or closing, was refused (a limit reached), to show it in the panel */
  refuse?(message: string): void;
  /** clock for double clicks (tests pass their own) */
  now?: () => number;
}

export interface PolygonDraft {
  list: PolygonList;
  points: Vertex[];
}

export function useRoiToolPolygon(o: RoiPolygonToolOptions) {
  const now = o.now ?? (() => performance.now());
  /** the polygon being drawn, open; null when none */
  const draft = ref<PolygonDraft | null>(null);
  /** the snapped pointer while drawing, for the rubber band from the last vertex */
  const pointer = ref<Vertex | null>(null);
  /** the shapes while a vertex is dragged; null otherwise */
  const dragged = shallowRef<RoiShapes | null>(null);
  let grabbed: { at: VertexRef; start: RoiShapes } | null = null;
  let lastClick: { t: number; s: Point } | null = null;
  /** why the last gesture was refused (a limit reached); null after one that was not */
  const refusal = ref<string | null>(null);

  function refuse(message: string): void {
    refusal.value = message;
    o.refuse?.(message);
  }
  /** Why `list` takes no new polygon, or null when it does. */
  function listFull(list: PolygonList): string | null {
    const s = o.shapes.value;
    if (s[list].length >= ROI_MAX_POLYGONS) return polygonLimitMessage(list);
    // a new polygon needs 3 vertices within the whole ROI's limit
    if (vertexCount(s) + 3 > ROI_MAX_TOTAL_VERTICES) return vertexLimitMessage(0);
    return null;
  }

  /**
   * Closes the draft into a polygon when it has an area; false (draft kept) when it has not yet, or when
   * its list is full or the ROI would have too many vertices (`refusal` says which).
   */
  function finish(): boolean {
    const d = draft.value;
    if (!d || !isClosable(d.points)) return false;
    const s = o.shapes.value;
    if (s[d.list].length >= ROI_MAX_POLYGONS) {
      refuse(polygonLimitMessage(d.list));
      return false;
    }
    if (vertexCount(s) + d.points.length > ROI_MAX_TOTAL_VERTICES) {
      refuse(vertexLimitMessage(0));
      return false;
    }
    o.commit({ ...s, [d.list]: [...s[d.list], { points: d.points }] });
    draft.value = null;
    lastClick = null;
    refusal.value = null;
    return true;
  }
  /** Whether the draft may take one more vertex; refuses (with the reason) when it may not. */
  function roomForVertex(d: PolygonDraft): boolean {
    if (d.points.length < ROI_MAX_VERTICES && vertexCount(o.shapes.value) + d.points.length < ROI_MAX_TOTAL_VERTICES) return true;
    refuse(vertexLimitMessage(d.points.length));
    return false;
  }
  /** Removes the draft's last vertex (the draft goes with its first); false when there is no draft. */
  function undo(): boolean {
    const d = draft.value;
    if (!d) return false;
    draft.value = d.points.length > 1 ? { ...d, points: d.points.slice(0, -1) } : null;
    lastClick = null;
    return true;
  }
  /** Drops the draft; false when there was none. */
  function cancel(): boolean {
    if (!draft.value) return false;
    draft.value = null;
    lastClick = null;
    refusal.value = null;
    return true;
  }

  function isDoubleClick(s: Point): boolean {
    const t = now();
    const dbl = !!lastClick && t - lastClick.t <= DOUBLE_CLICK_MS && Math.hypot(s.x - lastClick.s.x, s.y - lastClick.s.y) <= VERTEX_TOLERANCE;
    lastClick = { t, s };
    return dbl;
  }

  const interaction: CanvasInteraction = {
    down(p, s, view) {
      const img = o.imageSize.value;
      if (!img) return false;
      const mode = o.drawing();
      const d = draft.value;
      if (d && mode) {
        if (isDoubleClick(s) || nearFirst(d.points, view, s)) finish();
        else {
          const points = addVertex(d.points, snapVertex(p, img));
          if (points.length > d.points.length && roomForVertex(d)) draft.value = { ...d, points };
        }
        return true;
      }
      const at = hitVertex(o.shapes.value, view, s);
      if (at) {
        grabbed = { at, start: o.shapes.value };
        dragged.value = o.shapes.value;
        return true;
      }
      if (!mode) return false;
      const full = listFull(mode);
      if (full) {
        // the click is taken (it would not draw a rectangle either), and the panel says why nothing happened
        refuse(full);
        return true;
      }
      refusal.value = null;
      draft.value = { list: mode, points: [snapVertex(p, img)] };
      pointer.value = snapVertex(p, img);
      isDoubleClick(s);
      return true;
    },
    move(p) {
      const img = o.imageSize.value;
      if (grabbed && img) dragged.value = moveVertex(grabbed.start, grabbed.at, p, img);
    },
    up(p) {
      const img = o.imageSize.value;
      if (grabbed && img) {
        const next = moveVertex(grabbed.start, grabbed.at, p, img);
        if (next !== grabbed.start) o.commit(next);
      }
      grabbed = null;
      dragged.value = null;
    },
    cursor(p, s, view) {
      const img = o.imageSize.value;
      if (draft.value && img) {
        pointer.value = snapVertex(p, img);
        return nearFirst(draft.value.points, view, s) ? 'pointer' : undefined;
      }
      if (hitVertex(o.shapes.value, view, s)) return 'move';
      // with a drawing tool a click adds a vertex, whatever the rectangle's handles under it suggest
      return o.drawing() ? 'crosshair' : undefined;
    },
  };

  /** what to draw: the shapes with a vertex being dragged, else the committed ones */
  const shown = computed(() => dragged.value ?? o.shapes.value);

  return { interaction, shown, draft, pointer, refusal, finish, undo, cancel };
}

/** One interaction out of several: the first whose `down` takes a gesture gets its move and up. */
export function firstTaker(...all: CanvasInteraction[]): CanvasInteraction {
  let owner: CanvasInteraction | null = null;
  return {
    down(p, s, v) {
      owner = all.find((i) => i.down(p, s, v)) ?? null;
      return owner !== null;
    },
    move(p, s, v) {
      owner?.move(p, s, v);
    },
    up(p, s, v) {
      owner?.up(p, s, v);
      owner = null;
    },
    cursor(p, s, v) {
      for (const i of all) {
        const c = i.cursor?.(p, s, v);
        if (c) return c;
      }
      return undefined;
    },
  };
}
