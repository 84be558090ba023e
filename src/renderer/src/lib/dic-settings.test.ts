import { describe, expect, it } from 'vitest';
import { defaultSettings, loadSettings, RECENT_MAX, saveSettings, SETTINGS_KEY, withRecent } from './dic-settings';

function memory(initial?: string) {
  const m = new Map<string, string>();
  if (initial !== undefined) m.set(SETTINGS_KEY, initial);
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('DIC settings', () => {
  it('defaults to IC-GN with the documented parameters and no ROI', () => {
    const s = defaultSettings();
    expect(s.method).toBe('icgn');
    expect(s.params.icgn).toEqual({ window: '21', search: '32' });
    expect(s.params.zncc).toEqual({ window: '21', search: '8' });
    expect(s.params.umpa).toEqual({ window: '11', search: '5' });
    expect(s.common).toEqual({ step: '4', strainWindow: '' });
    expect(s.roi).toBeNull();
  });

  it('hands out fresh default objects, so editing one set of settings never changes the defaults', () => {
    const a = defaultSettings();
    a.params.icgn.window = '99';
    a.common.step = '9';
    a.vectors.spacing = 3;
    a.recent.push('/x');
    const b = defaultSettings();
    expect(b.params.icgn.window).toBe('21');
    expect(b.common.step).toBe('4');
    expect(b.vectors.spacing).toBe(16);
    expect(b.recent).toEqual([]);
  });

  it('round-trips through storage', () => {
    const st = memory();
    const s = defaultSettings();
    s.refPath = '/data/ref.tif';
    s.method = 'zncc';
    s.params.zncc.window = '31';
    s.roi = { x: 1, y: 2, width: 30, height: 40 };
    saveSettings(st, s);
    expect(loadSettings(st)).toEqual(s);
  });

  it('keeps what parses and defaults the rest', () => {
    const st = memory(JSON.stringify({ version: 1, refPath: '/a.tif', method: 'nonsense', roi: { x: -1 }, params: 7 }));
    const s = loadSettings(st);
    expect(s.refPath).toBe('/a.tif');
    expect(s.method).toBe('icgn');
    expect(s.roi).toBeNull();
    expect(s.params.icgn.window).toBe('21');
  });

  it('ignores unreadable text, other versions and missing storage', () => {
    expect(loadSettings(memory('{not json'))).toEqual(defaultSettings());
    expect(loadSettings(memory(JSON.stringify({ version: 99, refPath: '/x' })))).toEqual(defaultSettings());
    expect(loadSettings(null)).toEqual(defaultSettings());
  });

  it('keeps recent files newest first without duplicates', () => {
    let r: string[] = [];
    for (let i = 0; i < RECENT_MAX + 3; i++) r = withRecent(r, `/f${i}.tif`);
    r = withRecent(r, '/f5.tif');
    expect(r[0]).toBe('/f5.tif');
    expect(r.length).toBe(RECENT_MAX);
    expect(new Set(r).size).toBe(r.length);
  });
});
