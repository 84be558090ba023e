/**
 * @file Keyboard shortcuts: every component registers its shortcuts here while it is mounted, one window
 * listener dispatches them, and the "?" list (components/ShortcutHelp.vue) reads the same registrations,
 * so what it shows is what the keys do.
 *
 * Note: Shortcut layers. A keydown goes to the first registration that takes it, in this order: an open
 * dialog (alone: nothing behind it fires), then the view (canvas tools, zoom), the workspace (run,
 * cancel), the app (switch workspace, help). So Esc first abandons a polygon being drawn, and cancels a run
 * only when there is nothing closer to cancel. While a text field has the focus only shortcuts marked
 * `inFields` fire (Esc, to leave the field): typing a path or a number never triggers anything.
 */
import { onMounted, onUnmounted, shallowReactive } from 'vue';
import type { ZoomActions } from '../lib/canvas-types';
import { formatChords, isMacPlatform, isTypingTarget, matchesChord, parseChord, type KeyChord, type KeyEventLike } from '../lib/shortcut-keys';

export { isTypingTarget } from '../lib/shortcut-keys';

export interface Shortcut {
  /** chords (lib/shortcut-keys.ts: 'f', 'Mod+Enter', '?'); the list shows them all */
  keys: readonly string[];
  /** what it does, as the "?" list says it */
  label: string;
  run: () => void;
  /** whether it applies now (a run to cancel, a polygon to close); unset: whenever its registration is on */
  when?: () => boolean;
  /** also while a text field has the focus */
  inFields?: boolean;
}

export type ShortcutLayer = 'dialog' | 'view' | 'workspace' | 'app';
const LAYER_ORDER: readonly ShortcutLayer[] = ['dialog', 'view', 'workspace', 'app'];

export interface ShortcutRegistration {
  id: number;
  layer: ShortcutLayer;
  /** heading in the "?" list ('Image view', 'Run', 'Workspaces') */
  group: string;
  /** each shortcut as given, with its chords parsed once */
  entries: readonly { shortcut: Shortcut; chords: readonly KeyChord[] }[];
  /** gates all of them (e.g. no image open: no zoom keys) */
  enabled: () => boolean;
}

export interface RegisterOptions {
  group: string;
  layer?: ShortcutLayer;
  enabled?: () => boolean;
}

/** Mounted registrations, in registration order; reactive so the "?" list follows what is mounted. */
export const shortcutRegistry = shallowReactive<ShortcutRegistration[]>([]);

const MAC = isMacPlatform(typeof navigator === 'undefined' ? undefined : navigator);

/** Chords as the user reads them on this platform ('Ctrl+Enter', '⌘↩'). */
export function keysText(keys: readonly string[]): string {
  return formatChords(keys, MAC);
}

/** A tooltip with its shortcut: 'Run (Ctrl+Enter)'. */
export function withKeys(title: string, keys: readonly string[]): string {
  return `${title} (${keysText(keys)})`;
}

/** Registrations in the order a keydown tries them (Note: Shortcut layers). */
export function dispatchOrder(regs: readonly ShortcutRegistration[]): ShortcutRegistration[] {
  const dialogs = regs.filter((r) => r.layer === 'dialog');
  if (dialogs.length) return [dialogs[dialogs.length - 1]];
  return [...regs].sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || b.id - a.id);
}

/** The shortcut a keydown triggers, or null; `target` is where the key was typed. */
export function pickShortcut(regs: readonly ShortcutRegistration[], e: KeyEventLike & { target: unknown }): Shortcut | null {
  const typing = isTypingTarget(e.target);
  for (const r of dispatchOrder(regs)) {
    if (!r.enabled()) continue;
    for (const { shortcut: s, chords } of r.entries) {
      if (typing && !s.inFields) continue;
      if (chords.some((c) => matchesChord(c, e)) && (!s.when || s.when())) return s;
    }
  }
  return null;
}

function onKeydown(e: KeyboardEvent): void {
  // a component that handled the key itself (a field's own Enter or Esc) keeps it; so does an IME
  if (e.defaultPrevented || e.isComposing) return;
  const s = pickShortcut(shortcutRegistry, e);
  if (!s) return;
  e.preventDefault();
  s.run();
}

let nextId = 1;

/** Adds shortcuts until the returned function is called. Chords are checked here, so a typo throws at once. */
export function registerShortcuts(shortcuts: readonly Shortcut[], options: RegisterOptions): () => void {
  const reg: ShortcutRegistration = {
    id: nextId++,
    layer: options.layer ?? 'view',
    group: options.group,
    entries: shortcuts.map((s) => ({ shortcut: s, chords: s.keys.map(parseChord) })),
    enabled: options.enabled ?? (() => true),
  };
  if (!shortcutRegistry.length && typeof window !== 'undefined') window.addEventListener('keydown', onKeydown);
  shortcutRegistry.push(reg);
  return () => {
    const i = shortcutRegistry.indexOf(reg);
    if (i >= 0) shortcutRegistry.splice(i, 1);
    if (!shortcutRegistry.length && typeof window !== 'undefined') window.removeEventListener('keydown', onKeydown);
  };
}

