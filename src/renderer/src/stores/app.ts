/**
 * @file App-wide state: what the back end says about itself (version, transport, ONNX Runtime and its
 * execution provider), the connection, the job count for the status bar, the active workspace and the one
 * error banner. Everything arrives through `lab` (src/renderer/src/api) and its events.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { connection, lab, type ConnectionState } from '../api';
import { isWorkspaceId, type WorkspaceId } from '../workspaces';

export type AppInfo = CallOutput<'app.info'>;

/** What the error banner shows. */
export interface ShownError {
  /** one line naming what failed, e.g. `Could not open sample.tif` */
  title: string;
  /** the back end's full sentence */
  message: string;
  /** machine-readable code (E_NOT_FOUND, …) when there is one */
  code?: string;
}

const UNREACHABLE = 'Could not reach the back end';

function workspaceFromHash(): WorkspaceId {
  const id = (globalThis.location?.hash ?? '').replace(/^#\/?/, '');
  return isWorkspaceId(id) ? id : 'viewer';
}

/** Turns anything thrown into what the banner shows. */
export function toShownError(title: string, err: unknown): ShownError {
  if (err && typeof err === 'object' && 'message' in err) {
    const e = err as { message: string; code?: unknown };
    return { title, message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  return { title, message: String(err) };
}

export const useAppStore = defineStore('app', () => {
  /** What the back end reported through `app.info` (call and event); null until it first answers. */
  const info = shallowRef<AppInfo | null>(null);
  /** Total number of jobs in the queue's database (from `jobs.list`, then `jobs.changed`); null until known. */
  const jobCount = ref<number | null>(null);
  /** How the renderer reaches the back end: Electron IPC or the harness WebSocket. */
  const transport = connection.transport;
  /** Whether the back end can be reached right now (always `open` under Electron). */
  const connectionState = ref<ConnectionState>(connection.state());
  /** The workspace shown in the main area; mirrored in the URL hash so a reload keeps it. */
  const workspace = ref<WorkspaceId>(workspaceFromHash());
  /** The error in the banner; null when there is none. */
  const error = ref<ShownError | null>(null);

  /** Execution provider for the status bar: "probing…" until the compute host has probed ONNX Runtime. */
  const providerLabel = computed(() => info.value?.executionProvider?.active ?? 'probing…');
  /** ONNX Runtime version for the status bar, known with the probe. */
  const ortLabel = computed(() => info.value?.executionProvider?.ortVersion ?? 'probing…');
  /** Tooltip listing every provider tried and why those that failed did. */
  const providerDetail = computed(() => {
    const ep = info.value?.executionProvider;
    if (!ep) return 'The compute host is still probing ONNX Runtime execution providers.';
    return ep.tried.map((t) => `${t.name}: ${t.ok ? 'ok' : `failed${t.error ? ` (${t.error})` : ''}`}`).join('\n');
  });
  /** Whether `dialog.openImage` is available (Electron). */
  const nativeDialogs = computed(() => info.value?.capabilities.nativeDialogs ?? false);

  /** Shows an error in the banner, replacing the previous one. */
  function reportError(title: string, err: unknown): void {
    error.value = toShownError(title, err);
  }

  /** Hides the banner. */
  function dismissError(): void {
    error.value = null;
  }

  /** Switches the main area to another workspace. */
  function setWorkspace(id: WorkspaceId): void {
    workspace.value = id;
    const hash = `#/${id}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /** Asks the back end for app.info again. */
  async function refreshInfo(): Promise<void> {
    try {
      info.value = await lab['app.info']({});
      if (error.value?.title === UNREACHABLE) dismissError();
    } catch (err) {
      reportError(UNREACHABLE, err);
    }
  }

  /** Asks the back end for the job total again. */
  async function refreshJobCount(): Promise<void> {
    try {
      jobCount.value = (await lab['jobs.list']({ limit: 1 })).total;
    } catch (err) {
      console.warn('lab: jobs.list failed', err);
    }
  }

  /**
   * Loads app info and the job count and keeps them current from `app.info` and `jobs.changed` events and
   * after a reconnect. Call once, from the root component; returns a function that stops listening.
   */
  function start(): () => void {
    const offs = [
      lab.on('app.info', (payload) => {
        info.value = payload;
      }),
      lab.on('jobs.changed', (payload) => {
        jobCount.value = payload.count;
      }),
      connection.onState((s) => {
        const wasDown = connectionState.value === 'closed';
        connectionState.value = s;
        if (s === 'open' && wasDown) {
          void refreshInfo();
          void refreshJobCount();
        }
      }),
    ];
    const onHash = () => {
      workspace.value = workspaceFromHash();
    };
    window.addEventListener('hashchange', onHash);
    void refreshInfo();
    void refreshJobCount();
    return () => {
      offs.forEach((off) => off());
      window.removeEventListener('hashchange', onHash);
    };
  }

  return {
    info,
    jobCount,
    transport,
    connectionState,
    workspace,
    error,
    providerLabel,
    ortLabel,
    providerDetail,
    nativeDialogs,
    reportError,
    dismissError,
    setWorkspace,
    refreshInfo,
    refreshJobCount,
    start,
  };
});
