import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import type { CanvasInteraction } from '../lib/canvas-types';
import type { PolygonList, RoiShapes } from '../lib/roi-polygon';
import { DOUBLE_CLICK_MS, firstTaker, useRoiToolPolygon } from './useRoiToolPolygon';

const view = { scale: 2, offsetX: 0, offsetY: 0 };
const screen = (x: number, y: number) => ({ x: x * view.scale, y: y * view.scale });
const img = (x: number, y: number) => ({ x, y });

function setup(mode: PolygonList | null, initial: RoiShapes = { include: [], exclude: [] }) {
  const shapes = ref<RoiShapes>(initial);
  const commits: RoiShapes[] = [];
  let t = 0;
  let drawing = mode;
  const tool = useRoiToolPolygon({
    shapes,
    imageSize: ref({ width: 100, height: 80 }),
    drawing: () => drawing,
    commit: (s) => {
      commits.push(s);
      shapes.value = s;
    },
    now: () => t,
  });
  /** a click at image point (x, y), `dt` ms after the previous one */
  const click = (x: number, y: number, dt = 1000) => {
    t += dt;
    const taken = tool.interaction.down(img(x, y), screen(x, y), view);
    if (taken) tool.interaction.up(img(x, y), screen(x, y), view);
    return taken;
  };
  const setMode = (m: PolygonList | null) => (drawing = m);
  return { shapes, commits, tool, click, setMode };
}

describe('useRoiToolPolygon', () => {
  it('adds snapped vertices click by click and closes on the first vertex', () => {
    const t = setup('include');
    t.click(10.2, 10.4);
    t.click(40.6, 10);
    t.click(40, 30);
    expect(t.tool.draft.value).toEqual({ list: 'include', points: [[10, 10], [41, 10], [40, 30]] });
    expect(t.commits).toEqual([]);
    t.click(11, 11); // within 7 screen px of (10, 10) at scale 2
    expect(t.commits).toEqual([{ include: [{ points: [[10, 10], [41, 10], [40, 30]] }], exclude: [] }]);
    expect(t.tool.draft.value).toBeNull();
  });

  it('closes an exclusion on a double click, adding its last vertex once', () => {
    const t = setup('exclude');
    t.click(10, 10);
    t.click(30, 10);
    t.click(30, 30);
    t.click(30, 30, DOUBLE_CLICK_MS - 50);
    expect(t.shapes.value.exclude).toEqual([{ points: [[10, 10], [30, 10], [30, 30]] }]);
  });

  it('Enter closes only a polygon with an area; Backspace removes the last vertex; Esc cancels', () => {
    const t = setup('include');
    t.click(10, 10);
    t.click(20, 10);
    expect(t.tool.finish()).toBe(false);
    expect(t.tool.draft.value?.points).toHaveLength(2);
    t.click(30, 10);
    expect(t.tool.finish()).toBe(false); // on one line
    expect(t.tool.undo()).toBe(true);
    t.click(20, 30);
    expect(t.tool.finish()).toBe(true);
    expect(t.shapes.value.include[0].points).toEqual([[10, 10], [20, 10], [20, 30]]);
    t.click(50, 50);
    expect(t.tool.cancel()).toBe(true);
    expect(t.tool.draft.value).toBeNull();
    expect(t.tool.cancel()).toBe(false);
    expect(t.tool.undo()).toBe(false);
    expect(t.commits).toHaveLength(1);
  });

  it('drags a vertex with any tool, committing once on release', () => {
    const start: RoiShapes = { include: [{ points: [[10, 10], [40, 10], [40, 30]] }], exclude: [] };
    const t = setup(null, start);
    expect(t.tool.interaction.down(img(40, 30), screen(40, 30), view)).toBe(true);
    t.tool.interaction.move(img(50.4, 35), screen(50, 35), view);
    expect(t.tool.shown.value.include[0].points[2]).toEqual([50, 35]);
    expect(t.commits).toEqual([]);
    t.tool.interaction.up(img(60, 40), screen(60, 40), view);
    expect(t.commits).toEqual([{ include: [{ points: [[10, 10], [40, 10], [60, 40]] }], exclude: [] }]);
    // away from every vertex, without a drawing tool, the gesture is left to panning
    expect(t.tool.interaction.down(img(25, 50), screen(25, 50), view)).toBe(false);
  });

  it('shows a rubber band to the snapped pointer while drawing', () => {
    const t = setup('include');
    t.click(10, 10);
    t.tool.interaction.cursor?.(img(20.7, 12.2), screen(20.7, 12.2), view);
    expect(t.tool.pointer.value).toEqual([21, 12]);
  });
});

describe('firstTaker', () => {
  it('gives move and up to the interaction that took the down', () => {
    const log: string[] = [];
    const mk = (name: string, takes: boolean): CanvasInteraction => ({
      down: () => (log.push(`${name}.down`), takes),
      move: () => void log.push(`${name}.move`),
      up: () => void log.push(`${name}.up`),
    });
    const i = firstTaker(mk('a', false), mk('b', true), mk('c', true));
    const p = { x: 0, y: 0 };
    expect(i.down(p, p, view)).toBe(true);
    i.move(p, p, view);
    i.up(p, p, view);
    expect(log).toEqual(['a.down', 'b.down', 'b.move', 'b.up']);
  });
});
