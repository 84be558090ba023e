/**
 * @file The renderer's one entry to the back end: `lab` is `window.lab` under Electron (the preload puts it
 * there) and a WebSocket client to the browser harness otherwise. Components and stores import `lab` from
 * here and never care which transport is underneath; `connection` tells the status bar how it is doing.
 */
import { z } from 'zod';
import type { LabApi } from '../../../shared/contract';
import { adaptPreloadApi } from './preload-adapter';
import { createWsClient, type ConnectionState } from './ws-client';

// The strict CSP (no 'unsafe-eval') would report zod's `new Function` probe as a violation; zod's
// interpreted path is fast enough for the few event payloads the renderer checks.
z.config({ jitless: true });

export type Transport = 'electron' | 'browser-harness';

/** Connection state as the UI shows it; Electron IPC is always `open`. */
export interface Connection {
  transport: Transport;
  state(): ConnectionState;
  onState(listener: (s: ConnectionState) => void): () => void;
}

function build(): { lab: LabApi; connection: Connection } {
  if (window.lab) {
    return {
      lab: adaptPreloadApi(window.lab),
      connection: { transport: 'electron', state: () => 'open', onState: () => () => {} },
    };
  }
  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client = createWsClient({ wsUrl: `${wsScheme}://${location.host}/ws`, httpBase: location.origin });
  return {
    lab: client.api,
    connection: { transport: 'browser-harness', state: client.state, onState: client.onState },
  };
}

const built = build();

/** The contract (src/shared/contract.ts), over whichever transport this renderer runs on. */
export const lab: LabApi = built.lab;
/** How the renderer reaches the back end, and whether it currently can. */
export const connection: Connection = built.connection;

export { fetchFloat32 } from './binary';
export type { ConnectionState } from './ws-client';
