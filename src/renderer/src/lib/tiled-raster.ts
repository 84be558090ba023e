/**
 * @file The display image behind an image canvas, as tiles of a mip pyramid rendered on demand.
 *
 * Note: Tiled display. A grey image or a field map is shown from its native float values through a per-pixel
 * mapping to RGBA (a contrast window, a colour map). One full-size 8-bit canvas would cost 256 MB for an
 * 8192² image, exceed what Chromium likes in one canvas, and make every minified frame resample 67 Mpx. So:
 * - a float pyramid (lib/pyramid.ts), each level the 2× box mean of the one below, built once per image in
 *   time slices between frames (a contrast change does not touch it);
 * - every level cut into TILE_SIZE² tiles (lib/tiles.ts), each mapped to RGBA into its own small canvas only
 *   when a frame needs it, and again only after the mapping changed (a generation count);
 * - a frame draws from the coarsest level with at least one pixel per device pixel, only the tiles in view;
 *   magnified views draw level 0, and from PIXEL_EXACT_SCALE up they map just the visible pixels and fill
 *   them one by one (lib/draw.ts), so pixel edges stay where the cursor readout puts them;
 * - tiles not drawn recently are freed beyond a memory budget, and all of them with the raster.
 */
import type { Size } from '../composables/useViewport';
import { PyramidBuilder } from './pyramid';
import { tileRect, TILE_SIZE, type Rect } from './tiles';

/** Maps native values to packed RGBA (ImageData layout), element by element: out[i] from values[i] only. */
export type PixelMap = (values: Float32Array, out: Uint32Array) => void;

/** Tile memory one raster keeps beyond the tiles of the current frame (RGBA bytes). */
export const TILE_BUDGET_BYTES = 128 * 1024 * 1024;
/** Pyramid building done before the constructor returns: small images are complete at once. */
const FIRST_SLICE_MS = 12;
/** Pyramid building per later slice, short enough to leave room for frames and input. */
const SLICE_MS = 10;

interface TileEntry {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
  generation: number;
  frame: number;
  bytes: number;
}

export interface TiledRasterOptions {
  tileSize?: number;
  budgetBytes?: number;
  /** pyramid building done in the constructor, ms (default FIRST_SLICE_MS) */
  firstSliceMs?: number;
  /** called (outside the constructor) each time more pyramid levels become ready */
  onProgress?: () => void;
}

export class TiledRaster {
  readonly tileSize: number;
  private map: PixelMap;
  private generation = 0;
  private readonly builder: PyramidBuilder;
  private readonly budget: number;
  private readonly onProgress?: () => void;
  private channel: MessageChannel | null = null;
  private readonly tiles = new Map<string, TileEntry>();
  private tileBytes = 0;
  private frame = 0;
  private tileValues: Float32Array | null = null;
  private tileImage: ImageData | null = null;
  private rectValues = new Float32Array(0);
  private rectOut = new Uint32Array(0);

  constructor(
    readonly values: Float32Array,
    readonly size: Size,
    map: PixelMap,
    opts: TiledRasterOptions = {},
  ) {
    this.map = map;
    this.tileSize = opts.tileSize ?? TILE_SIZE;
    this.budget = opts.budgetBytes ?? TILE_BUDGET_BYTES;
    this.onProgress = opts.onProgress;
    this.builder = new PyramidBuilder(values, size);
    this.builder.work(performance.now() + (opts.firstSliceMs ?? FIRST_SLICE_MS));
    if (!this.builder.done) this.buildInBackground();
  }

  get levelCount(): number {
    return this.builder.sizes.length;
  }

  /** Levels 0 … readyLevels − 1 can be drawn now. */
  get readyLevels(): number {
    return this.builder.levels.length;
  }

  /** RGBA bytes held by mapped tiles now. */
  get tileMemory(): number {
    return this.tileBytes;
  }

  /** Float bytes of the pyramid levels built beyond the source. */
  get pyramidMemory(): number {
    let n = 0;
    for (let k = 1; k < this.builder.levels.length; k++) n += this.builder.levels[k].byteLength;
    return n;
  }

  levelSize(level: number): Size {
    return this.builder.sizes[level];
  }

  /** Takes a new mapping (contrast, colour map): tiles are re-mapped when next drawn, the pyramid stays. */
  setMap(map: PixelMap): void {
    this.map = map;
    this.generation++;
  }

