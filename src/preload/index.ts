/**
 * @file The preload: exposes exactly the contract's calls and events as `window.lab`, nothing else
 * (see Note: One contract, two transports, in src/shared/contract.ts). It runs sandboxed, so it may use
 * only `electron`'s renderer APIs; everything it imports is bundled into it.
 *
 * Errors: contextBridge copies only an Error's message, so failures cross as "CODE: message" and the
 * renderer's api layer rebuilds the ContractError (src/renderer/src/api).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, EVENT_NAMES, ipcChannel, ipcEventChannel, type EventName } from '../shared/contract';
import type { Result } from '../shared/result';

const api: Record<string, unknown> = {};
for (const name of CALL_NAMES) {
  api[name] = async (input: unknown) => {
    const r = (await ipcRenderer.invoke(ipcChannel(name), input)) as Result<unknown>;
    if (r.ok) return r.value;
    throw new Error(`${r.error.code}: ${r.error.message}`);
  };
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`E_INVALID_INPUT: unknown event "${String(event)}"`);
  const handler = (_e: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(ipcEventChannel(event), handler);
  return () => ipcRenderer.removeListener(ipcEventChannel(event), handler);
};
api.pathForFile = async (file: File) => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('lab', api);
