/**
 * @file Page object for the X-ray phase workspace (test ids from src/renderer, listed in its README).
 * Canvas positions come from the transform each canvas publishes (data-view-scale, data-view-offset-x/y):
 * `screen = offset + scale · image`, pixel x covering image coordinates [x, x+1).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { DicPage } from './dic-page';

export type XrayCanvas = 'xray-ref-canvas' | 'xray-sample-canvas' | 'xray-map-canvas';

export class XrayPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-xpci').click();
    await expect(this.id('workspace-xpci')).toBeVisible();
    await expect(this.id('xray-run')).toBeVisible();
  }

  async openImage(which: 'ref' | 'sample', path: string): Promise<void> {
    await this.id(`xray-${which}-path`).fill(path);
    await this.id(`xray-${which}-open`).click();
    await expect(this.id(`xray-${which}-info`)).toBeVisible();
  }

  /** Drops a file on an element (a slot row or an image pane) the way a file manager does; see DicPage.dropFile. */
  async dropFile(testId: string, name: string, bytes: Buffer): Promise<void> {
    await new DicPage(this.page).dropFile(testId, name, bytes);
  }

  async setGeometry(g: { pixelUm?: string; distanceM?: string; energyKeV?: string; sourceDistanceM?: string; delta?: string }): Promise<void> {
    for (const [k, v] of Object.entries(g)) await this.id(`xray-geom-${k}`).fill(v);
  }

  async run(state: 'done' | 'failed' | 'cancelled' = 'done', timeout = 60_000): Promise<void> {
    await this.id('xray-run').click();
    await expect(this.id('xray-run-state')).toHaveAttribute('data-state', state, { timeout });
  }

  async pointAt(canvas: XrayCanvas, ix: number, iy: number): Promise<{ px: number; py: number }> {
    const c = this.id(canvas);
    await expect(c).toHaveAttribute('data-view-scale', /\d/);
    const box = await c.boundingBox();
    if (!box) throw new Error(`${canvas} is not visible`);
    const attr = async (n: string) => Number(await c.getAttribute(n));
    const [scale, ox, oy] = [await attr('data-view-scale'), await attr('data-view-offset-x'), await attr('data-view-offset-y')];
    return { px: box.x + ox + scale * ix, py: box.y + oy + scale * iy };
  }

  /** Hovers pixel (x, y) of the map: the readout's text and its exact stored value (data-value). */
  async readAt(x: number, y: number): Promise<{ text: string; value: number }> {
    const p = await this.pointAt('xray-map-canvas', x + 0.5, y + 0.5);
    await this.page.mouse.move(p.px, p.py);
    await expect(this.id('xray-readout-x')).toHaveText(String(x));
    await expect(this.id('xray-readout-y')).toHaveText(String(y));
    const el = this.id('xray-readout-value');
    return { text: ((await el.textContent()) ?? '').trim(), value: Number(await el.getAttribute('data-value')) };
  }

  /** Draws a profile line with the Line tool between pixel centres (x0, y0) and (x1, y1). */
  async drawLine(x0: number, y0: number, x1: number, y1: number): Promise<void> {
    await this.id('xray-tool-line').click();
    const a = await this.pointAt('xray-map-canvas', x0 + 0.5, y0 + 0.5);
    const b = await this.pointAt('xray-map-canvas', x1 + 0.5, y1 + 0.5);
    await this.page.mouse.move(a.px, a.py);
    await this.page.mouse.down();
    await this.page.mouse.move((a.px + b.px) / 2, (a.py + b.py) / 2, { steps: 4 });
    await this.page.mouse.move(b.px, b.py, { steps: 4 });
    await this.page.mouse.up();
  }
}
