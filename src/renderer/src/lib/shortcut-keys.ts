/**
 * @file Key chords of the keyboard shortcuts: written as short strings ('f', 'Escape', 'Mod+Enter', 'Mod+2',
 * '?'), matched against keydown events, and shown the way the platform writes them (Ctrl+2 on Linux and
 * Windows, ⌘2 on macOS). Also which focused elements take typed text, where shortcuts must keep out of the
 * way. Pure (no Vue, no window), so the rules are unit-tested; composables/useShortcuts.ts dispatches.
 */

/** One key with its modifiers. */
export interface KeyChord {
  /** KeyboardEvent.key to match: a character ('f', '?', '+') or a key name ('Enter', 'Escape') */
  key: string;
  /** Ctrl or Cmd: both are accepted everywhere, so a Mac keyboard on Linux (or the reverse) still works */
  mod: boolean;
  /** Shift required (only written for named keys: a character like '?' already says whether Shift made it) */
  shift: boolean;
}

/** The part of a KeyboardEvent the matching reads (so tests can pass plain objects). */
export interface KeyEventLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const NAMED_KEY = /^[A-Z][A-Za-z0-9]+$/;

/** Reads 'f', '+', 'Escape', 'Mod+Enter', 'Mod++', 'Shift+Enter'; throws on anything else. */
export function parseChord(text: string): KeyChord {
  const m = /^((?:Mod\+|Shift\+)*)(.+)$/.exec(text);
  const key = m?.[2] ?? '';
  if (!m || (key.length !== 1 && !NAMED_KEY.test(key))) {
    throw new Error(`"${text}" is not a key chord: write one character or a KeyboardEvent key name, optionally after "Mod+" and/or "Shift+" (e.g. "Mod+Enter").`);
  }
  return { key, mod: m[1].includes('Mod+'), shift: m[1].includes('Shift+') };
}

/** KeyboardEvent.code of the key that types `ch` on a US layout, for letters and digits; null otherwise. */
function physicalCode(ch: string): string | null {
  if (/^[0-9]$/.test(ch)) return `Digit${ch}`;
  if (/^[a-z]$/i.test(ch)) return `Key${ch.toUpperCase()}`;
  return null;
}

const isLetter = (s: string) => s.length === 1 && s.toLowerCase() !== s.toUpperCase();

/** Whether a keydown event is this chord. Alt never matches: AltGr (Ctrl+Alt on Windows) types characters. */
export function matchesChord(c: KeyChord, e: KeyEventLike): boolean {
  if (e.altKey) return false;
  if ((e.ctrlKey || e.metaKey) !== c.mod) return false;
  if (c.shift && !e.shiftKey) return false;
  if (e.key === c.key) return true;
  // Caps Lock or Shift must not turn 'f' into a different shortcut
  if (isLetter(c.key) && e.key.toLowerCase() === c.key.toLowerCase()) return true;
  // With Ctrl/Cmd held some layouts report another character for the key (AZERTY's Ctrl+1 is '&'):
  // there the physical key decides.
  const code = c.mod ? physicalCode(c.key) : null;
  return code !== null && e.code === code;
}

const KEY_NAMES: Record<string, [pc: string, mac: string]> = {
  Escape: ['Esc', 'Esc'],
  Enter: ['Enter', '↩'],
  Backspace: ['Backspace', '⌫'],
  ArrowLeft: ['←', '←'],
  ArrowRight: ['→', '→'],
  ArrowUp: ['↑', '↑'],
  ArrowDown: ['↓', '↓'],
  ' ': ['Space', 'Space'],
  '-': ['−', '−'],
};

/** How a chord is written for the user: 'Ctrl+Enter', 'Esc', 'F' (or '⌘↩' on macOS). */
export function formatChord(c: KeyChord, mac: boolean): string {
  const names = KEY_NAMES[c.key];
  const key = names ? names[mac ? 1 : 0] : isLetter(c.key) ? c.key.toUpperCase() : c.key;
  const mods = [...(c.mod ? [mac ? '⌘' : 'Ctrl'] : []), ...(c.shift ? [mac ? '⇧' : 'Shift'] : [])];
  return mac ? mods.join('') + key : [...mods, key].join('+');
}

/** Several chords of one action, each written once ('f' and 'F' are both 'F'): 'F', '+ / ='. */
export function formatChords(chords: readonly string[], mac: boolean): string {
  return [...new Set(chords.map((t) => formatChord(parseChord(t), mac)))].join(' / ');
}

/** `<input type=…>` that take no typed text: keys pressed on them are free for shortcuts. */
const UNTYPED_INPUTS = new Set(['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image']);

/** Whether keys pressed on this element type text (text fields, number fields, selects, editable content). */
export function isTypingTarget(target: unknown): boolean {
  if (!target || typeof (target as { tagName?: unknown }).tagName !== 'string') return false;
  const el = target as { tagName: string; isContentEditable?: boolean; type?: string };
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !UNTYPED_INPUTS.has((el.type ?? 'text').toLowerCase());
}

/** Whether the platform writes Cmd as ⌘ (macOS, iPadOS). */
export function isMacPlatform(nav: { platform?: string; userAgent?: string } | undefined): boolean {
  return /Mac|iPhone|iPad/.test(nav?.platform || nav?.userAgent || '');
}
