import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyEventLike } from '../lib/shortcut-keys';
import { fromKeyMap, listShortcuts, pickShortcut, registerShortcuts, shortcutRegistry, withKeys, type Shortcut } from './useShortcuts';

const PAGE = { tagName: 'BODY' };
const FIELD = { tagName: 'INPUT', type: 'text' };
const press = (key: string, target: unknown = PAGE, o: Partial<KeyEventLike> = {}) => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target, ...o });
const ctrl = (key: string, target: unknown = PAGE) => press(key, target, { ctrlKey: true, code: /^\d$/.test(key) ? `Digit${key}` : undefined });

const offs: (() => void)[] = [];
afterEach(() => {
  offs.splice(0).forEach((off) => off());
  expect(shortcutRegistry).toHaveLength(0);
});
function register(shortcuts: Shortcut[], options: Parameters<typeof registerShortcuts>[1]): () => void {
  const off = registerShortcuts(shortcuts, options);
  offs.push(off);
  return off;
}
const sc = (keys: string[], label: string, extra: Partial<Shortcut> = {}): Shortcut => ({ keys, label, run: vi.fn(), ...extra });

describe('which shortcut a key triggers', () => {
  it('the closest layer that wants the key wins: view, then workspace, then app', () => {
    let drawing = true;
    const goTo = sc(['Mod+2'], 'Speckle / DIC');
    const helpKey = sc(['?'], 'Help');
    const cancelRun = sc(['Escape'], 'Cancel the run', { when: () => true });
    const abandon = sc(['Escape'], 'Abandon the polygon', { when: () => drawing });
    // registered in the opposite order on purpose: the layer decides, not the order
    register([goTo, helpKey], { group: 'Workspaces', layer: 'app' });
    register([cancelRun], { group: 'Run', layer: 'workspace' });
    register([abandon], { group: 'ROI tools', layer: 'view' });

    expect(pickShortcut(shortcutRegistry, press('Escape'))).toBe(abandon);
    drawing = false;
    expect(pickShortcut(shortcutRegistry, press('Escape'))).toBe(cancelRun);
    expect(pickShortcut(shortcutRegistry, ctrl('2'))).toBe(goTo);
    expect(pickShortcut(shortcutRegistry, press('2'))).toBeNull();
    expect(pickShortcut(shortcutRegistry, press('?', PAGE, { shiftKey: true }))).toBe(helpKey);
  });

  it('nothing fires while typing in a field except what is marked inFields (Esc, to leave it)', () => {
    const fit = sc(['f'], 'Fit');
    const goTo = sc(['Mod+1'], 'Viewer');
    const run = sc(['Mod+Enter'], 'Run');
    const cancel = sc(['Escape'], 'Cancel the run');
    const leave = sc(['Escape'], 'Leave the text field', { inFields: true });
    register([fit], { group: 'Image view' });
    register([run, cancel], { group: 'Run', layer: 'workspace' });
    register([goTo, leave], { group: 'Everywhere', layer: 'app' });

    for (const e of [press('f', FIELD), press('F', { tagName: 'TEXTAREA' }, { shiftKey: true }), ctrl('1', FIELD), ctrl('Enter', { tagName: 'SELECT' }), press('?', FIELD)]) {
      expect(pickShortcut(shortcutRegistry, e)).toBeNull();
    }
    expect(pickShortcut(shortcutRegistry, press('Escape', FIELD))).toBe(leave);
    // out of the field the same keys work again
    expect(pickShortcut(shortcutRegistry, press('f'))).toBe(fit);
    expect(pickShortcut(shortcutRegistry, ctrl('1'))).toBe(goTo);
    expect(pickShortcut(shortcutRegistry, press('Escape'))).toBe(cancel);
    // a check box takes no text: its keys are free
    expect(pickShortcut(shortcutRegistry, press('f', { tagName: 'INPUT', type: 'checkbox' }))).toBe(fit);
  });

  it('a registration that is not enabled takes no key; `when` gates one shortcut', () => {
    let hasImage = false;
    const fit = sc(['f'], 'Fit');
    const close = sc(['Enter'], 'Close the polygon', { when: () => false });
    register([fit, close], { group: 'Image view', enabled: () => hasImage });
    expect(pickShortcut(shortcutRegistry, press('f'))).toBeNull();
    hasImage = true;
    expect(pickShortcut(shortcutRegistry, press('f'))).toBe(fit);
    expect(pickShortcut(shortcutRegistry, press('Enter'))).toBeNull();
  });

  it('an open dialog takes every key: only its own shortcuts fire until it is gone', () => {
    const goTo = sc(['Mod+2'], 'Speckle / DIC');
    const cancel = sc(['Escape'], 'Cancel the run');
    const close = sc(['Escape', '?'], 'Close this list');
    register([goTo], { group: 'Workspaces', layer: 'app' });
    register([cancel], { group: 'Run', layer: 'workspace' });
    const offDialog = register([close], { group: 'Shortcut list', layer: 'dialog' });

    expect(pickShortcut(shortcutRegistry, press('Escape'))).toBe(close);
    expect(pickShortcut(shortcutRegistry, press('?'))).toBe(close);
    expect(pickShortcut(shortcutRegistry, ctrl('2'))).toBeNull();
    offDialog();
    expect(pickShortcut(shortcutRegistry, press('Escape'))).toBe(cancel);
    expect(pickShortcut(shortcutRegistry, ctrl('2'))).toBe(goTo);
  });

  it('a mistyped chord is refused when it is registered', () => {
    expect(() => registerShortcuts([sc(['Ctrl+Enter'], 'Run')], { group: 'Run' })).toThrow(/not a key chord/);
    expect(shortcutRegistry).toHaveLength(0);
  });
});