  /** Tile (col, row) of a ready level, mapped with the current mapping; marks it as used by this frame. */
  tile(level: number, col: number, row: number): CanvasImageSource {
    if (level >= this.readyLevels) throw new RangeError(`Pyramid level ${level} is not built yet (${this.readyLevels} of ${this.levelCount} are); check readyLevels first.`);
    const key = `${level}/${col}/${row}`;
    let e = this.tiles.get(key);
    if (e) {
      this.tiles.delete(key); // re-inserted below: Map order is least recently used first
    } else {
      const r = tileRect(this.builder.sizes[level], col, row, this.tileSize);
      const canvas = new OffscreenCanvas(r.width, r.height);
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('This browser cannot draw into an OffscreenCanvas, which the image display needs.');
      e = { canvas, ctx, generation: -1, frame: 0, bytes: 4 * r.width * r.height };
      this.tileBytes += e.bytes;
    }
    if (e.generation !== this.generation) this.render(e, level, col, row);
    e.frame = this.frame;
    this.tiles.set(key, e);
    return e.canvas;
  }

  /** RGBA bytes of an image rectangle (level 0), row-major, for drawing pixels one by one. Valid until the next call. */
  rgbaRect(r: Rect): Uint8ClampedArray {
    const n = r.width * r.height;
    if (this.rectValues.length < n) {
      this.rectValues = new Float32Array(n);
      this.rectOut = new Uint32Array(n);
    }
    const w = this.size.width;
    for (let y = 0; y < r.height; y++) {
      const a = (r.y + y) * w + r.x;
      this.rectValues.set(this.values.subarray(a, a + r.width), y * r.width);
    }
    this.map(this.rectValues.subarray(0, n), this.rectOut.subarray(0, n));
    return new Uint8ClampedArray(this.rectOut.buffer, 0, 4 * n);
  }

  /** Ends a frame: frees least recently drawn tiles beyond the budget, never one this frame drew. */
  endFrame(): void {
    for (const [key, e] of this.tiles) {
      if (this.tileBytes <= this.budget || e.frame === this.frame) break;
      this.free(key, e);
    }
    this.frame++;
  }

  /** Stops building and frees every tile. */
  dispose(): void {
    this.channel?.port1.close();
    this.channel = null;
    for (const [key, e] of this.tiles) this.free(key, e);
    this.tileValues = null;
    this.tileImage = null;
  }

  private free(key: string, e: TileEntry): void {
    // shrinking the canvas releases its backing store now rather than at garbage collection
    e.canvas.width = 0;
    e.canvas.height = 0;
    this.tileBytes -= e.bytes;
    this.tiles.delete(key);
  }

  private render(e: TileEntry, level: number, col: number, row: number): void {
    const t = this.tileSize;
    const size = this.builder.sizes[level];
    const src = this.builder.levels[level];
    const r = tileRect(size, col, row, t);
    if (!this.tileValues || !this.tileImage) {
      this.tileValues = new Float32Array(t * t);
      this.tileImage = new ImageData(t, t);
    }
    // Gathered with the full tile's row stride, so one mapping call covers the tile; the columns past an
    // edge tile's width hold leftovers that are mapped but never put.
    for (let y = 0; y < r.height; y++) {
      const a = (r.y + y) * size.width + r.x;
      this.tileValues.set(src.subarray(a, a + r.width), y * t);
    }
    const n = t * r.height;
    this.map(this.tileValues.subarray(0, n), new Uint32Array(this.tileImage.data.buffer, 0, n));
    e.ctx.putImageData(this.tileImage, 0, 0, 0, 0, r.width, r.height);
    e.generation = this.generation;
  }

  private buildInBackground(): void {
    // A MessageChannel task runs as soon as the event loop is free, without setTimeout's 4 ms clamp, and
    // still lets frames and input in between slices.
    const channel = new MessageChannel();
    this.channel = channel;
    channel.port1.onmessage = () => {
      if (this.channel !== channel) return;
      const completed = this.builder.work(performance.now() + SLICE_MS);
      if (this.builder.done) {
        channel.port1.close();
        this.channel = null;
      } else {
        channel.port2.postMessage(null);
      }
      if (completed) this.onProgress?.();
    };
    channel.port2.postMessage(null);
  }
}
