import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downsample2x } from './downsample';
import { TiledRaster, type PixelMap } from './tiled-raster';

/**
 * Node has no canvas: minimal stand-ins for OffscreenCanvas and ImageData that keep what putImageData put,
 * so the tests can read each tile's pixels back.
 */
class FakeImageData {
  readonly data: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(4 * width * height);
  }
}
class FakeCanvas {
  pixels: Uint32Array;
  puts = 0;
  constructor(
    public width: number,
    public height: number,
  ) {
    this.pixels = new Uint32Array(width * height);
  }
  getContext() {
    return {
      putImageData: (img: FakeImageData, dx: number, dy: number, sx: number, sy: number, sw: number, sh: number) => {
        expect([dx, dy, sx, sy, sw, sh]).toEqual([0, 0, 0, 0, this.width, this.height]);
        const src = new Uint32Array(img.data.buffer);
        for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) this.pixels[y * this.width + x] = src[y * img.width + x];
        this.puts++;
      },
    };
  }
}
const saved: Record<string, unknown> = {};
beforeAll(() => {
  const g = globalThis as Record<string, unknown>;
  for (const k of ['OffscreenCanvas', 'ImageData']) saved[k] = g[k];
  g.OffscreenCanvas = FakeCanvas;
  g.ImageData = FakeImageData;
});
afterAll(() => Object.assign(globalThis, saved));

/** A mapping whose output tells the value back: out = round(value) + offset. */
const shifted = (offset: number): PixelMap => (values, out) => {
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]) + offset;
};

function image(w: number, h: number): Float32Array {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = 1000 * y + x;
  return a;
}

describe('tiled raster', () => {
  const size = { width: 100, height: 70 };
  const values = image(size.width, size.height);

  it('a tile holds the mapped values of its part of the level, edge tiles cut to size', () => {
    // the whole pyramid built in the constructor, however slow the machine (the default slice is 12 ms)
    const r = new TiledRaster(values, size, shifted(0), { tileSize: 32, firstSliceMs: 1e9 });
    expect(r.readyLevels).toBe(r.levelCount); // built before the constructor returned
    const edge = r.tile(0, 3, 2) as unknown as FakeCanvas; // columns 96–99, rows 64–69
    expect([edge.width, edge.height]).toEqual([4, 6]);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 4; x++) expect(edge.pixels[y * 4 + x]).toBe(1000 * (64 + y) + 96 + x);
    const lvl1 = downsample2x(values, size.width, size.height); // 50×35
    const t = r.tile(1, 1, 0) as unknown as FakeCanvas; // columns 32–49, rows 0–31 of level 1
    expect([t.width, t.height]).toEqual([18, 32]);
    expect(t.pixels[5 * 18 + 3]).toBe(Math.round(lvl1[5 * 50 + 35]));
  });

  it('the same tile is kept between frames, and re-mapped once after the mapping changes', () => {
    const r = new TiledRaster(values, size, shifted(0), { tileSize: 32 });
    const a = r.tile(0, 1, 1) as unknown as FakeCanvas;
    r.endFrame();
    expect(r.tile(0, 1, 1)).toBe(a);
    expect(a.puts).toBe(1);
    r.setMap(shifted(7));
    expect(a.puts).toBe(1); // nothing happens until the tile is drawn again
    r.tile(0, 1, 1);
    r.tile(0, 1, 1);
    expect(a.puts).toBe(2);
    expect(a.pixels[0]).toBe(1000 * 32 + 32 + 7);
  });

  it('frees the least recently drawn tiles beyond the budget, never those of the current frame', () => {
    const tileBytes = 4 * 32 * 32;
    const r = new TiledRaster(values, size, shifted(0), { tileSize: 32, budgetBytes: 2 * tileBytes });
    const first = r.tile(0, 0, 0) as unknown as FakeCanvas;
    r.endFrame();
    const frame = [r.tile(0, 1, 0), r.tile(0, 2, 0), r.tile(0, 0, 1)] as unknown as FakeCanvas[];
    r.endFrame();
    expect(first.width).toBe(0); // freed: over budget and not in the last frame
    expect(frame.every((c) => c.width === 32)).toBe(true); // over budget, but all drawn in that frame
    expect(r.tileMemory).toBe(3 * tileBytes);
    r.tile(0, 1, 1);
    r.endFrame();
    expect(r.tileMemory).toBe(2 * tileBytes);
    expect(frame[0].width).toBe(0);
    expect(frame[1].width).toBe(0);
    expect(frame[2].width).toBe(32);
  });

  it('maps an image rectangle for pixel-by-pixel drawing', () => {
    const r = new TiledRaster(values, size, shifted(0));
    const rgba = r.rgbaRect({ x: 97, y: 10, width: 3, height: 2 });
    expect(Array.from(new Uint32Array(rgba.buffer, rgba.byteOffset, 6))).toEqual([10097, 10098, 10099, 11097, 11098, 11099]);
  });

  it('dispose frees every tile', () => {
    const r = new TiledRaster(values, size, shifted(0), { tileSize: 32, firstSliceMs: 1e9 }); // level 1 is there at once
    const tiles = [r.tile(0, 0, 0), r.tile(1, 0, 0)] as unknown as FakeCanvas[];
    r.dispose();
    expect(tiles.map((t) => t.width)).toEqual([0, 0]);
    expect(r.tileMemory).toBe(0);
  });

  it('a large image builds its pyramid after the constructor, telling as levels arrive', async () => {
    const big = { width: 1024, height: 1024 };
    let told = 0;
    const r = new TiledRaster(new Float32Array(big.width * big.height), big, shifted(0), { firstSliceMs: 0, onProgress: () => told++ });
    expect(r.readyLevels).toBe(1);
    expect(() => r.tile(r.levelCount - 1, 0, 0)).toThrow(/not built yet/);
    while (r.readyLevels < r.levelCount) await new Promise((res) => setTimeout(res, 5));
    expect(told).toBeGreaterThan(0);
    expect(r.pyramidMemory).toBe(4 * (512 ** 2 + 256 ** 2 + 128 ** 2 + 64 ** 2 + 32 ** 2));
    r.dispose();
  });
});
