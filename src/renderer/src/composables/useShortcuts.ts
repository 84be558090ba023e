/**
 * @file Single-key shortcuts while a component is mounted. Keys typed into text fields, and keys with
 * Ctrl/Alt/Meta, are never taken, so the shortcuts cannot get in the way of typing a path or a number.
 */
import { onMounted, onUnmounted } from 'vue';

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** `keys` maps KeyboardEvent.key (e.g. 'f', '1', '+') to an action; `enabled` gates them all. */
export function useShortcuts(keys: Record<string, () => void>, enabled: () => boolean = () => true): void {
  function onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented || isTypingTarget(e.target)) return;
    const action = keys[e.key];
    if (!action || !enabled()) return;
    e.preventDefault();
    action();
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onUnmounted(() => window.removeEventListener('keydown', onKey));
}
