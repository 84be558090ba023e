import { describe, expect, it, vi } from 'vitest';

// The composable reaches the back end only through ../api; replace it with a scripted fake.
const fake = vi.hoisted(() => ({
  listeners: [] as ((s: unknown) => void)[],
  status: vi.fn(),
}));
vi.mock('../api', () => ({
  lab: {
    'watch.status': fake.status,
    on: (name: string, l: (s: unknown) => void) => {
      if (name !== 'watch.status') return () => {};
      fake.listeners.push(l);
      return () => fake.listeners.splice(fake.listeners.indexOf(l), 1);
    },
  },
}));

const { followWatchActivity, watchBadge } = await import('./useWatchActivity');

const counts = (queued: number, running: number) => ({ queued, running, done: 4, failed: 1, cancelled: 0, skipped: 0 });
const status = (running: boolean, queued = 0, busy = 0) =>
  ({ running, folder: running ? '/acq' : null, counts: counts(queued, busy) }) as unknown as Parameters<typeof watchBadge>[0];

describe('watch activity in the navigation', () => {
  it('shows a badge only while a session runs, counting queued and running jobs', () => {
    expect(watchBadge(null)).toBeNull();
    expect(watchBadge(status(false, 3, 1))).toBeNull();
    expect(watchBadge(status(true, 3, 2))).toEqual({ pending: 5, title: 'Watching /acq: 2 running, 3 queued' });
    expect(watchBadge(status(true))?.pending).toBe(0);
  });

  it('asks once, then follows the events; an answer older than an event is dropped; stop unsubscribes', async () => {
    let answer!: (s: unknown) => void;
    fake.status.mockReturnValueOnce(new Promise((r) => (answer = r)));
    const f = followWatchActivity();
    expect(fake.status).toHaveBeenCalledTimes(1);
    fake.listeners.forEach((l) => l(status(true, 1, 1)));
    answer(status(false));
    await Promise.resolve();
    await Promise.resolve();
    expect(watchBadge(f.status.value)?.pending).toBe(2);
    fake.listeners.forEach((l) => l(status(false)));
    expect(watchBadge(f.status.value)).toBeNull();
    f.stop();
    expect(fake.listeners).toHaveLength(0);
  });
});
