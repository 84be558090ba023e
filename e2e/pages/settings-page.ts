/**
 * @file Page object for the Settings workspace (test ids from src/renderer, listed in its README).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class SettingsPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-settings').click();
    await expect(this.id('workspace-settings')).toBeVisible();
    await expect(this.id('models-table')).toBeVisible();
  }

  model(id: string): Locator {
    return this.page.locator(`[data-testid=model-row][data-model-id="${id}"]`);
  }

  async theme(): Promise<string | null> {
    return this.page.locator('html').getAttribute('data-theme');
  }
}
