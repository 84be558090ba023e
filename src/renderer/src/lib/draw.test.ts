import { describe, expect, it } from 'vitest';
import type { Size, View } from '../composables/useViewport';
import { drawView, PIXEL_EXACT_SCALE, type TileSource } from './draw';
import { levelSize, pyramidSizes, tileRect, type Rect } from './tiles';

interface DrawCall {
  tile: { level: number; col: number; row: number };
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/** A 2D context that records drawImage and fillRect calls (fillRect with the fill style at the time). */
function recordingContext(width: number, height: number) {
  const draws: DrawCall[] = [];
  const fills: { x: number; y: number; w: number; h: number; style: string }[] = [];
  const ctx = {
    canvas: { width, height },
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    imageSmoothingEnabled: true,
    imageSmoothingQuality: 'low',
    setTransform() {},
    fillRect(x: number, y: number, w: number, h: number) {
      fills.push({ x, y, w, h, style: String(ctx.fillStyle) });
    },
    strokeRect() {},
    drawImage(tile: unknown, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number) {
      draws.push({ tile: tile as DrawCall['tile'], sx, sy, sw, sh, dx, dy, dw, dh });
    },
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, draws, fills };
}

/** A tile source whose tiles are their own (level, col, row) and whose pixel colours come from a formula. */
function fakeSource(img: Size, ready?: number, tileSize = 64) {
  const levelCount = pyramidSizes(img).length;
  const rects: Rect[] = [];
  let frames = 0;
  const source: TileSource = {
    tileSize,
    levelCount,
    readyLevels: ready ?? levelCount,
    tile(level, col, row) {
      const r = tileRect(levelSize(img, level), col, row, tileSize);
      expect(r.width).toBeGreaterThan(0);
      expect(r.height).toBeGreaterThan(0);
      return { level, col, row } as unknown as CanvasImageSource;
    },
    rgbaRect(r) {
      rects.push(r);
      const out = new Uint8ClampedArray(4 * r.width * r.height);
      for (let y = 0; y < r.height; y++)
        for (let x = 0; x < r.width; x++) {
          const k = 4 * (y * r.width + x);
          out[k] = (r.x + x) % 256;
          out[k + 1] = (r.y + y) % 256;
          out[k + 2] = 7;
          out[k + 3] = 255;
        }
      return out;
    },
    endFrame() {
      frames++;
    },
  };
  return { source, rects, frames: () => frames };
}

/** Checks that the drawn tiles fill one device-pixel rectangle without a gap or an overlap. */
function expectSeamless(draws: DrawCall[], expected: { left: number; top: number; right: number; bottom: number }): void {
  let area = 0;
  for (const d of draws) {
    for (const v of [d.dx, d.dy, d.dw, d.dh]) expect(Number.isInteger(v)).toBe(true);
    area += d.dw * d.dh;
    expect(d.dx).toBeGreaterThanOrEqual(expected.left);
    expect(d.dy).toBeGreaterThanOrEqual(expected.top);
    expect(d.dx + d.dw).toBeLessThanOrEqual(expected.right);
    expect(d.dy + d.dh).toBeLessThanOrEqual(expected.bottom);
  }
  for (let a = 0; a < draws.length; a++)
    for (let b = a + 1; b < draws.length; b++) {
      const p = draws[a];
      const q = draws[b];
      const ox = Math.min(p.dx + p.dw, q.dx + q.dw) - Math.max(p.dx, q.dx);
      const oy = Math.min(p.dy + p.dh, q.dy + q.dh) - Math.max(p.dy, q.dy);
      expect(ox > 0 && oy > 0).toBe(false);
    }
  expect(area).toBe((expected.right - expected.left) * (expected.bottom - expected.top));
}

const css: Size = { width: 400, height: 300 };

describe('drawView from tiles', () => {
  const img: Size = { width: 2000, height: 1500 };

  it('a minified view draws only the chosen level, its tiles meeting without seams', () => {
    const view: View = { scale: 0.18, offsetX: 20.3, offsetY: 15.7 };
    const { source, frames } = fakeSource(img);
    const { ctx, draws } = recordingContext(400, 300);
    expect(drawView(ctx, { source, img, view, css, dpr: 1, hover: null })).toBe(2);
    expect(new Set(draws.map((d) => d.tile.level))).toEqual(new Set([2]));
    // level 2 is 500×375: 8×6 tiles of 64
    expect(draws.length).toBe(8 * 6);
    const ex = (u: number) => Math.round(view.offsetX + u * view.scale);
    const ey = (u: number) => Math.round(view.offsetY + u * view.scale);
    expectSeamless(draws, { left: ex(0), top: ey(0), right: ex(img.width), bottom: ey(img.height) });
    expect(ctx.imageSmoothingEnabled).toBe(true);
    expect(frames()).toBe(1);
  });

  it('at 1:1 draws the visible part of level-0 tiles, nearest-neighbour, pixel for pixel', () => {
    const view: View = { scale: 1, offsetX: -700, offsetY: -610 };
    const { source } = fakeSource(img);
    const { ctx, draws } = recordingContext(400, 300);
    expect(drawView(ctx, { source, img, view, css, dpr: 1, hover: null })).toBe(0);
    expect(ctx.imageSmoothingEnabled).toBe(false);
    for (const d of draws) {
      expect(d.dw).toBe(d.sw);
      expect(d.dh).toBe(d.sh);
      // the device pixel of image pixel (x, y) is offset + (x, y)
      expect(d.dx).toBe(-700 + d.tile.col * 64 + d.sx);
      expect(d.dy).toBe(-610 + d.tile.row * 64 + d.sy);
    }
    expectSeamless(draws, { left: 0, top: 0, right: 400, bottom: 300 });
  });

  it('a fractional magnification rounds tile edges to device pixels at dpr 1.5', () => {
    const view: View = { scale: 3.37, offsetX: -1234.5, offsetY: -999.9 };
    const { source } = fakeSource(img);
    const { ctx, draws } = recordingContext(600, 450);
    expect(drawView(ctx, { source, img, view, css, dpr: 1.5, hover: null })).toBe(0);
    const ex = (u: number) => Math.round(1.5 * (view.offsetX + u * view.scale));
    const ey = (u: number) => Math.round(1.5 * (view.offsetY + u * view.scale));
    const x0 = Math.floor(-view.offsetX / view.scale);
    const y0 = Math.floor(-view.offsetY / view.scale);
    const x1 = Math.ceil((css.width - view.offsetX) / view.scale);
    const y1 = Math.ceil((css.height - view.offsetY) / view.scale);
    expectSeamless(draws, { left: ex(x0), top: ey(y0), right: ex(x1), bottom: ey(y1) });
  });

  it('while the pyramid builds, draws nothing until the level it needs is there', () => {
    const view: View = { scale: 0.18, offsetX: 0, offsetY: 0 }; // wants level 2
    for (const ready of [1, 2]) {
      const { ctx, draws } = recordingContext(400, 300);
      expect(drawView(ctx, { source: fakeSource(img, ready).source, img, view, css, dpr: 1, hover: null })).toBe('none');
      expect(draws).toEqual([]);
    }
    const { ctx, draws } = recordingContext(400, 300);
    expect(drawView(ctx, { source: fakeSource(img, 3).source, img, view, css, dpr: 1, hover: null })).toBe(2);
    expect(draws.length).toBeGreaterThan(0);
    // a magnified view needs only level 0
    const zoomed = recordingContext(400, 300);
    expect(drawView(zoomed.ctx, { source: fakeSource(img, 1).source, img, view: { scale: 2, offsetX: -100, offsetY: -100 }, css, dpr: 1, hover: null })).toBe(0);
  });
});

describe('drawView pixel by pixel', () => {
  const img: Size = { width: 8192, height: 8192 };
  it('from PIXEL_EXACT_SCALE fills each visible pixel with its own colour, edges where the readout puts them', () => {
    const scale = PIXEL_EXACT_SCALE * 1.5;
    const view: View = { scale, offsetX: -4000.3 * scale, offsetY: -5000.6 * scale };
    const { source, rects } = fakeSource(img);
    const { ctx, fills, draws } = recordingContext(400, 300);
    expect(drawView(ctx, { source, img, view, css, dpr: 1, hover: null })).toBe('pixels');
    expect(draws).toEqual([]);
    expect(rects).toEqual([{ x: 4000, y: 5000, width: Math.ceil(400 / scale + 0.3), height: Math.ceil(300 / scale + 0.6) }]);
    // for sample screen points, the fill covering it has the colour of the pixel floor((s − offset) / scale)
    for (const [sx, sy] of [
      [0.5, 0.5],
      [200.5, 150.5],
      [399.5, 299.5],
      [123.5, 77.5],
    ]) {
      const px = Math.floor((sx - view.offsetX) / scale);
      const py = Math.floor((sy - view.offsetY) / scale);
      const hit = fills.filter((f) => f.style.startsWith('rgb(') && sx >= f.x && sx < f.x + f.w && sy >= f.y && sy < f.y + f.h);
      expect(hit.length).toBe(1);
      expect(hit[0].style).toBe(`rgb(${px % 256},${py % 256},7)`);
    }
  });
});
