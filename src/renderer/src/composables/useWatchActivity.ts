/**
 * @file Whether the Acquisition workspace's watch session is running, and how many of its jobs are queued
 * or running, for the navigation: a user in another workspace sees that images are still being processed.
 * It follows the back end's throttled `watch.status` event (the same the Acquisition store follows), and
 * asks once at start so a session begun before this window opened shows too.
 */
import { computed, onUnmounted, shallowRef, type ComputedRef, type ShallowRef } from 'vue';
import { lab } from '../api';
import type { WatchStatus } from '../lib/acquisition';

/** What the navigation shows for a watch status: null when no session runs. */
export function watchBadge(s: WatchStatus | null): { pending: number; title: string } | null {
  if (!s?.running) return null;
  const { queued, running } = s.counts;
  const pending = queued + running;
  const where = s.folder ? ` ${s.folder}` : '';
  return { pending, title: `Watching${where}: ${running} running, ${queued} queued` };
}

/** Follows the watch session until `stop`: `status` is the latest the back end told. */
export function followWatchActivity(): { status: ShallowRef<WatchStatus | null>; stop: () => void } {
  const status = shallowRef<WatchStatus | null>(null);
  let heard = false;
  const off = lab.on('watch.status', (s) => {
    heard = true;
    status.value = s;
  });
  lab['watch.status']({})
    .then((s) => {
      // an event that arrived meanwhile is newer than this answer
      if (!heard) status.value = s;
    })
    .catch(() => {
      // no badge rather than a wrong one; the Acquisition workspace reports the back end's errors
    });
  return { status, stop: off };
}

/** The navigation's badge for a component's lifetime (watchBadge of the latest status). */
export function useWatchActivity(): ComputedRef<ReturnType<typeof watchBadge>> {
  const f = followWatchActivity();
  onUnmounted(f.stop);
  return computed(() => watchBadge(f.status.value));
}
