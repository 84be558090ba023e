import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import type { CanvasInteraction } from '../lib/canvas-types';
import { ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES } from '../../../shared/contract';
import type { PolygonList, RoiShapes, Vertex } from '../lib/roi-polygon';
import { DOUBLE_CLICK_MS, firstTaker, useRoiToolPolygon } from './useRoiToolPolygon';

const view = { scale: 2, offsetX: 0, offsetY: 0 };
const screen = (x: number, y: number) => ({ x: x * view.scale, y: y * view.scale });
const img = (x: number, y: number) => ({ x, y });

function setup(mode: PolygonList | null, initial: RoiShapes = { include: [], exclude: [] }) {
  const shapes = ref<RoiShapes>(initial);
  const commits: RoiShapes[] = [];
  const refused: string[] = [];
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
    refuse: (m) => refused.push(m),
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
  return { shapes, commits, refused, tool, click, setMode };
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

describe('useRoiToolPolygon: the contract’s limits', () => {
  const tri = (k: number) => ({ points: [[k % 50, 0], [(k % 50) + 1, 0], [k % 50, 1]] as Vertex[] });

  it('refuses a 101st polygon, saying why, instead of letting track.run fail on it', () => {
    const full: RoiShapes = { include: Array.from({ length: ROI_MAX_POLYGONS }, (_, k) => tri(k)), exclude: [] };
    const t = setup('include', full);
    // starting one: the click is taken, nothing is drawn, the panel is told
    expect(t.click(60, 60)).toBe(true);
    expect(t.tool.draft.value).toBeNull();
    expect(t.refused).toEqual([`The ROI already has ${ROI_MAX_POLYGONS} polygons, the most it may have: delete one before drawing another.`]);
    expect(t.tool.refusal.value).toBe(t.refused[0]);
    // the exclusion list is another list: it still takes one
    t.setMode('exclude');
    t.click(60, 60);
    t.click(70, 60);
    t.click(70, 70);
    expect(t.tool.finish()).toBe(true);
    expect(t.tool.refusal.value).toBeNull();
    expect(t.shapes.value.exclude).toHaveLength(1);
    expect(t.shapes.value.include).toHaveLength(ROI_MAX_POLYGONS);
  });

  it('refuses to close a polygon whose list filled up while it was drawn', () => {
    const t = setup('include', { include: Array.from({ length: ROI_MAX_POLYGONS - 1 }, (_, k) => tri(k)), exclude: [] });
    t.click(60, 60);
    t.click(70, 60);
    t.click(70, 70);
    // another gesture (e.g. loading) fills the list meanwhile
    t.shapes.value = { ...t.shapes.value, include: [...t.shapes.value.include, tri(99)] };
    expect(t.tool.finish()).toBe(false);
    expect(t.tool.draft.value?.points).toHaveLength(3);
    expect(t.commits).toEqual([]);
    expect(t.refused[0]).toMatch(/already has 100 polygons/);
  });

  it('adds no vertex past the whole ROI’s vertex limit, and says so', () => {
    const ring = (n: number) => ({ points: Array.from({ length: n }, (_, k) => [50 + 20 * Math.cos(k / 2000), 40 + 20 * Math.sin(k / 2000)] as Vertex) });
    const t = setup('exclude', { include: [ring(10_000), ring(ROI_MAX_TOTAL_VERTICES - 10_000 - 4)], exclude: [] });
    t.click(10, 10);
    t.click(20, 10);
    t.click(20, 20);
    t.click(10, 20); // the 4th: exactly the limit
    expect(t.tool.draft.value?.points).toHaveLength(4);
    expect(t.refused).toEqual([]);
    t.click(5, 15);
    expect(t.tool.draft.value?.points).toHaveLength(4);
    expect(t.refused).toEqual([`The ROI may have at most ${ROI_MAX_TOTAL_VERTICES} vertices in all: close this polygon, or delete or simplify others.`]);
    expect(t.tool.finish()).toBe(true);
    // now full: not even a new polygon starts
    t.click(95, 5);
    expect(t.tool.draft.value).toBeNull();
    expect(t.refused).toHaveLength(2);
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
