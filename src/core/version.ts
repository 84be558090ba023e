/**
 * @file Versions recorded in every result.json and shown in the status bar.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

let cached: string | null = null;
/** The application version from package.json (the repo root is three levels up from src/core). */
export function appVersion(): string {
  if (cached) return cached;
  try {
    const pkgPath = process.env.LAB_PACKAGE_JSON ?? resolve(import.meta.dirname, '..', '..', 'package.json');
    cached = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  } catch {
    cached = 'unknown';
  }
  return cached;
}
