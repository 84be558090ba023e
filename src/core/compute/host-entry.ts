/**
 * @file Entry point of the compute host process (see Note: Compute host, in protocol.ts). Under Electron
 * it runs as a utilityProcess and talks over `process.parentPort`; under plain Node it is forked and talks
 * over `process.send`. Both become a MessagePortLike for the shared runtime.
 */
import { serveComputeHost } from './host-runtime';
import { ops } from './ops';
import type { MessagePortLike } from './protocol';

type ParentPort = { postMessage(m: unknown): void; on(ev: 'message', l: (e: { data: unknown }) => void): void };
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

let port: MessagePortLike;
if (parentPort) {
  port = {
    postMessage: (m) => parentPort.postMessage(m),
    onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
  };
} else if (process.send) {
  port = { postMessage: (m) => process.send?.(m), onMessage: (l) => process.on('message', l) };
  // A forked host must not outlive its parent.
  process.on('disconnect', () => process.exit(0));
} else {
  throw new Error('The compute host must be started by the app (utilityProcess) or forked with an IPC channel.');
}

serveComputeHost(port, ops);
