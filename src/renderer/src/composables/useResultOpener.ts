/**
 * @file "Open" on a job row, for the Jobs and Acquisition workspaces: routes the job's result folder to the
 * workspace that made it (lib/open-result.ts) through that workspace's store, shows the workspace once the
 * result is loaded, and tells which row is opening and why a row's open failed.
 */
import { reactive, ref } from 'vue';
import { openJobResult, type JobWithResult, type ResultLoader, type ResultWorkspace } from '../lib/open-result';
import { useAcquisitionStore } from '../stores/acquisition';
import { useAppStore } from '../stores/app';
import { useDicStore } from '../stores/dic';
import { useRestoreStore } from '../stores/restore';
import { useXrayStore } from '../stores/xray';

/** The loaders of every result workspace, from their stores. */
export function resultLoaders(): Record<ResultWorkspace, ResultLoader> {
  const dic = useDicStore();
  const xray = useXrayStore();
  const restore = useRestoreStore();
  const acq = useAcquisitionStore();
  return {
    // dic.openResult answers false without an error when a newer open overtook it: nothing to report then
    dic: async (dir) => ((await dic.openResult(dir)) ? null : (dic.resultError ?? null)),
    xpci: async (dir) => ((await xray.openResult(dir)) ? null : (xray.resultError ?? 'The result could not be opened.')),
    restore: async (dir) => ((await restore.openResult(dir)) ? null : (restore.resultError ?? 'The result could not be opened.')),
    acquire: async (dir) => ((await acq.showResult(dir)) ? null : (acq.resultError ?? 'The result could not be opened.')),
  };
}

/** `errors`: where the rows' messages go (by row key); the Acquisition store keeps its rows' errors in one. */
export function useResultOpener(errors: Record<string, string> = reactive({})) {
  const app = useAppStore();
  const loaders = resultLoaders();
  /** key of the row whose result is loading; null when none */
  const opening = ref<string | null>(null);

  /** Opens the job's result in its workspace; resolves to the error shown on the row, null on success. */
  async function open(job: JobWithResult, key: string): Promise<string | null> {
    delete errors[key];
    opening.value = key;
    try {
      const error = await openJobResult(job, loaders, (ws) => app.setWorkspace(ws));
      if (error) errors[key] = error;
      return error;
    } finally {
      if (opening.value === key) opening.value = null;
    }
  }

  return { opening, errors, open };
}
