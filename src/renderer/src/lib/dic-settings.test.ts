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
    expect(s.params.icgn).toEqual({ window: '21', search: '32', model: '', passes: '', symmetry: '' });
    expect(s.params.zncc).toEqual({ window: '21', search: '8', model: '', passes: '', symmetry: '' });
    expect(s.params.umpa).toEqual({ window: '11', search: '5', model: '', passes: '', symmetry: '' });
    expect(s.params['cnn-dic']).toEqual({ window: '15', search: '', model: 'dicnet-s', passes: '3', symmetry: '8' });
    expect(s.params['cnn-xst']).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '8' });
    expect(s.params['cnn+icgn']).toEqual({ window: '21', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
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

  it('reads settings stored before the CNN methods existed: old forms kept, new forms and fields defaulted', () => {
    // exactly what the three-method panel wrote
    const old = {
      version: 1,
      refPath: '/d/r.tif',
      defPath: '/d/d.tif',
      resultPath: '',
      recent: ['/d/r.tif'],
      method: 'zncc',
      params: { icgn: { window: '25', search: '40' }, zncc: { window: '31', search: '6' }, umpa: { window: '13', search: '4' } },
      common: { step: '3', strainWindow: '15' },
      roi: { x: 1, y: 2, width: 30, height: 40 },
      map: 'v',
      vectors: { show: false, spacing: 24, scale: null },
    };
    const s = loadSettings(memory(JSON.stringify(old)));
    expect(s.method).toBe('zncc');
    expect(s.params.zncc).toEqual({ window: '31', search: '6', model: '', passes: '', symmetry: '' });
    expect(s.params.icgn).toEqual({ window: '25', search: '40', model: '', passes: '', symmetry: '' });
    expect(s.params.umpa).toEqual({ window: '13', search: '4', model: '', passes: '', symmetry: '' });
    expect(s.params['cnn-xst']).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '8' });
    expect(s.params['cnn+icgn']).toEqual({ window: '21', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
    expect(s.common).toEqual({ step: '3', strainWindow: '15' });
    expect(s.roi).toEqual({ x: 1, y: 2, width: 30, height: 40 });
    expect(s.vectors).toEqual({ show: false, spacing: 24, scale: null });
  });

  it('remembers a CNN method with its own form, and a damaged field falls back alone', () => {
    const st = memory();
    const s = defaultSettings();
    s.method = 'cnn-xst';
    s.params['cnn-xst'] = { window: '21', search: '', model: 'my-xst', passes: '5', symmetry: '4' };
    saveSettings(st, s);
    expect(loadSettings(st)).toEqual(s);
    const damaged = JSON.parse(st.m.get(SETTINGS_KEY)!);
    damaged.params['cnn-xst'].passes = 4;
    damaged.params['cnn-xst'].symmetry = 4;
    const back = loadSettings(memory(JSON.stringify(damaged)));
    expect(back.params['cnn-xst']).toEqual({ window: '21', search: '', model: 'my-xst', passes: '3', symmetry: '8' });
  });

  it('reads settings stored before symmetry averaging existed: what was typed kept, symmetry defaulted to the method’s default', () => {
    // what the panel wrote when the CNN forms had model and passes but no symmetry
    const old = {
      version: 1,
      method: 'cnn-xst',
      params: {
        icgn: { window: '25', search: '40', model: '', passes: '' },
        zncc: { window: '21', search: '8', model: '', passes: '' },
        umpa: { window: '11', search: '5', model: '', passes: '' },
        'cnn-dic': { window: '17', search: '', model: 'dicnet-s', passes: '2' },
        'cnn-xst': { window: '21', search: '', model: 'my-xst', passes: '5' },
        'cnn+icgn': { window: '25', search: '', model: 'dicnet-s', passes: '' },
      },
      common: { step: '3', strainWindow: '' },
    };
    const s = loadSettings(memory(JSON.stringify(old)));
    expect(s.method).toBe('cnn-xst');
    expect(s.params['cnn-xst']).toEqual({ window: '21', search: '', model: 'my-xst', passes: '5', symmetry: '8' });
    expect(s.params['cnn-dic']).toEqual({ window: '17', search: '', model: 'dicnet-s', passes: '2', symmetry: '8' });
    expect(s.params['cnn+icgn']).toEqual({ window: '25', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
    expect(s.params.icgn).toEqual({ window: '25', search: '40', model: '', passes: '', symmetry: '' });
    expect(s.common).toEqual({ step: '3', strainWindow: '' });
  });

  it('moves a cnn-dic form stored at the old 1-pass default to the current defaults, once, and keeps other choices', () => {
    const stored = (cnnDic: object, extra: object = {}) =>
      JSON.stringify({ ...defaultSettings(), cnnDefaults: undefined, ...extra, params: { ...defaultSettings().params, 'cnn-dic': cnnDic } });
    const old = loadSettings(memory(stored({ window: '17', search: '', model: 'my-dic', passes: '1', symmetry: '1' })));
    expect(old.params['cnn-dic']).toEqual({ window: '17', search: '', model: 'my-dic', passes: '3', symmetry: '8' });
    expect(old.cnnDefaults).toBe(2);
    // what the user typed under the old defaults, other than the 1-pass default, is kept
    const typed = loadSettings(memory(stored({ window: '15', search: '', model: 'dicnet-s', passes: '2', symmetry: '4' })));
    expect(typed.params['cnn-dic']).toEqual({ window: '15', search: '', model: 'dicnet-s', passes: '2', symmetry: '4' });
    // settings written under the current defaults keep a 1 the user chose
    const now = loadSettings(memory(stored({ window: '15', search: '', model: 'dicnet-s', passes: '1', symmetry: '1' }, { cnnDefaults: 2 })));
    expect(now.params['cnn-dic']).toEqual({ window: '15', search: '', model: 'dicnet-s', passes: '1', symmetry: '1' });
    // and a save after the migration records the generation, so it happens only once
    const m = memory();
    saveSettings(m, old);
    expect(JSON.parse(m.m.get(SETTINGS_KEY)!).cnnDefaults).toBe(2);
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