/** The image-view keys, in the order the "?" list gives them, and what they do. */
const VIEW_KEYS: readonly [keys: readonly string[], label: string][] = [
  [['f', 'F'], 'Fit the image to the window'],
  [['1'], 'One image pixel per screen pixel'],
  [['+', '='], 'Zoom in'],
  [['-', '_'], 'Zoom out'],
];
const viewKeyIndex = (key: string) => VIEW_KEYS.findIndex(([keys]) => keys.includes(key));

/**
 * Shortcuts from a plain key → action map (the older form, still used by stages that bind only view keys):
 * keys bound to the same action become one entry, the view keys first and described. A key outside them is
 * listed under its key, so the "?" list still shows it, but a caller should pass `Shortcut`s to say what
 * it does.
 */
export function fromKeyMap(keys: Record<string, () => void>): Shortcut[] {
  const byAction = new Map<() => void, string[]>();
  for (const [key, action] of Object.entries(keys)) byAction.set(action, [...(byAction.get(action) ?? []), key]);
  // (integer-like keys such as '1' come first in any object, whatever order they were written in)
  const rank = (ks: string[]) => (viewKeyIndex(ks[0]) < 0 ? VIEW_KEYS.length : viewKeyIndex(ks[0]));
  return [...byAction]
    .sort(([, a], [, b]) => rank(a) - rank(b))
    .map(([run, ks]) => ({ keys: ks, label: VIEW_KEYS[viewKeyIndex(ks[0])]?.[1] ?? `Key ${ks.join(' / ')} of this view`, run }));
}

/**
 * Shortcuts active while the calling component is mounted. Either a key → action map of single keys (the
 * image view's zoom keys), gated by `enabled`, or `Shortcut`s with their labels and a registration group.
 */
export function useShortcuts(keys: Record<string, () => void>, enabled?: () => boolean): void;
export function useShortcuts(shortcuts: readonly Shortcut[], options: RegisterOptions): void;
export function useShortcuts(a: Record<string, () => void> | readonly Shortcut[], b?: (() => boolean) | RegisterOptions): void {
  const [shortcuts, options]: [readonly Shortcut[], RegisterOptions] = Array.isArray(a)
    ? [a, b as RegisterOptions]
    : [fromKeyMap(a as Record<string, () => void>), { group: 'Image view', layer: 'view', enabled: b as (() => boolean) | undefined }];
  let off: (() => void) | null = null;
  onMounted(() => (off = registerShortcuts(shortcuts, options)));
  onUnmounted(() => off?.());
}

/**
 * The image view's zoom keys (f fit, 1 one-to-one, + / = in, - / _ out) on a viewport, while `enabled` (an
 * image is shown). One place for the Viewer, DIC and Restoration, so the keys and their "?" rows stay alike.
 */
export function useZoomShortcuts(vp: ZoomActions, enabled: () => boolean): void {
  useShortcuts({ f: vp.fit, F: vp.fit, '1': vp.oneToOne, '+': vp.zoomIn, '=': vp.zoomIn, '-': vp.zoomOut, _: vp.zoomOut }, enabled);
}

/** One heading of the "?" list with its rows. */
export interface ShortcutGroupView {
  group: string;
  layer: ShortcutLayer;
  rows: { keys: string; label: string; available: boolean }[];
}

const LIST_ORDER: readonly ShortcutLayer[] = ['workspace', 'view', 'app'];

/**
 * The registrations as the "?" list shows them: one entry per heading (registrations with the same group
 * and layer merge), the workspace's own first, then the view's, then the app's; dialogs are left out.
 * `available` says whether the shortcut would fire now.
 */
export function listShortcuts(regs: readonly ShortcutRegistration[]): ShortcutGroupView[] {
  const out: ShortcutGroupView[] = [];
  const shown = regs.filter((r) => r.layer !== 'dialog').sort((a, b) => LIST_ORDER.indexOf(a.layer) - LIST_ORDER.indexOf(b.layer) || a.id - b.id);
  for (const r of shown) {
    let g = out.find((x) => x.group === r.group && x.layer === r.layer);
    if (!g) out.push((g = { group: r.group, layer: r.layer, rows: [] }));
    const on = r.enabled();
    for (const { shortcut: s } of r.entries) g.rows.push({ keys: keysText(s.keys), label: s.label, available: on && (!s.when || s.when()) });
  }
  return out;
}
