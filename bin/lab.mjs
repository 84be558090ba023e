#!/usr/bin/env node
// `lab` command: loads the TypeScript CLI through tsx (installed with the app), so `npx lab` works right
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`lab: needs Node 22 or newer (this is ${process.versions.node}). Run it as "npx lab" or "npm run lab --" in the project.`);
  process.exit(2);
}
register();
const { silenceSqliteExperimentalWarning } = await import('../src/core/node-warnings.ts');
silenceSqliteExperimentalWarning();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
