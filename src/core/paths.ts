/**
 * @file Where the application keeps its own state (job database, uploads) outside Electron. Electron
 * main passes `app.getPath('userData')` instead; everything else honours LAB_DATA_DIR first.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_DATA_DIR) return env.LAB_DATA_DIR;
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Speckle Lab');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Speckle Lab');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'speckle-lab');
}
