/**
 * @file Elapsed time of a run, refreshed a few times a second while it runs (DIC RunPanel, RestoreOptions).
 * `run` gives the phase and the start/end times in ms; `elapsed` is '' before the run starts.
 */
import { computed, onUnmounted, ref, watch, type Ref } from 'vue';
import { formatMs } from '../lib/dic-result';

export interface RunTimes {
  phase: string;
  startedAt: number | null;
  endedAt: number | null;
}

export function useRunClock(run: Ref<RunTimes>) {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | null = null;
  watch(
    () => run.value.phase,
    (phase) => {
      if (phase === 'running' && !timer) timer = setInterval(() => (now.value = Date.now()), 250);
      if (phase !== 'running' && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
    { immediate: true },
  );
  onUnmounted(() => timer && clearInterval(timer));
  const elapsed = computed(() => (run.value.startedAt ? formatMs((run.value.endedAt ?? now.value) - run.value.startedAt) : ''));
  return { elapsed };
}
