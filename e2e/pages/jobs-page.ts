/**
 * @file Page object for the Jobs workspace (test ids from src/renderer/src/workspaces/JobsWorkspace.vue).
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export class JobsPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-jobs').click();
    await expect(this.id('workspace-jobs')).toBeVisible();
    await expect(this.id('jobs-total')).not.toBeEmpty();
  }

  /** The row of the job that wrote `resultDir` (its folder is shown on the row). */
  rowOf(resultDir: string): Locator {
    return this.id('job-row').filter({ hasText: resultDir });
  }

  /** Clicks Open on that job's row and waits for `workspace` to be shown. */
  async reopen(resultDir: string, workspace: string): Promise<void> {
    const row = this.rowOf(resultDir);
    await expect(row).toHaveAttribute('data-state', 'done');
    await row.getByTestId('job-open').click();
    await expect(this.id(`workspace-${workspace}`)).toBeVisible();
  }
}
