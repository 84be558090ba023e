/**
 * @file The job list for the Jobs workspace: `jobs.list` on mount, again on every `jobs.changed` event
 * (coalesced), and on demand.
 */
import { onMounted, onUnmounted, ref, shallowRef } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { lab } from '../api';

export type Job = CallOutput<'jobs.list'>['jobs'][number];

export function useJobs(limit = 100) {
  /** newest first, as the back end returns them */
  const jobs = shallowRef<Job[]>([]);
  /** all jobs in the database (the list holds at most `limit`) */
  const total = ref(0);
  const loading = ref(false);
  /** why the last refresh failed; null after a success */
  const error = ref<string | null>(null);
  /** true once the first answer arrived */
  const loaded = ref(false);
  let again = false;

  async function refresh(): Promise<void> {
    if (loading.value) {
      again = true;
      return;
    }
    loading.value = true;
    try {
      const res = await lab['jobs.list']({ limit });
      jobs.value = res.jobs;
      total.value = res.total;
      error.value = null;
      loaded.value = true;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      loading.value = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  let off: (() => void) | null = null;
  onMounted(() => {
    off = lab.on('jobs.changed', () => void refresh());
    void refresh();
  });
  onUnmounted(() => off?.());

  return { jobs, total, loading, loaded, error, refresh };
}
