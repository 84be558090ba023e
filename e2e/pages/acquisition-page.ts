/**
 * @file Page object for the Acquisition workspace (test ids from src/renderer, listed in its README).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class AcquisitionPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-acquire').click();
    await expect(this.id('workspace-acquire')).toBeVisible();
    await expect(this.id('acq-start').or(this.id('acq-stop'))).toBeVisible();
  }

  /** Replaces the rules editor's text and waits for the verdict ('ok' or 'invalid'). */
  async setRules(text: string, expectState: 'ok' | 'invalid' = 'ok'): Promise<void> {
    await this.id('acq-rules-text').fill(text);
    await expect(this.id('acq-rules-status')).toHaveAttribute('data-state', expectState);
  }

  async setFolders(folder: string, outDir = ''): Promise<void> {
    await this.id('acq-folder').fill(folder);
    await this.id('acq-out').fill(outDir);
  }

  /** Sets an option of the (collapsible) options block. */
  async setOption(testId: 'acq-stable-ms' | 'acq-poll-ms' | 'acq-concurrency', value: string): Promise<void> {
    const input = this.id(testId);
    if (!(await input.isVisible())) await this.page.locator('details.options > summary').click();
    await input.fill(value);
  }

  async start(): Promise<void> {
    await this.id('acq-start').click();
    await expect(this.id('acq-state')).toHaveAttribute('data-state', 'watching');
  }

  async stop(): Promise<void> {
    await this.id('acq-stop').click();
    await expect(this.id('acq-state')).toHaveAttribute('data-state', 'stopped');
  }

  /** The live-queue row whose inputs mention `name`. */
  row(name: string): Locator {
    return this.id('acq-job-row').filter({ has: this.id('acq-job-inputs').filter({ hasText: name }) });
  }

  historyRows(): Locator {
    return this.id('acq-history-row');
  }
}
