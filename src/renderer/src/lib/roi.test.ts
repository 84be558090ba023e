import { describe, expect, it } from 'vitest';
import { clampRect, cursorFor, dragRect, hitTest, rectFromDrag, rectFromFields } from './roi';

const img = { width: 192, height: 160 };

describe('ROI from a drag', () => {
  it('snaps to pixel edges in any drag direction', () => {
    expect(rectFromDrag({ x: 40.2, y: 30.4 }, { x: 149.6, y: 130.1 }, img)).toEqual({ x: 40, y: 30, width: 110, height: 100 });
    expect(rectFromDrag({ x: 150, y: 130 }, { x: 40, y: 30 }, img)).toEqual({ x: 40, y: 30, width: 110, height: 100 });
  });
  it('clamps to the image and ignores a click without a drag', () => {
    expect(rectFromDrag({ x: -20, y: -5 }, { x: 500, y: 20 }, img)).toEqual({ x: 0, y: 0, width: 192, height: 20 });
    expect(rectFromDrag({ x: 10.1, y: 10.1 }, { x: 10.2, y: 40 }, img)).toBeNull();
  });
  it('clips a ROI to a smaller image, or drops it when nothing is left', () => {
    expect(clampRect({ x: 100, y: 100, width: 200, height: 10 }, img)).toEqual({ x: 100, y: 100, width: 92, height: 10 });
    expect(clampRect({ x: 300, y: 0, width: 5, height: 5 }, img)).toBeNull();
  });
});

describe('handles', () => {
  const view = { scale: 2, offsetX: 10, offsetY: 20 };
  const r = { x: 10, y: 10, width: 50, height: 40 }; // screen: x 30…130, y 40…120
  it('finds corners, edges and the inside in screen space', () => {
    expect(hitTest(r, view, { x: 31, y: 41 })).toBe('nw');
    expect(hitTest(r, view, { x: 129, y: 118 })).toBe('se');
    expect(hitTest(r, view, { x: 80, y: 42 })).toBe('n');
    expect(hitTest(r, view, { x: 133, y: 80 })).toBe('e');
    expect(hitTest(r, view, { x: 80, y: 80 })).toBe('move');
    expect(hitTest(r, view, { x: 200, y: 80 })).toBeNull();
    expect(cursorFor('ne')).toBe('nesw-resize');
  });
  it('moves inside the image and resizes by a corner', () => {
    expect(dragRect(r, 'move', 5.4, -3.6, img)).toEqual({ x: 15, y: 6, width: 50, height: 40 });
    expect(dragRect(r, 'move', 1000, 1000, img)).toEqual({ x: 142, y: 120, width: 50, height: 40 });
    expect(dragRect(r, 'se', 10, 5, img)).toEqual({ x: 10, y: 10, width: 60, height: 45 });
    expect(dragRect(r, 'w', -4, 0, img)).toEqual({ x: 6, y: 10, width: 54, height: 40 });
  });
  it('flips when dragged past the opposite edge, and never collapses', () => {
    expect(dragRect(r, 'e', -70, 0, img)).toEqual({ x: 0, y: 10, width: 10, height: 40 });
    expect(dragRect(r, 'e', -50, 0, img).width).toBeGreaterThanOrEqual(1);
  });
});

describe('typed ROI', () => {
  it('checks whole numbers and the image bounds', () => {
    expect(rectFromFields({ x: '4', y: '5', width: '10', height: '20' }, img)).toEqual({ rect: { x: 4, y: 5, width: 10, height: 20 }, error: null });
    expect(rectFromFields({ x: '4.5', y: '5', width: '10', height: '20' }, img).error).toMatch(/whole numbers/);
    expect(rectFromFields({ x: '190', y: '5', width: '10', height: '20' }, img).error).toMatch(/192 × 160/);
  });
});
