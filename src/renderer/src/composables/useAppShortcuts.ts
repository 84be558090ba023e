/**
 * @file The shortcuts that work in every workspace: Ctrl/Cmd+1…7 switch workspaces in the navigation's
 * order, "?" shows the list of shortcuts, Esc leaves a text field (so the keys work again). Registered
 * once, by App.vue. The navigation shows the same chords in its tooltips (`workspaceKeys`).
 */
import { ref } from 'vue';
import { useAppStore } from '../stores/app';
import { WORKSPACES } from '../workspaces';
import { isTypingTarget, useShortcuts } from './useShortcuts';

/** Whether the "?" list is open (components/ShortcutHelp.vue). */
export const shortcutHelpOpen = ref(false);

export const HELP_KEYS = ['?'] as const;

/** The chord that opens the workspace at `index` in WORKSPACES (0-based). */
export function workspaceKeys(index: number): string[] {
  return [`Mod+${index + 1}`];
}

export function useAppShortcuts(): void {
  const app = useAppStore();
  useShortcuts(
    WORKSPACES.map((w, i) => ({ keys: workspaceKeys(i), label: w.label, run: () => app.setWorkspace(w.id) })),
    { group: 'Workspaces', layer: 'app' },
  );
  useShortcuts(
    [
      { keys: HELP_KEYS, label: 'Show the keyboard shortcuts', run: () => (shortcutHelpOpen.value = true) },
      {
        keys: ['Escape'],
        label: 'Leave the text field, so the keys above work again',
        inFields: true,
        when: () => isTypingTarget(document.activeElement),
        run: () => (document.activeElement as HTMLElement).blur(),
      },
    ],
    { group: 'Keyboard', layer: 'app' },
  );
}
