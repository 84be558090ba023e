// `npm start`: opens the desktop app. Electron downloads its binary on first use; where that is
// impossible (no internet, a locked-down machine) this says so plainly and serves the same UI through the
// browser harness instead of failing.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';

const require = createRequire(import.meta.url);
const npmCmd = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathTxt = join(dir, 'path.txt');
    if (!existsSync(pathTxt)) return { dir, path: null };
    const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8'));
    return { dir, path: existsSync(bin) ? bin : null };
  } catch {
    return { dir: null, path: null };
  }
}

let { dir, path } = electronBinary();
if (!path && dir && !process.env.LAB_NO_ELECTRON) {
  console.log('Electron binary not found; trying to download it (first start only)…');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) ({ path } = electronBinary());
  else {
    const why = `${r.stderr ?? ''}`.split('\n').find((l) => /Error|failed/i.test(l)) ?? `exit code ${r.status}`;
    console.log(`The download did not work: ${why.trim()}`);
  }
}

if (path) {
  const r = spawnSync(npmCmd, ['exec', '--', 'electron-vite', 'preview'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

console.log(
  '\nElectron\'s binary is not available on this machine (it could not be downloaded), so the desktop window ' +
    'cannot open.\nServing the same application in your browser instead (browser harness).\n',
);
const child = spawn(npmCmd, ['run', 'serve'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
