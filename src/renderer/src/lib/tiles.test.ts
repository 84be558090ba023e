import { describe, expect, it } from 'vitest';
import type { Size, View } from '../composables/useViewport';
import { chooseLevel, levelSize, pyramidSizes, tileCount, tileRect, visibleImageRect, visibleTiles, type Rect } from './tiles';

describe('pyramid sizes', () => {
  it('halves with rounding up down to the smallest side', () => {
    expect(pyramidSizes({ width: 8192, height: 8192 }).map((s) => s.width)).toEqual([8192, 4096, 2048, 1024, 512, 256, 128, 64, 32]);
    const odd = pyramidSizes({ width: 1001, height: 75 });
    expect(odd.slice(0, 4)).toEqual([
      { width: 1001, height: 75 },
      { width: 501, height: 38 },
      { width: 251, height: 19 },
      { width: 126, height: 10 },
    ]);
    expect(Math.max(odd[odd.length - 1].width, odd[odd.length - 1].height)).toBeLessThanOrEqual(32);
    expect(Math.max(odd[odd.length - 2].width, odd[odd.length - 2].height)).toBeGreaterThan(32);
  });

  it('keeps a small image as its only level', () => {
    expect(pyramidSizes({ width: 20, height: 10 })).toEqual([{ width: 20, height: 10 }]);
  });

  it('level k is ceil(size / 2^k), the same as halving k times', () => {
    let s: Size = { width: 999, height: 333 };
    for (let k = 1; k < 8; k++) {
      s = { width: Math.ceil(s.width / 2), height: Math.ceil(s.height / 2) };
      expect(levelSize({ width: 999, height: 333 }, k)).toEqual(s);
    }
  });
});

describe('level choice', () => {
  const n = 9;
  it('draws 1:1 and magnified views from level 0', () => {
    expect(chooseLevel(1, 1, n)).toBe(0);
    expect(chooseLevel(7.5, 1, n)).toBe(0);
    expect(chooseLevel(0.75, 1, n)).toBe(0);
  });

  it('takes the coarsest level still at least as fine as the screen', () => {
    expect(chooseLevel(0.5, 1, n)).toBe(1); // level 1 pixel = exactly 1 screen pixel
    expect(chooseLevel(0.3, 1, n)).toBe(1); // level 2 would be 1.2 screen px per level px: too coarse
    expect(chooseLevel(0.25, 1, n)).toBe(2);
    expect(chooseLevel(0.01, 1, n)).toBe(6); // 2^6 · 0.01 = 0.64 ≤ 1 < 2^7 · 0.01
    expect(chooseLevel(1 / 1024, 1, n)).toBe(8); // clamped to the last level
  });

  it('counts device pixels, not CSS pixels', () => {
    expect(chooseLevel(0.5, 2, n)).toBe(0);
    expect(chooseLevel(0.3, 2, n)).toBe(0);
    expect(chooseLevel(0.01, 2, n)).toBe(5);
  });

  it('never leaves the levels that exist', () => {
    expect(chooseLevel(0.01, 1, 1)).toBe(0);
    expect(chooseLevel(0.01, 1, 3)).toBe(2);
  });
});

describe('tile grid', () => {
  it('edge tiles are cut to the level', () => {
    const level = { width: 1300, height: 600 };
    expect(tileCount(level, 512)).toEqual({ cols: 3, rows: 2 });
    expect(tileRect(level, 2, 1, 512)).toEqual({ x: 1024, y: 512, width: 276, height: 88 });
    expect(tileRect(level, 0, 0, 512)).toEqual({ x: 0, y: 0, width: 512, height: 512 });
  });
});

