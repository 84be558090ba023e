/**
 * @file Locates the public test data at ../shared/data (beside the checkout). Tests that need it use
 * `describe.skipIf(!SHARED)` and put SHARED_NOTE in their title so a skipped run says why, plainly.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const candidate = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
/** Absolute path of ../shared/data, or null where it is absent (a user's machine). */
export const SHARED: string | null = existsSync(join(candidate, 'README.md')) ? candidate : null;
export const SHARED_NOTE = SHARED ? `(data: ${candidate})` : `(SKIPPED: ${candidate} is absent)`;
export const sharedPath = (...parts: string[]): string => join(SHARED ?? candidate, ...parts);
