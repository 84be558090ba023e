import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import type { RoiRect } from '../lib/roi';
import { useRoiTool } from './useRoiTool';

const view = { scale: 2, offsetX: 0, offsetY: 0 };
const screen = (x: number, y: number) => ({ x: x * view.scale, y: y * view.scale });
const img = (x: number, y: number) => ({ x, y });

function setup(initial: RoiRect | null, drawing: boolean) {
  const roi = ref<RoiRect | null>(initial);
  const commits: RoiRect[] = [];
  const tool = useRoiTool({
    roi,
    imageSize: ref({ width: 100, height: 80 }),
    drawing: () => drawing,
    commit: (r) => {
      commits.push(r);
      roi.value = r;
    },
  });
  const drag = (from: [number, number], to: [number, number]) => {
    const taken = tool.interaction.down(img(...from), screen(...from), view);
    if (taken) {
      tool.interaction.move(img((from[0] + to[0]) / 2, (from[1] + to[1]) / 2), screen(...to), view);
      tool.interaction.up(img(...to), screen(...to), view);
    }
    return taken;
  };
  return { roi, commits, tool, drag };
}

describe('useRoiTool', () => {
  it('draws a new ROI with the ROI tool, showing a draft while dragging and committing once', () => {
    const t = setup(null, true);
    expect(t.tool.interaction.down(img(10, 10), screen(10, 10), view)).toBe(true);
    t.tool.interaction.move(img(30, 20), screen(30, 20), view);
    expect(t.tool.shown.value).toEqual({ x: 10, y: 10, width: 20, height: 10 });
    expect(t.commits).toEqual([]);
    t.tool.interaction.up(img(40, 30), screen(40, 30), view);
    expect(t.commits).toEqual([{ x: 10, y: 10, width: 30, height: 20 }]);
    expect(t.tool.active.value).toBe(false);
  });

  it('moves from inside and resizes from a corner', () => {
    const t = setup({ x: 10, y: 10, width: 30, height: 20 }, true);
    t.drag([20, 20], [25, 18]);
    expect(t.roi.value).toEqual({ x: 15, y: 8, width: 30, height: 20 });
    t.drag([45, 28], [55, 38]); // bottom-right corner
    expect(t.roi.value).toEqual({ x: 15, y: 8, width: 40, height: 30 });
  });

  it('with the pan tool only the handles are live: inside and outside pan', () => {
    const t = setup({ x: 10, y: 10, width: 30, height: 20 }, false);
    expect(t.drag([20, 20], [25, 25])).toBe(false);
    expect(t.drag([70, 70], [80, 75])).toBe(false);
    expect(t.drag([40, 20], [50, 20])).toBe(true); // right edge
    expect(t.roi.value).toEqual({ x: 10, y: 10, width: 40, height: 20 });
    expect(t.tool.interaction.cursor!(img(10, 10), screen(10, 10), view)).toBe('nwse-resize');
  });

  it('a click without a drag keeps the ROI', () => {
    const t = setup({ x: 10, y: 10, width: 30, height: 20 }, true);
    t.drag([70, 70], [70.2, 70.1]);
    expect(t.commits).toEqual([]);
    expect(t.roi.value).toEqual({ x: 10, y: 10, width: 30, height: 20 });
  });
});
