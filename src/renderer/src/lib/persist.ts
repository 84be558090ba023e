/**
 * @file Persistence helpers shared by the workspaces' settings (lib/dic-settings, lib/restore, lib/acquisition)
 * and their stores: the browser's localStorage when there is one, and reading a versioned JSON object back.
 */

/** localStorage, or null where there is none (Node tests) or it is blocked. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * The object stored under `key` when it parses and carries `version`; `{}` for anything missing, unreadable
 * or from another version (the caller's schema then fills in the defaults).
 */
export function readVersioned(storage: Pick<Storage, 'getItem'> | null, key: string, version: unknown): unknown {
  let raw: unknown = {};
  try {
    const text = storage?.getItem(key);
    if (text) raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  if (!raw || typeof raw !== 'object' || (raw as { version?: unknown }).version !== version) raw = {};
  return raw;
}
