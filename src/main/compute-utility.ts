/**
 * @file The compute host as an Electron utilityProcess (see Note: Compute host, in
 * src/core/compute/protocol.ts): same protocol and client as the forked Node host, different process API.
 * The client starts a fresh one after a crash (Note: Host restart, in src/core/compute/client.ts), so this
 * file only says how to start one.
 */
import { join } from 'node:path';
import { app, utilityProcess } from 'electron';
import { MessageComputeClient, type HostLauncher } from '../core/compute/client';

export function startUtilityComputeHost(): MessageComputeClient {
  // Bundled code cannot find models/ and package.json relative to its own source file: tell it.
  const resources = app.isPackaged ? process.resourcesPath : app.getAppPath();
  const launch: HostLauncher = (onExit) => {
    const child = utilityProcess.fork(join(import.meta.dirname, 'compute-host.js'), [], {
      serviceName: 'Speckle Lab compute host',
      stdio: 'inherit',
      env: {
        ...process.env,
        LAB_MODELS_DIR: join(resources, 'models'),
        LAB_PACKAGE_JSON: join(app.getAppPath(), 'package.json'),
        LAB_TRACK_WORKER: join(import.meta.dirname, 'track-worker.js'),
      },
    });
    let gone = false;
    // utilityProcess reports no signal: a native abort or the OOM killer shows as its exit code.
    child.once('exit', (code) => {
      gone = true;
      onExit(`exit code ${code}`);
    });
    return {
      port: {
        postMessage: (m) => {
          if (!gone) child.postMessage(m);
        },
        onMessage: (l) => child.on('message', l),
      },
      get pid() {
        return child.pid;
      },
      stop: () =>
        new Promise<void>((resolve) => {
          if (gone) return resolve();
          child.once('exit', () => resolve());
          child.kill();
        }),
    };
  };
  return new MessageComputeClient(launch);
}
