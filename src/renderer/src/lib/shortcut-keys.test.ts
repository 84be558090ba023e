import { describe, expect, it } from 'vitest';
import { formatChord, formatChords, isMacPlatform, isTypingTarget, matchesChord, parseChord, type KeyEventLike } from './shortcut-keys';

const key = (k: string, o: Partial<KeyEventLike> = {}): KeyEventLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...o });

describe('parseChord', () => {
  it('reads single characters, key names and Mod/Shift prefixes, the + key included', () => {
    expect(parseChord('f')).toEqual({ key: 'f', mod: false, shift: false });
    expect(parseChord('+')).toEqual({ key: '+', mod: false, shift: false });
    expect(parseChord('Mod++')).toEqual({ key: '+', mod: true, shift: false });
    expect(parseChord('Mod+Enter')).toEqual({ key: 'Enter', mod: true, shift: false });
    expect(parseChord('Shift+Mod+2')).toEqual({ key: '2', mod: true, shift: true });
  });

  it('refuses what is not a chord, saying how to write one', () => {
    expect(() => parseChord('Ctrl+x')).toThrow(/"Ctrl\+x" is not a key chord.*Mod\+Enter/);
    expect(() => parseChord('enter')).toThrow(/not a key chord/);
    expect(() => parseChord('')).toThrow(/not a key chord/);
  });
});

describe('matchesChord', () => {
  it('a plain key never fires with Ctrl, Cmd or Alt held (those are the browser\'s and the system\'s)', () => {
    const f = parseChord('f');
    expect(matchesChord(f, key('f'))).toBe(true);
    expect(matchesChord(f, key('f', { ctrlKey: true }))).toBe(false);
    expect(matchesChord(f, key('f', { metaKey: true }))).toBe(false);
    expect(matchesChord(f, key('f', { altKey: true }))).toBe(false);
    expect(matchesChord(f, key('g'))).toBe(false);
  });

  it('letters ignore Shift and Caps Lock; a character made with Shift ("?", "+") matches as typed', () => {
    expect(matchesChord(parseChord('f'), key('F', { shiftKey: true }))).toBe(true);
    expect(matchesChord(parseChord('?'), key('?', { shiftKey: true, code: 'Slash' }))).toBe(true);
    expect(matchesChord(parseChord('?'), key('/', { code: 'Slash' }))).toBe(false);
    expect(matchesChord(parseChord('+'), key('+', { shiftKey: true }))).toBe(true);
    expect(matchesChord(parseChord('1'), key('!', { shiftKey: true, code: 'Digit1' }))).toBe(false);
  });

  it('Mod is Ctrl or Cmd, and is required', () => {
    const run = parseChord('Mod+Enter');
    expect(matchesChord(run, key('Enter', { ctrlKey: true }))).toBe(true);
    expect(matchesChord(run, key('Enter', { metaKey: true }))).toBe(true);
    expect(matchesChord(run, key('Enter'))).toBe(false);
    expect(matchesChord(run, key('Enter', { ctrlKey: true, altKey: true }))).toBe(false);
  });

  it('with Mod, the physical key decides where the layout reports another character (AZERTY Ctrl+1 is "&")', () => {
    const two = parseChord('Mod+2');
    expect(matchesChord(two, key('2', { ctrlKey: true, code: 'Digit2' }))).toBe(true);
    expect(matchesChord(two, key('é', { ctrlKey: true, code: 'Digit2' }))).toBe(true);
    expect(matchesChord(two, key('3', { ctrlKey: true, code: 'Digit3' }))).toBe(false);
    // without Mod the character typed decides: '1' on AZERTY is Shift+&
    expect(matchesChord(parseChord('1'), key('&', { code: 'Digit1' }))).toBe(false);
  });

  it('Shift in a chord is required', () => {
    expect(matchesChord(parseChord('Shift+Enter'), key('Enter'))).toBe(false);
    expect(matchesChord(parseChord('Shift+Enter'), key('Enter', { shiftKey: true }))).toBe(true);
  });
});

describe('formatChord', () => {
  it('writes chords as Linux/Windows and macOS users read them', () => {
    expect(formatChord(parseChord('Mod+Enter'), false)).toBe('Ctrl+Enter');
    expect(formatChord(parseChord('Mod+Enter'), true)).toBe('⌘↩');
    expect(formatChord(parseChord('Mod+3'), false)).toBe('Ctrl+3');
    expect(formatChord(parseChord('Escape'), false)).toBe('Esc');
    expect(formatChord(parseChord('f'), false)).toBe('F');
    expect(formatChord(parseChord('-'), false)).toBe('−');
  });

  it('writes each chord of an action once', () => {
    expect(formatChords(['f', 'F'], false)).toBe('F');
    expect(formatChords(['+', '='], false)).toBe('+ / =');
  });
});

describe('isTypingTarget', () => {
  it('text fields, number fields, selects, text areas and editable content take typed keys', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'number' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT' })).toBe(true);
    expect(isTypingTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });

  it('buttons, check boxes, the page and nothing do not', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'Radio' })).toBe(false);
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget({ tagName: 'BODY', isContentEditable: false })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
    expect(isTypingTarget({})).toBe(false);
  });
});

describe('isMacPlatform', () => {
  it('recognises macOS and iPadOS', () => {
    expect(isMacPlatform({ platform: 'MacIntel' })).toBe(true);
    expect(isMacPlatform({ platform: 'Linux x86_64' })).toBe(false);
    expect(isMacPlatform({ platform: '', userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)' })).toBe(true);
    expect(isMacPlatform(undefined)).toBe(false);
  });
});