describe('the "?" list', () => {
  it('lists every mounted registration once under its heading, the workspace first, dialogs left out', () => {
    let running = false;
    register([sc(['Mod+1'], 'Viewer'), sc(['Mod+2'], 'Speckle / DIC')], { group: 'Workspaces', layer: 'app' });
    register(fromKeyMap({ '+': () => {}, f: () => {} }), { group: 'Image view', layer: 'view' });
    register([sc(['Mod+Enter'], 'Measure'), sc(['Escape'], 'Cancel the running task', { when: () => running })], { group: 'Run', layer: 'workspace' });
    const offRestage = register(fromKeyMap({ t: () => {} }), { group: 'Image view', layer: 'view' });
    register([sc(['Escape'], 'Close this list')], { group: 'Shortcut list', layer: 'dialog' });

    const list = listShortcuts(shortcutRegistry);
    expect(list.map((g) => `${g.layer}:${g.group}`)).toEqual(['workspace:Run', 'view:Image view', 'app:Workspaces']);
    expect(list[0].rows).toEqual([
      { keys: 'Ctrl+Enter', label: 'Measure', available: true },
      { keys: 'Esc', label: 'Cancel the running task', available: false },
    ]);
    // two registrations of one heading merge, in the order they were mounted
    expect(list[1].rows.map((r) => r.keys)).toEqual(['F', '+', 'T']);
    expect(list[2].rows.map((r) => `${r.keys} ${r.label}`)).toEqual(['Ctrl+1 Viewer', 'Ctrl+2 Speckle / DIC']);

    running = true;
    offRestage();
    const again = listShortcuts(shortcutRegistry);
    expect(again[0].rows[1].available).toBe(true);
    expect(again[1].rows.map((r) => r.keys)).toEqual(['F', '+']);
  });

  it('a plain key map becomes one entry per action, with the view keys described', () => {
    const fit = () => {};
    const zoomIn = () => {};
    const toggle = () => {};
    const oneToOne = () => {};
    expect(fromKeyMap({ t: toggle, f: fit, F: fit, '1': oneToOne, '+': zoomIn, '=': zoomIn }).map(({ keys, label }) => ({ keys, label }))).toEqual([
      { keys: ['f', 'F'], label: 'Fit the image to the window' },
      { keys: ['1'], label: 'One image pixel per screen pixel' },
      { keys: ['+', '='], label: 'Zoom in' },
      { keys: ['t'], label: 'Key t of this view' },
    ]);
  });

  it('tooltips carry the same chord text', () => {
    expect(withKeys('Measure the displacement field', ['Mod+Enter'])).toBe('Measure the displacement field (Ctrl+Enter)');
  });
});
