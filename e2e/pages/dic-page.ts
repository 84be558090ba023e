/**
 * @file Page object for the Speckle / DIC workspace (test ids from src/renderer, listed in its README).
 * Canvas positions come from the transform each canvas publishes (data-view-scale, data-view-offset-x/y):
 * `screen = offset + scale · image`, pixel x covering image coordinates [x, x+1).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export type DicCanvas = 'dic-ref-canvas' | 'dic-def-canvas' | 'dic-map-canvas' | 'dic-compare-prev-canvas' | 'dic-compare-cur-canvas' | 'dic-compare-diff-canvas';

/** The methods of the method select (values as the contract names them). */
export type DicMethod = 'icgn' | 'zncc' | 'umpa' | 'cnn-dic' | 'cnn-xst' | 'cnn+icgn';

export interface Readout {
  x: number;
  y: number;
  /** the texts as shown (with units, or "not measured") */
  uText: string;
  vText: string;
  /** exact numbers from data-value (NaN when not measured) */
  u: number;
  v: number;
}

export class DicPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-dic').click();
    await expect(this.id('workspace-dic')).toBeVisible();
    await expect(this.id('dic-run')).toBeVisible();
  }

  /** Opens an image into the reference or deformed slot by its path, and waits until it is shown. */
  async openImage(which: 'ref' | 'def', path: string): Promise<void> {
    await this.id(`dic-${which}-path`).fill(path);
    await this.id(`dic-${which}-open`).click();
    const name = path.split(/[\\/]/).pop()!;
    await expect(this.id(`dic-${which}-info`)).toContainText(name);
  }

  async loadPair(ref: string, def: string): Promise<void> {
    await this.openImage('ref', ref);
    await this.openImage('def', def);
  }

  /**
   * Drops a file on an element the way a file manager does (dragenter, dragover, drop with a DataTransfer
   * holding the file), so the renderer uploads it through lab.pathForFile.
   */
  async dropFile(testId: string, name: string, bytes: Buffer): Promise<void> {
    await this.id(testId).evaluate(
      (el, { name, b64 }) => {
        // runs in the page; typed loosely because the e2e project compiles without the DOM library
        const w = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown }) => unknown;
          File: new (parts: unknown[], name: string, opts: { type: string }) => unknown;
          atob(s: string): string;
        };
        const data = Uint8Array.from(w.atob(b64), (c) => c.charCodeAt(0));
        const dt = new w.DataTransfer();
        dt.items.add(new w.File([data], name, { type: 'image/tiff' }));
        const target = el as unknown as { dispatchEvent(e: unknown): boolean };
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new w.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
        }
      },
      { name, b64: bytes.toString('base64') },
    );
  }

  async transform(canvas: DicCanvas): Promise<{ box: { x: number; y: number }; scale: number; ox: number; oy: number }> {
    const c = this.id(canvas);
    await expect(c).toHaveAttribute('data-view-scale', /\d/);
    const box = await c.boundingBox();
    if (!box) throw new Error(`${canvas} is not visible`);
    const attr = async (n: string) => Number(await c.getAttribute(n));
    return { box, scale: await attr('data-view-scale'), ox: await attr('data-view-offset-x'), oy: await attr('data-view-offset-y') };
  }

  /** Screen point of image coordinate (ix, iy) (continuous: pixel edges at integers). */
  async pointAt(canvas: DicCanvas, ix: number, iy: number): Promise<{ px: number; py: number }> {
    const t = await this.transform(canvas);
    return { px: t.box.x + t.ox + t.scale * ix, py: t.box.y + t.oy + t.scale * iy };
  }

  /** Draws a ROI with the ROI tool by dragging on the reference between image coordinates (pixel edges). */
  async drawRoi(x0: number, y0: number, x1: number, y1: number): Promise<void> {
    await this.id('dic-tab-images').click();
    await this.id('dic-tool-roi').click();
    const a = await this.pointAt('dic-ref-canvas', x0, y0);
    const b = await this.pointAt('dic-ref-canvas', x1, y1);
    await this.page.mouse.move(a.px, a.py);
    await this.page.mouse.down();
    await this.page.mouse.move((a.px + b.px) / 2, (a.py + b.py) / 2, { steps: 4 });
    await this.page.mouse.move(b.px, b.py, { steps: 4 });
    await this.page.mouse.up();
  }

  /**
   * Draws a polygon with the Polygon (or Exclude) tool by clicking its vertices (image coordinates, pixel
   * corners) on the reference, then closes it: on its first vertex, by double-clicking the last, or with
   * Enter; 'escape' abandons it instead.
   */
  async drawPolygon(
    points: [number, number][],
    opts: { tool?: 'polygon' | 'exclude'; close?: 'first' | 'dblclick' | 'enter' | 'escape'; beforeClose?: () => Promise<void> } = {},
  ): Promise<void> {
    const close = opts.close ?? 'first';
    await this.id('dic-tab-images').click();
    await this.id(`dic-roi-${opts.tool ?? 'polygon'}`).click();
    for (const [k, [x, y]] of points.entries()) {
      const p = await this.pointAt('dic-ref-canvas', x, y);
      await this.page.mouse.move(p.px, p.py, { steps: 2 });
      if (close === 'dblclick' && k === points.length - 1) await this.page.mouse.dblclick(p.px, p.py);
      else await this.page.mouse.click(p.px, p.py);
    }
    await opts.beforeClose?.();
    if (close === 'first') {
      const p = await this.pointAt('dic-ref-canvas', points[0][0], points[0][1]);
      await this.page.mouse.move(p.px, p.py, { steps: 2 });
      await this.page.mouse.click(p.px, p.py);
    } else if (close === 'enter' || close === 'escape') {
      await this.page.keyboard.press(close === 'enter' ? 'Enter' : 'Escape');
    }
  }

  /** Drags a polygon vertex on the reference from one image point to another. */
  async dragVertex(from: [number, number], to: [number, number]): Promise<void> {
    const a = await this.pointAt('dic-ref-canvas', from[0], from[1]);
    const b = await this.pointAt('dic-ref-canvas', to[0], to[1]);
    await this.page.mouse.move(a.px, a.py);
    await this.page.mouse.down();
    await this.page.mouse.move(b.px, b.py, { steps: 4 });
    await this.page.mouse.up();
  }

  async roi(): Promise<{ x: string; y: string; w: string; h: string }> {
    return {
      x: await this.id('dic-roi-x').inputValue(),
      y: await this.id('dic-roi-y').inputValue(),
      w: await this.id('dic-roi-w').inputValue(),
      h: await this.id('dic-roi-h').inputValue(),
    };
  }

  async setMethod(
    method: DicMethod,
    params: {
      window?: number | string;
      search?: number | string;
      model?: string;
      passes?: number | string;
      /** orientations averaged on the last CNN pass: 1, 4 or 8 (a select) */
      symmetry?: 1 | 4 | 8;
      step?: number | string;
      strain?: number | string;
    } = {},
  ): Promise<void> {
    await this.id('dic-method').selectOption(method);
    if (params.window !== undefined) await this.id('dic-window').fill(String(params.window));
    if (params.search !== undefined) await this.id('dic-search').fill(String(params.search));
    if (params.model !== undefined) await this.id('dic-model').selectOption(params.model);
    if (params.passes !== undefined) await this.id('dic-passes').fill(String(params.passes));
    if (params.symmetry !== undefined) await this.id('dic-symmetry').selectOption(String(params.symmetry));
    if (params.step !== undefined) await this.id('dic-step').fill(String(params.step));
    if (params.strain !== undefined) await this.id('dic-strain-window').fill(String(params.strain));
  }

  /** Clicks Run and waits for the run to end in `state` (default done). */
  async run(state: 'done' | 'failed' | 'cancelled' = 'done', timeout = 60_000): Promise<void> {
    await this.id('dic-run').click();
    await expect(this.id('dic-run-state')).toHaveAttribute('data-state', state, { timeout });
  }

  /** Hovers pixel (x, y) of a canvas and returns the readout. */
  async readAt(canvas: DicCanvas, x: number, y: number): Promise<Readout> {
    const p = await this.pointAt(canvas, x + 0.5, y + 0.5);
    await this.page.mouse.move(p.px, p.py);
    await expect(this.id('dic-readout-x')).toHaveText(String(x));
    await expect(this.id('dic-readout-y')).toHaveText(String(y));
    // u and v are in the readout only while a result is shown
    const present = async (id: string) => (await this.id(id).count()) > 0;
    const text = async (id: string) => ((await present(id)) ? ((await this.id(id).textContent()) ?? '').trim() : '');
    const value = async (id: string) => ((await present(id)) ? Number(await this.id(id).getAttribute('data-value')) : Number.NaN);
    return { x, y, uText: await text('dic-readout-u'), vText: await text('dic-readout-v'), u: await value('dic-readout-u'), v: await value('dic-readout-v') };
  }

  /** The model select's choices, as values (model ids). */
  async modelChoices(): Promise<string[]> {
    return this.id('dic-model').locator('option').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  }

  /** The symmetry select's values, in the order offered. */
  async symmetryChoices(): Promise<string[]> {
    return this.id('dic-symmetry').locator('option').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  }

  async resultDir(): Promise<string> {
    return this.id('dic-result-path').inputValue();
  }
}
