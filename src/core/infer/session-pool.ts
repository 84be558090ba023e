/**
 * @file One ONNX Runtime session per model and provider list, created lazily on first use and reused.
 * Creating a session parses the graph and, on a GPU, allocates device memory and compiles kernels, which
 * costs far more than a small inference; so a compute host keeps its sessions for its lifetime and calls
 * `disposeAll()` on shutdown. The pool stores the creation promise, not the session, so two concurrent
 * first calls share one creation instead of racing to build two.
 */
import path from 'node:path';
import { modelsDir, resolveModel } from './manifest';
import { providerOrder } from './providers';
import { createSession, type CreatedSession } from './session';

const pool = new Map<string, Promise<CreatedSession>>();

function getOrCreate(key: string, create: () => Promise<CreatedSession>): Promise<CreatedSession> {
  let entry = pool.get(key);
  if (!entry) {
    entry = create();
    pool.set(key, entry);
    // A failed creation is not cached: the user may fix the install (or the file) and try again.
    entry.catch(() => {
      if (pool.get(key) === entry) pool.delete(key);
    });
  }
  return entry;
}

/**
 * The session for the model file at `modelPath`, created on first call with `providers` (default
 * `providerOrder()`) and then reused; the same `CreatedSession` object comes back every time for the same
 * resolved path and provider list.
 */
export function getSession(modelPath: string, opts: { providers?: string[] } = {}): Promise<CreatedSession> {
  const providers = opts.providers ?? providerOrder();
  const file = path.resolve(modelPath);
  return getOrCreate(`file:${file}|${providers.join(',')}`, () => createSession(file, { providers }));
}

/**
 * The session for manifest model `id`: the file is checked against its sha256 once, on creation, and the
 * session is built from the verified bytes, so what runs is exactly what was checked.
 */
export function getModelSession(
  id: string,
  opts: { providers?: string[]; modelsDir?: string } = {},
): Promise<CreatedSession> {
  const providers = opts.providers ?? providerOrder();
  const dir = path.resolve(opts.modelsDir ?? modelsDir());
  return getOrCreate(`model:${dir}|${id}|${providers.join(',')}`, async () => {
    const model = await resolveModel(id, dir);
    return createSession(model.bytes, { providers, label: model.path });
  });
}

/**
 * Releases the pooled sessions created with another provider order than `providers` (after a provider
 * change, so a GPU session's device memory is given back); answers how many. The caller makes sure no run
 * is using them.
 */
export async function disposeOtherProviders(providers: string[]): Promise<number> {
  const want = `|${providers.join(',')}`;
  const stale = [...pool.entries()].filter(([key]) => !key.endsWith(want));
  for (const [key] of stale) pool.delete(key);
  const settled = await Promise.allSettled(stale.map(([, p]) => p));
  await Promise.allSettled(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.session.release()] : [])));
  return stale.length;
}

/** Number of sessions created or being created (for diagnostics and tests). */
export function poolSize(): number {
  return pool.size;
}

/** Releases every pooled session and empties the pool. Sessions still being created are awaited first. */
export async function disposeAll(): Promise<void> {
  const entries = [...pool.values()];
  pool.clear();
  const settled = await Promise.allSettled(entries);
  await Promise.allSettled(
    settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.session.release()] : [])),
  );
}
