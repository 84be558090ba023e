/**
 * @file The compute host as an Electron utilityProcess (see Note: Compute host, in
 * src/core/compute/protocol.ts): same protocol and client as the forked Node host, different process API.
 */
import { join } from 'node:path';
import { app, utilityProcess } from 'electron';
import { MessageComputeClient } from '../core/compute/client';
import type { MessagePortLike } from '../core/compute/protocol';

export function startUtilityComputeHost(): MessageComputeClient {
  // Bundled code cannot find models/ and package.json relative to its own source file: tell it.
  const resources = app.isPackaged ? process.resourcesPath : app.getAppPath();
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
  const port: MessagePortLike = {
    postMessage: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
  };
  const client = new MessageComputeClient(port, async () => {
    child.kill();
  });
  child.on('exit', (code) => client.hostExited(`exit code ${code}`));
  return client;
}
