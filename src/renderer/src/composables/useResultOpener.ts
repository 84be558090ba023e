/**
 * @file "Open" on a job row, for the Jobs and Acquisition workspaces: routes the job's result folder to the
 * workspace that made it (lib/open-result.ts) through that workspace's store, shows the workspace once the
 * result is loaded, and tells which row is opening and why a row's open failed. Only the latest Open switches
 * the workspace (lib/open-result.ts): one overtaken by a newer click, in any list, says nothing.
 */
import { reactive, ref } from 'vue';
import { openJobResult, OVERTAKEN, type JobWithResult, type Overtaken, type ResultLoader, type ResultWorkspace } from '../lib/open-result';
import { useAcquisitionStore } from '../stores/acquisition';
import { useAppStore } from '../stores/app';
import { useDicStore } from '../stores/dic';
import { useRestoreStore } from '../stores/restore';
import { useXrayStore } from '../stores/xray';

/**
 * The loaders of every result workspace, from their stores. The DIC, X-ray and Restoration stores answer
 * false without an error when a newer open of their own overtook this one (a failure always sets
 * `resultError`): OVERTAKEN then, not a failure to put on the row.
 */
export function resultLoaders(): Record<ResultWorkspace, ResultLoader> {
  const dic = useDicStore();
  const xray = useXrayStore();
  const restore = useRestoreStore();
  const acq = useAcquisitionStore();
  const outcome = (shown: boolean, error: string | null): string | null | Overtaken => (shown ? null : (error ?? OVERTAKEN));
  return {
    dic: async (dir) => outcome(await dic.openResult(dir), dic.resultError),
    xpci: async (dir) => outcome(await xray.openResult(dir), xray.resultError),
    restore: async (dir) => outcome(await restore.openResult(dir), restore.resultError),
    // the plain result view has no opens of its own to be overtaken by
    acquire: async (dir) => ((await acq.showResult(dir)) ? null : (acq.resultError ?? 'The result could not be opened.')),
  };
}

/** `errors`: where the rows' messages go (by row key); the Acquisition store keeps its rows' errors in one. */
export function useResultOpener(errors: Record<string, string> = reactive({})) {
  const app = useAppStore();
  const loaders = resultLoaders();
  /** key of the row whose result is loading; null when none */
  const opening = ref<string | null>(null);

  /**
   * Opens the job's result in its workspace; resolves to the error shown on the row, null on success,
   * OVERTAKEN when a newer open started before this one finished (the row then shows nothing).
   */
  async function open(job: JobWithResult, key: string): Promise<string | null | Overtaken> {
    delete errors[key];
    opening.value = key;
    try {
      const error = await openJobResult(job, loaders, (ws) => app.setWorkspace(ws));
      if (typeof error === 'string') errors[key] = error;
      return error;
    } finally {
      if (opening.value === key) opening.value = null;
    }
  }

  return { opening, errors, open };
}
