/**
 * @file The browser side of `npm run bench -- display` (bench/display.ts), bundled by esbuild and injected
 * into the page as `globalThis.displayBench`. It times the tiled display (lib/tiled-raster.ts, drawn by
 * lib/draw.ts) against the previous one: a single full-size 8-bit canvas, rebuilt by mapping every pixel on
 * each contrast change and drawn with one drawImage of its visible part (kept here, as the baseline only).
 *
 * Every timed frame ends with a 1-pixel getImageData, which waits until Chromium has really drawn the
 * frame; without it canvas calls only record work and the times would say little. Both paths pay it.
 *
 * A `.mts` file so that the Node type check (tsconfig.node.json, `bench/**\/*.ts`, no DOM) leaves it out:
 * it runs in the page, where the DOM exists. It is type-checked against the DOM with
 * `npx tsc -p bench/tsconfig.display-page.json`.
 */
import { fitView, type Size, type View } from '../src/renderer/src/composables/useViewport';
import { renderGrey, type ContrastWindow } from '../src/renderer/src/lib/contrast';
import { drawView } from '../src/renderer/src/lib/draw';
import { TiledRaster } from '../src/renderer/src/lib/tiled-raster';
import { visibleRange } from '../src/renderer/src/lib/tiles';
import type { PathResult } from './display-types';

/** The same image as the e2e test: a ramp with a one-pixel checkerboard (uint16 range). */
export function benchValue(x: number, y: number): number {
  return 4 * x + 2 * y + 8000 * ((x + y) & 1);
}

interface DisplayPath {
  /** shows `view` on ctx; false when nothing could be drawn yet */
  draw(ctx: CanvasRenderingContext2D, view: View): boolean;
  setWindow(w: ContrastWindow): void;
  /** bytes this path holds beyond the float pixels */
  memory(): number;
  dispose(): void;
}

/** The previous display, for comparison: one full-size RGBA canvas. */
class FullCanvasPath implements DisplayPath {
  private canvas: HTMLCanvasElement | null;
  private image: ImageData | null;
  constructor(
    private readonly values: Float32Array,
    private readonly size: Size,
    w: ContrastWindow,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = size.width;
    this.canvas.height = size.height;
    this.image = this.canvas.getContext('2d')!.createImageData(size.width, size.height);
    this.setWindow(w);
  }
  setWindow(w: ContrastWindow): void {
    const img = this.image!;
    renderGrey(this.values, w, new Uint32Array(img.data.buffer, 0, this.size.width * this.size.height));
    this.canvas!.getContext('2d')!.putImageData(img, 0, 0);
  }
  draw(ctx: CanvasRenderingContext2D, view: View): boolean {
    clear(ctx);
    const [x0, x1] = visibleRange(view.offsetX, view.scale, ctx.canvas.width, this.size.width);
    const [y0, y1] = visibleRange(view.offsetY, view.scale, ctx.canvas.height, this.size.height);
    if (x1 <= x0 || y1 <= y0) return true;
    ctx.imageSmoothingEnabled = view.scale < 1;
    ctx.imageSmoothingQuality = 'medium';
    const dx = view.offsetX + x0 * view.scale;
    const dy = view.offsetY + y0 * view.scale;
    ctx.drawImage(this.canvas!, x0, y0, x1 - x0, y1 - y0, dx, dy, (x1 - x0) * view.scale, (y1 - y0) * view.scale);
    return true;
  }
  memory(): number {
    // the ImageData and the canvas's own backing store
    return 2 * 4 * this.size.width * this.size.height;
  }
  dispose(): void {
    if (this.canvas) this.canvas.width = this.canvas.height = 0;
    this.canvas = null;
    this.image = null;
  }
}

class TiledPath implements DisplayPath {
  readonly raster: TiledRaster;
  constructor(
    values: Float32Array,
    private readonly size: Size,
    w: ContrastWindow,
  ) {
    this.raster = new TiledRaster(values, size, (v, out) => renderGrey(v, w, out));
  }
  setWindow(w: ContrastWindow): void {
    this.raster.setMap((v, out) => renderGrey(v, w, out));
  }
  draw(ctx: CanvasRenderingContext2D, view: View): boolean {
    const css = { width: ctx.canvas.width, height: ctx.canvas.height };
    return drawView(ctx, { source: this.raster, img: this.size, view, css, dpr: 1, hover: null }) !== 'none';
  }
  memory(): number {
    return this.raster.pyramidMemory + this.raster.tileMemory;
  }
  dispose(): void {
    this.raster.dispose();
  }
}

function clear(ctx: CanvasRenderingContext2D): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#15171a';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

function flush(ctx: CanvasRenderingContext2D): void {
  ctx.getImageData(0, 0, 1, 1);
}

const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Longest stretch the main thread was busy without a break while `fn` runs, in ms: the largest gap between
 * beats of a zero-delay message loop, which any other task (input, a frame) would have had to wait out.
 */
