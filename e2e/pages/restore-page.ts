/**
 * @file Page object for the Restoration workspace (test ids from src/renderer, listed in its README).
 * Canvas positions come from the transform each canvas publishes (data-view-scale, data-view-offset-x/y):
 * `screen = offset + scale · image`, pixel x covering image coordinates [x, x+1) of the frame (the
 * output's grid; for super-resolution the input is shown enlarged on it).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export type RestoreCanvas = 'restore-canvas-before' | 'restore-canvas-after' | 'restore-canvas-toggle';

export class RestorePage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-restore').click();
    await expect(this.id('workspace-restore')).toBeVisible();
    await expect(this.id('restore-run')).toBeVisible();
  }

  /** Opens the image to restore (`in`) or the reference (`ref`) by path and waits until it is shown. */
  async openImage(which: 'in' | 'ref', path: string): Promise<void> {
    await this.id(`restore-${which}-path`).fill(path);
    await this.id(`restore-${which}-open`).click();
    await expect(this.id(`restore-${which}-info`)).toContainText(path.split(/[\\/]/).pop()!);
  }

  async deblur(method: 'midnet' | 'nafnet' | 'richardson-lucy'): Promise<void> {
    await this.id('restore-mode-deblur').click();
    await this.id('restore-method').selectOption(method);
  }

  async superResolve(method: 'usrnet' | 'fsrcnn' | 'espcn' | 'bicubic', scale: 2 | 3 | 4): Promise<void> {
    await this.id('restore-mode-sr').click();
    await this.id('restore-method').selectOption(method);
    await this.id(`restore-scale-${scale}`).click();
  }

  /** Clicks Run and waits for the run to end in `state`. */
  async run(state: 'done' | 'failed' | 'cancelled' = 'done', timeout = 80_000): Promise<void> {
    const before = state === 'done' && (await this.id('restore-result-dir').count()) ? await this.resultDir() : null;
    await this.id('restore-run').click();
    if (state === 'done') {
      // A fast run (bicubic on a small image) can be done before 'running' is ever seen: a new result folder
      // is what tells this run's end from the previous one's.
      await expect(this.id('restore-run-state')).toHaveAttribute('data-state', 'done', { timeout });
      await expect.poll(() => this.resultDir(), { timeout }).not.toBe(before ?? '');
      return;
    }
    await expect(this.id('restore-run-state')).toHaveAttribute('data-state', 'running');
    await expect(this.id('restore-run-state')).toHaveAttribute('data-state', state, { timeout });
  }

  async resultDir(): Promise<string> {
    return ((await this.id('restore-result-dir').textContent()) ?? '').trim();
  }

  async transform(canvas: RestoreCanvas): Promise<{ box: { x: number; y: number; width: number; height: number }; scale: number; ox: number; oy: number }> {
    const c = this.id(canvas);
    await expect(c).toHaveAttribute('data-view-scale', /\d/);
    const box = await c.boundingBox();
    if (!box) throw new Error(`${canvas} is not visible`);
    const attr = async (n: string) => Number(await c.getAttribute(n));
    return { box, scale: await attr('data-view-scale'), ox: await attr('data-view-offset-x'), oy: await attr('data-view-offset-y') };
  }

  /** Hovers frame pixel (x, y) on a canvas and returns the readout's exact before / after values. */
  async readAt(canvas: RestoreCanvas, x: number, y: number): Promise<{ before: number; after: number }> {
    const t = await this.transform(canvas);
    await this.page.mouse.move(t.box.x + t.ox + t.scale * (x + 0.5), t.box.y + t.oy + t.scale * (y + 0.5));
    await expect(this.id('restore-readout-x')).toHaveText(String(x));
    await expect(this.id('restore-readout-y')).toHaveText(String(y));
    const value = async (id: string) => ((await this.id(id).count()) ? Number(await this.id(id).getAttribute('data-value')) : Number.NaN);
    return { before: await value('restore-readout-before'), after: await value('restore-readout-after') };
  }

  /** Drags the split divider to `fraction` (0–1) of the stage width. */
  async dragSplit(fraction: number): Promise<void> {
    const handle = this.id('restore-split-handle');
    const hb = await handle.boundingBox();
    const sb = await this.id('restore-split').boundingBox();
    if (!hb || !sb) throw new Error('the split view is not visible');
    const y = sb.y + sb.height * 0.3;
    await this.page.mouse.move(hb.x + hb.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(sb.x + sb.width * ((fraction + 0.5) / 2), y, { steps: 4 });
    await this.page.mouse.move(sb.x + sb.width * fraction, y, { steps: 4 });
    await this.page.mouse.up();
  }

  /** The exact number a metric element carries (data-value). */
  async metric(testId: string): Promise<number> {
    return Number(await this.id(testId).getAttribute('data-value'));
  }

  /** The metrics panel shows exactly result.json's numbers (data-value) and their rounded text. */
  async expectMetricsOf(r: any): Promise<void> {
    const m = r.metrics;
    expect(await this.metric('restore-metric-sharp-in')).toBe(m.sharpness.input.tenengrad);
    expect(await this.metric('restore-metric-sharp-out')).toBe(m.sharpness.output.tenengrad);
    await expect(this.id('restore-metric-sharp-out')).toHaveText(m.sharpness.output.tenengrad.toExponential(3));
    if (m.reference) {
      expect(await this.metric('restore-metric-psnr-out')).toBe(m.reference.psnrDb.output);
      expect(await this.metric('restore-metric-ssim-out')).toBe(m.reference.ssim.output);
      await expect(this.id('restore-metric-psnr-out')).toHaveText(m.reference.psnrDb.output.toFixed(2));
      await expect(this.id('restore-metric-ssim-out')).toHaveText(m.reference.ssim.output.toFixed(4));
      if (m.reference.psnrDb.input !== null) expect(await this.metric('restore-metric-psnr-in')).toBe(m.reference.psnrDb.input);
      expect(await this.metric('restore-metric-range')).toBe(m.dataRange);
      await expect(this.id('restore-metric-range')).toContainText(m.dataRangeSource);
    } else {
      await expect(this.id('restore-metric-noref')).toBeVisible();
    }
  }

  /**
   * After reopening a Richardson–Lucy deblur job: its folder, mode, method and options, both image names, the
   * output size, result.json's metrics, and the before / after readout equal to the input and deblurred.tif.
   */
  async expectReopenedRl(o: {
    dir: string;
    sigma: string;
    iterations: string;
    inName: string;
    refName: string;
    width: number;
    json: unknown;
    input: { data: Float32Array };
    deblurred: { data: Float32Array };
  }): Promise<void> {
    await expect(this.id('restore-result-dir')).toHaveText(o.dir);
    await expect(this.id('restore-mode-deblur')).toHaveAttribute('aria-selected', 'true');
    await expect(this.id('restore-method')).toHaveValue('richardson-lucy');
    await expect(this.id('restore-rl-sigma')).toHaveValue(o.sigma);
    await expect(this.id('restore-rl-iterations')).toHaveValue(o.iterations);
    await expect(this.id('restore-in-info')).toContainText(o.inName);
    await expect(this.id('restore-ref-info')).toContainText(o.refName);
    await expect(this.id('restore-output-size')).toHaveAttribute('data-width', String(o.width));
    await this.expectMetricsOf(o.json);
    await this.id('restore-view-side').click();
    const v = await this.readAt('restore-canvas-after', 90, 50);
    expect(v.after).toBe(o.deblurred.data[50 * o.width + 90]);
    expect(v.before).toBe(o.input.data[50 * o.width + 90]);
  }

  /** After reopening a bicubic super-resolution job made without a reference: folder, mode, method, scale, size. */
  async expectReopenedBicubic(dir: string, scale: 2 | 3 | 4, inputWidth: number): Promise<void> {
    await expect(this.id('restore-result-dir')).toHaveText(dir);
    await expect(this.id('restore-mode-sr')).toHaveAttribute('aria-selected', 'true');
    await expect(this.id('restore-method')).toHaveValue('bicubic');
    await expect(this.id('restore-scale')).toHaveAttribute('data-value', String(scale));
    await expect(this.id('restore-output-size')).toHaveAttribute('data-width', String(scale * inputWidth));
    await expect(this.id('restore-ref-info')).toHaveCount(0); // that run had no reference
  }
}
