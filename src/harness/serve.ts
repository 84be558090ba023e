/**
 * @file `npm run serve`: starts the browser harness (server.ts) and prints the URL to open.
 * Options: --port N (default 5180; 0 picks a free one), --data DIR (default: the app's data folder).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { silenceSqliteExperimentalWarning } from '../core/node-warnings';
import { defaultDataDir } from '../core/paths';

silenceSqliteExperimentalWarning();
const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env.LAB_PORT ?? '5180' }, data: { type: 'string' } },
});
const webRoot = resolve(import.meta.dirname, '..', '..', 'dist-web');
if (!existsSync(join(webRoot, 'index.html'))) {
  console.error(`The renderer is not built (${webRoot} is missing): run "npm run build:web" first, or "npm run serve".`);
  process.exit(1);
}
// Imported after the warning filter: loading the job store is what triggers the warning.
const { startHarness } = await import('./server');
const harness = await startHarness({
  port: Number(values.port),
  webRoot,
  dataDir: values.data ? resolve(values.data) : defaultDataDir(),
});
console.log(`Speckle Lab (browser harness) is running at ${harness.url}`);
console.log('Open that address in Chromium or Chrome. Press Ctrl+C to stop.');
const stop = async () => {
  await harness.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
