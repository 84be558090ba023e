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
}