async function longestBlockDuring<T>(fn: () => Promise<T>): Promise<{ result: T; longest: number }> {
  let last = performance.now();
  let longest = 0;
  let beating = true;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    if (beating) channel.port2.postMessage(null);
  };
  channel.port2.postMessage(null);
  const result = await fn();
  await new Promise<void>((r) => {
    beating = false;
    channel.port1.onmessage = () => {
      longest = Math.max(longest, performance.now() - last);
      r();
    };
    channel.port2.postMessage(null);
  });
  channel.port1.close();
  return { result, longest };
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

let state: { values: Float32Array; size: Size; ctx: CanvasRenderingContext2D } | null = null;

/** Makes the n × n image and a viewport canvas of the given CSS size (dpr 1). */
export function setup(n: number, viewport: Size): void {
  const values = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) values[y * n + x] = benchValue(x, y);
  const canvas = document.createElement('canvas');
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  document.body.appendChild(canvas);
  state = { values, size: { width: n, height: n }, ctx: canvas.getContext('2d', { alpha: false })! };
}

/** Times one display path: first picture at fit, a contrast change at fit and at 1:1, `frames` pan frames at each. */
export async function measure(kind: 'full' | 'tiled', frames: number): Promise<PathResult> {
  if (!state) throw new Error('Call setup(n, viewport) first.');
  const { values, size, ctx } = state;
  const css = { width: ctx.canvas.width, height: ctx.canvas.height };
  const fit = fitView(size, css);
  const center = { scale: 1, offsetX: Math.round(css.width / 2 - size.width / 2), offsetY: Math.round(css.height / 2 - size.height / 2) };
  const w0 = { lo: 0, hi: 65535 };

  let path: DisplayPath | null = null;
  const t0 = performance.now();
  const { longest } = await longestBlockDuring(async () => {
    path = kind === 'full' ? new FullCanvasPath(values, size, w0) : new TiledPath(values, size, w0);
    while (!path.draw(ctx, fit)) await nextTask();
    flush(ctx);
  });
  const firstPictureMs = performance.now() - t0;
  const p = path! as DisplayPath;
  if (p instanceof TiledPath) while (p.raster.readyLevels < p.raster.levelCount) await nextTask();

  const timeContrast = (view: View, w: ContrastWindow) => {
    p.draw(ctx, view);
    flush(ctx);
    const t = performance.now();
    p.setWindow(w);
    p.draw(ctx, view);
    flush(ctx);
    return performance.now() - t;
  };
  const contrastFitMs = timeContrast(fit, { lo: 5000, hi: 50000 });
  const contrastOneToOneMs = timeContrast(center, { lo: 1000, hi: 60000 });

  const pan = (start: View, dx: number, dy: number) => {
    p.draw(ctx, start);
    flush(ctx);
    const times: number[] = [];
    for (let i = 1; i <= frames; i++) {
      const t = performance.now();
      p.draw(ctx, { scale: start.scale, offsetX: start.offsetX + i * dx, offsetY: start.offsetY + i * dy });
      flush(ctx);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
  };
  const panFit = pan(fit, 3, 2);
  const panOneToOne = pan(center, 9, 6);
  const memoryMiB = p.memory() / 2 ** 20;
  p.dispose();
  return {
    path: kind === 'full' ? 'full canvas (previous)' : 'tiles + pyramid',
    firstPictureMs,
    firstPictureLongestBlockMs: longest,
    contrastFitMs,
    contrastOneToOneMs,
    panFit,
    panOneToOne,
    memoryMiB,
  };
}

/**
 * In the real app (browser harness): clicks "Open path" (the path must already be typed in) and reports,
 * in ms after the click, when the pixels reached the renderer, when the Viewer's canvas first showed the
 * image and when its pyramid was complete (frame resolution: checked once per animation frame).
 */
export async function openInApp(): Promise<{ pixelsMs: number; firstPictureMs: number; allLevelsMs: number }> {
  const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer-canvas"]');
  const button = document.querySelector<HTMLButtonElement>('[data-testid="open-path-button"]');
  if (!canvas || !button) throw new Error('The Viewer is not showing: open it before timing.');
  const t0 = performance.now();
  button.click();
  let pixelsMs = Number.NaN;
  let firstPictureMs = Number.NaN;
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    const t = performance.now() - t0;
    // data-levels appears with the display image, i.e. once the pixels are in the renderer
    if (Number.isNaN(pixelsMs) && canvas.dataset.levels) pixelsMs = t;
    const drawn = canvas.dataset.drawn;
    if (Number.isNaN(firstPictureMs) && drawn && drawn !== 'none') firstPictureMs = t;
    const m = /^(\d+)\/(\d+)$/.exec(canvas.dataset.levels ?? '');
    if (!Number.isNaN(firstPictureMs) && m && m[1] === m[2]) return { pixelsMs, firstPictureMs, allLevelsMs: t };
    if (t > 300_000) throw new Error('The image did not show within 5 minutes.');
  }
}