/** Checks that the placements tile `expected` exactly: inside it, no overlap, nothing missing. */
function expectExactCover(tiles: ReturnType<typeof visibleTiles>, expected: Rect, f: number, tile: number): void {
  let area = 0;
  for (const t of tiles) {
    expect(t.x0).toBeGreaterThanOrEqual(expected.x);
    expect(t.y0).toBeGreaterThanOrEqual(expected.y);
    expect(t.x1).toBeLessThanOrEqual(expected.x + expected.width);
    expect(t.y1).toBeLessThanOrEqual(expected.y + expected.height);
    // the source part lies inside its tile, and maps onto its image part
    expect(t.src.x).toBeGreaterThanOrEqual(0);
    expect(t.src.y).toBeGreaterThanOrEqual(0);
    expect(t.src.x + t.src.width).toBeLessThanOrEqual(tile);
    expect(t.src.y + t.src.height).toBeLessThanOrEqual(tile);
    expect(t.x0).toBe((t.col * tile + t.src.x) * f);
    expect(t.y0).toBe((t.row * tile + t.src.y) * f);
    area += (t.x1 - t.x0) * (t.y1 - t.y0);
  }
  for (let a = 0; a < tiles.length; a++)
    for (let b = a + 1; b < tiles.length; b++) {
      const p = tiles[a];
      const q = tiles[b];
      const overlapX = Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0);
      const overlapY = Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0);
      expect(overlapX > 0 && overlapY > 0, `tiles ${p.col},${p.row} and ${q.col},${q.row} overlap`).toBe(false);
    }
  // inside, disjoint and of the same area: the union is exactly `expected`
  expect(area).toBe(expected.width * expected.height);
}

describe('visible tiles', () => {
  const img: Size = { width: 8192, height: 6001 };
  const css: Size = { width: 1400, height: 900 };
  const views: [string, View][] = [
    ['fit', { scale: 0.14, offsetX: 126.4, offsetY: 29.9 }],
    ['1:1 in the middle', { scale: 1, offsetX: -3000, offsetY: -2500 }],
    ['magnified over a tile corner', { scale: 7.3, offsetX: -7.3 * 1000.4, offsetY: -7.3 * 990.2 }],
    ['at the bottom-right edge', { scale: 0.6, offsetX: 1400 - 0.6 * 8192 + 37, offsetY: 900 - 0.6 * 6001 + 11 }],
    ['partly off the top-left', { scale: 2, offsetX: 300, offsetY: 200 }],
  ];
  for (const [name, view] of views) {
    it(`cover exactly the visible image rectangle at level 0 (${name})`, () => {
      const visible = visibleImageRect(view, css, img)!;
      expect(visible).not.toBeNull();
      expectExactCover(visibleTiles(visible, img, 0, 512), visible, 1, 512);
    });
  }

  it('at coarser levels cover the visible rectangle grown to whole level pixels', () => {
    const visible: Rect = { x: 1001, y: 3, width: 5000, height: 5997 }; // ends at the image's bottom edge
    for (const level of [1, 2, 3, 6]) {
      const f = 2 ** level;
      const x0 = Math.floor(visible.x / f) * f;
      const y0 = Math.floor(visible.y / f) * f;
      const x1 = Math.min(img.width, Math.ceil((visible.x + visible.width) / f) * f);
      const y1 = Math.min(img.height, Math.ceil((visible.y + visible.height) / f) * f);
      expectExactCover(visibleTiles(visible, img, level, 512), { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, f, 512);
    }
  });

  it('only the tiles in view: 1:1 in a 1400×900 window needs at most 4×3 tiles of 512', () => {
    const visible = visibleImageRect({ scale: 1, offsetX: -3000, offsetY: -2500 }, css, img)!;
    const tiles = visibleTiles(visible, img, 0, 512);
    expect(tiles.length).toBeLessThanOrEqual(4 * 3);
    expect(new Set(tiles.map((t) => t.col))).toEqual(new Set([5, 6, 7, 8]));
    expect(new Set(tiles.map((t) => t.row))).toEqual(new Set([4, 5, 6]));
  });

  it('nothing when the image is off screen', () => {
    expect(visibleImageRect({ scale: 1, offsetX: 2000, offsetY: 0 }, css, img)).toBeNull();
  });
});
