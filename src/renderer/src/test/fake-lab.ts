/**
 * @file The scripted back end of the renderer's unit tests: an in-memory localStorage, and for the store tests
 * of a run (dic, restore, xray) the `../api` module over `vi.fn()` calls with the `task.progress` listeners.
 * Both must exist before the code under test is imported, so a test builds them inside `vi.hoisted` and the
 * `vi.mock('../api', …)` factory, which Vitest runs first; they import this file dynamically there:
 *
 *   const fake = await vi.hoisted(async () => (await import('../test/fake-lab')).fakeLab({ track: vi.fn() }));
 *   vi.mock('../api', async () => (await import('../test/fake-lab')).fakeApi(fake, { 'track.run': fake.track }));
 */
import { vi } from 'vitest';

/** A `task.progress` listener as the stores register it. */
export type ProgressListener = (p: { taskId: string; fraction: number; message?: string }) => void;

/**
 * Installs an in-memory localStorage on globalThis (the stores read their persisted settings when they are
 * created; Node has none) and returns its contents, for a test to clear or read back.
 */
export function installMemoryStorage(): Map<string, string> {
  const mem = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => mem.get(k) ?? null,
    setItem: (k: string, v: string) => void mem.set(k, v),
    removeItem: (k: string) => void mem.delete(k),
  };
  return mem;
}

function labBase() {
  return {
    /** the store's `task.progress` listeners: call them to report progress */
    listeners: [] as ProgressListener[],
    mem: installMemoryStorage(),
    open: vi.fn(),
    close: vi.fn(async () => ({ closed: true })),
    resultOpen: vi.fn(),
    cancel: vi.fn(async () => ({ cancelled: true })),
    /** what fetchFloat32 returns by URL */
    blobs: new Map<string, Float32Array>(),
  };
}
export type FakeLab = ReturnType<typeof labBase>;

/**
 * The fake every run store's test shares (image.open / image.close / result.open / task.cancel, progress
 * listeners, localStorage, blobs) with the test's own calls and fields added.
 */
export function fakeLab<T extends object>(own: T): FakeLab & T {
  return { ...labBase(), ...own };
}

/**
 * The `../api` module over a fake: `lab` with the shared calls and `calls` (by call name), uploads named
 * /srv/uploads/<file name>, an open harness connection, and `fetchFloat32` (by default: the fake's blobs).
 */
export function fakeApi(fake: FakeLab, calls: Record<string, unknown>, fetchFloat32 = async (url: string) => fake.blobs.get(url)!) {
  return {
    lab: {
      'image.open': fake.open,
      'image.close': fake.close,
      'result.open': fake.resultOpen,
      'task.cancel': fake.cancel,
      ...calls,
      pathForFile: async (f: { name: string }) => `/srv/uploads/${f.name}`,
      on: (name: string, l: ProgressListener) => {
        if (name === 'task.progress') fake.listeners.push(l);
        return () => {};
      },
    },
    connection: { transport: 'browser-harness', state: () => 'open', onState: () => () => {} },
    fetchFloat32,
  };
}
