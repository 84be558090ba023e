/**
 * @file How a child process or worker thread loads TypeScript sources when the app runs unbundled (CLI,
 * harness, tests): through tsx, resolved from this file rather than the current directory, so `npx lab`
 * works from any folder. Bundled Electron builds run plain .js entries and need none of this.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export function tsxExecArgv(): string[] {
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}
