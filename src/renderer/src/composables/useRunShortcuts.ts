/**
 * @file Ctrl/Cmd+Enter runs a workspace's main action and Esc cancels its running task, for the
 * workspaces whose store has a run and a cancel (DIC, X-ray phase, restoration). The Run and Cancel
 * buttons put the same chords in their tooltips (`RUN_KEYS`, `CANCEL_KEYS`).
 */
import { useShortcuts } from './useShortcuts';

export const RUN_KEYS = ['Mod+Enter'] as const;
export const CANCEL_KEYS = ['Escape'] as const;

export interface RunActions {
  /** what Run does, as the "?" list says it ('Measure the displacement field') */
  runLabel: string;
  /** whether Run would start now (its button is enabled) */
  canStart: () => boolean;
  start: () => unknown;
  /** whether a run of this workspace can be cancelled now */
  canCancel: () => boolean;
  cancel: () => unknown;
}

export function useRunShortcuts(a: RunActions): void {
  useShortcuts(
    [
      { keys: RUN_KEYS, label: a.runLabel, when: a.canStart, run: () => void a.start() },
      { keys: CANCEL_KEYS, label: 'Cancel the running task', when: a.canCancel, run: () => void a.cancel() },
    ],
    { group: 'Run', layer: 'workspace' },
  );
}
