/**
 * @file Page object for the Viewer workspace and the status bar (test ids from src/renderer).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class ViewerPage {
  readonly canvas: Locator;
  constructor(readonly page: Page) {
    this.canvas = page.getByTestId('viewer-canvas');
  }

  async openPath(path: string): Promise<void> {
    await this.page.getByTestId('nav-viewer').click();
    await this.page.getByTestId('open-path-input').fill(path);
    await this.page.getByTestId('open-path-button').click();
  }

  async expectSize(width: number, height: number): Promise<void> {
    await expect(this.page.getByTestId('image-size')).toHaveText(new RegExp(`^\\s*${width}\\s*×\\s*${height}\\s*$`));
  }

  /** Screen point over the centre of image pixel (x, y), from the transform the canvas publishes. */
  async pointOverPixel(x: number, y: number): Promise<{ px: number; py: number }> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('viewer canvas is not visible');
    const attr = async (n: string) => Number(await this.canvas.getAttribute(n));
    const scale = await attr('data-view-scale');
    const ox = await attr('data-view-offset-x');
    const oy = await attr('data-view-offset-y');
    // Pixel (x, y) covers image coordinates [x, x+1) × [y, y+1) in the viewer's transform.
    return { px: box.x + ox + scale * (x + 0.5), py: box.y + oy + scale * (y + 0.5) };
  }

  /** Hovers pixel (x, y) and returns what the readout shows. */
  async readPixel(x: number, y: number): Promise<{ x: number; y: number; value: number; text: string }> {
    const { px, py } = await this.pointOverPixel(x, y);
    await this.page.mouse.move(px, py);
    await expect(this.page.getByTestId('readout-x')).toHaveText(String(x));
    await expect(this.page.getByTestId('readout-y')).toHaveText(String(y));
    const text = (await this.page.getByTestId('readout-value').textContent())?.trim() ?? '';
    return {
      x: Number(await this.page.getByTestId('readout-x').textContent()),
      y: Number(await this.page.getByTestId('readout-y').textContent()),
      value: Number(text),
      text,
    };
  }

  async zoomIn(times: number): Promise<void> {
    await this.canvas.hover();
    for (let i = 0; i < times; i++) await this.page.keyboard.press('+');
  }

  /** The transform the canvas publishes (see Note: Viewer coordinates). */
  async view(): Promise<{ scale: number; offsetX: number; offsetY: number }> {
    const attr = async (n: string) => Number(await this.canvas.getAttribute(n));
    return { scale: await attr('data-view-scale'), offsetX: await attr('data-view-offset-x'), offsetY: await attr('data-view-offset-y') };
  }

  /** Types a manual display window into the contrast fields. */
  async setContrast(lo: number, hi: number): Promise<void> {
    await this.page.getByTestId('contrast-min').fill(String(lo));
    await this.page.getByTestId('contrast-max').fill(String(hi));
    await this.page.getByTestId('contrast-max').blur();
  }

  /** Waits until every pyramid level is built and the last frame drew the image (data-levels, data-drawn). */
  async waitForPicture(timeout = 60_000): Promise<void> {
    await expect(this.canvas).toHaveAttribute('data-levels', /^(\d+)\/\1$/, { timeout });
    await expect(this.canvas).not.toHaveAttribute('data-drawn', 'none', { timeout });
  }

  /** Drags with the left button (which pans in the Viewer) by (dx, dy) CSS px from the canvas centre, in steps. */
  async pan(dx: number, dy: number, steps = 8): Promise<void> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('viewer canvas is not visible');
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + dx, y + dy, { steps });
    await this.page.mouse.up();
  }

  /**
   * RGBA of the canvas at the centre of image pixel (x, y), read back after the next two frames (so the
   * latest view has been drawn). Device pixels: the harness runs at devicePixelRatio 1.
   */
  async canvasPixelAt(x: number, y: number): Promise<number[]> {
    const v = await this.view();
    const sx = Math.floor(v.offsetX + v.scale * (x + 0.5));
    const sy = Math.floor(v.offsetY + v.scale * (y + 0.5));
    return this.canvas.evaluate(
      async (el, [px, py]) => {
        // runs in the page; typed loosely because the e2e project compiles without the DOM library
        const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): number }).requestAnimationFrame;
        await new Promise<void>((r) => raf(() => raf(r)));
        const c = el as unknown as { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
        return Array.from(c.getContext('2d').getImageData(px, py, 1, 1).data);
      },
      [sx, sy],
    );
  }
}
