/**
 * @file Wraps the preload's `window.lab` so failures arrive as ContractError with their code, like the
 * WebSocket client's. contextBridge copies only an Error's message, so the preload sends "CODE: message"
 * (src/preload/index.ts) and this file splits it again.
 */
import { CALL_NAMES, type LabApi } from '../../../shared/contract';
import { ContractError } from '../../../shared/result';

const CODED = /^(E_[A-Z_]+): ([\s\S]*)$/;

export function toContractError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  // Electron prefixes errors from invoked handlers with "Error invoking remote method '…': Error: ".
  const core = message.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '');
  const m = CODED.exec(core);
  return m ? new ContractError(m[1], m[2]) : new ContractError('E_INTERNAL', core);
}

export function adaptPreloadApi(raw: LabApi): LabApi {
  const api: Record<string, unknown> = { on: raw.on, pathForFile: raw.pathForFile };
  for (const name of CALL_NAMES) {
    const fn = raw[name] as (input: unknown) => Promise<unknown>;
    api[name] = async (input: unknown) => {
      try {
        return await fn(input);
      } catch (err) {
        throw toContractError(err);
      }
    };
  }
  return api as LabApi;
}
