import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GEOMETRY,
  displayValues,
  folderOf,
  geometryToForm,
  lineError,
  loadSettings,
  parseGeometry,
  profilesCsv,
  saveSettings,
  SETTINGS_KEY,
  snapToPixel,
  XRAY_METHODS,
  type ProfileEntry,
} from './xray';
import { XpciParamsSchema } from '../../../shared/contract';

describe('geometry form', () => {
  it('parses a full form, optional fields empty', () => {
    expect(parseGeometry(DEFAULT_GEOMETRY)).toEqual({ geometry: { pixelUm: 12, distanceM: 1, energyKeV: 30 }, errors: {} });
    const g = parseGeometry({ pixelUm: '6.5', distanceM: '0.8', energyKeV: '25', sourceDistanceM: '100', delta: '4e-7' });
    expect(g.geometry).toEqual({ pixelUm: 6.5, distanceM: 0.8, energyKeV: 25, sourceDistanceM: 100, delta: 4e-7 });
  });
  it('names every wrong field', () => {
    const g = parseGeometry({ pixelUm: '', distanceM: 'abc', energyKeV: '-3', sourceDistanceM: '0', delta: '0.5' });
    expect(g.geometry).toBeNull();
    expect(Object.keys(g.errors).sort()).toEqual(['delta', 'distanceM', 'energyKeV', 'pixelUm', 'sourceDistanceM']);
    expect(g.errors.distanceM).toContain('not a number');
    expect(g.errors.pixelUm).toContain('pixel pitch');
  });
  it('round-trips the simulator geometry', () => {
    const f = geometryToForm({ pixelUm: 12, distanceM: 76.82608160909416, energyKeV: 30, sourceDistanceM: null });
    expect(f).toEqual({ pixelUm: '12', distanceM: '76.82608161', energyKeV: '30', sourceDistanceM: '', delta: '' });
  });
  it('folder of a path', () => {
    expect(folderOf('/data/run1/sample.tif')).toBe('/data/run1');
    expect(folderOf('C:\\beam\\s.tif')).toBe('C:\\beam');
    expect(folderOf('s.tif')).toBe('');
  });
});

describe('maps and lines', () => {
  it('scales for display and keeps NaN', () => {
    const d = displayValues(Float32Array.from([1e-6, Number.NaN]), 1e6);
    expect(d[0]).toBeCloseTo(1, 5);
    expect(Number.isNaN(d[1])).toBe(true);
  });
  it('snaps to pixel centres inside the image', () => {
    expect(snapToPixel({ x: 10.7, y: -3 }, { width: 20, height: 10 })).toEqual({ x: 10, y: 0 });
    expect(snapToPixel({ x: 99, y: 9.99 }, { width: 20, height: 10 })).toEqual({ x: 19, y: 9 });
  });
  it('checks a line', () => {
    const size = { width: 20, height: 10 };
    expect(lineError({ x0: 1, y0: 1, x1: 18, y1: 1, width: 3 }, size)).toBeNull();
    expect(lineError({ x0: 1, y0: 1, x1: 20, y1: 1, width: 3 }, size)).toContain('on the map');
    expect(lineError({ x0: 1, y0: 1, x1: 2, y1: 1, width: 3 }, size)).toContain('2 pixels');
    expect(lineError({ x0: 1, y0: 1, x1: 8, y1: 1, width: 0 }, size)).toContain('band width');
  });
});

describe('profile CSV', () => {
  const entry = (label: string, v: number[], truth?: number[]): ProfileEntry => ({
    label,
    method: 'zncc',
    s: [0, 1, 2],
    sUm: [0, 12, 24],
    series: [
      { name: 'alpha_x', unit: 'µrad', source: 'measured', values: v },
      { name: 'phase', unit: 'rad', source: 'measured', values: [0, 0, 0] },
      ...(truth ? [{ name: 'alpha_x', unit: 'µrad', source: 'truth' as const, values: truth }] : []),
    ],
  });
  it('one column per run and the truth once, NaN for not measured', () => {
    const csv = profilesCsv([entry('#1 ZNCC', [1, 2, 3], [1.1, 2.1, 3.1]), { ...entry('#2 UMPA', [4, 5, 6], [1.1, 2.1, 3.1]), series: [{ name: 'alpha_x', unit: 'µrad', source: 'measured', values: [4, null, 6] }] }], 'alpha_x');
    expect(csv).toBe('s_px,s_um,#1_ZNCC_alpha_x_urad,truth_alpha_x_urad,#2_UMPA_alpha_x_urad\n0,0,1,1.1,4\n1,12,2,2.1,NaN\n2,24,3,3.1,6\n');
    expect(profilesCsv([], 'alpha_x')).toBe('');
  });
});

describe('settings', () => {
  it('defaults, round trip, and bad input', () => {
    const mem = new Map<string, string>();
    const st = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const s = loadSettings(st);
    expect(s.method).toBe('umpa');
    expect(s.geometry).toEqual(DEFAULT_GEOMETRY);
    s.geometryByFolder['/a'] = { ...DEFAULT_GEOMETRY, distanceM: '2' };
    s.method = 'zncc';
    saveSettings(st, s);
    expect(loadSettings(st)).toEqual(s);
    mem.set(SETTINGS_KEY, '{"method":"nonsense","step":-4,"geometryByFolder":7}');
    const bad = loadSettings(st);
    expect([bad.method, bad.step, bad.geometryByFolder]).toEqual(['umpa', 2, {}]);
    mem.set(SETTINGS_KEY, 'not json');
    expect(loadSettings(st).method).toBe('umpa');
  });

  it('offers only methods xpci.run takes, and remembers each of them', () => {
    const mem = new Map<string, string>();
    const st = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    expect(XRAY_METHODS.map((m) => m.id)).toEqual(['umpa', 'zncc', 'icgn', 'cnn-xst', 'cnn+icgn']);
    for (const { id } of XRAY_METHODS) {
      expect(XpciParamsSchema.shape.method.safeParse(id).success).toBe(true);
      const s = loadSettings(st);
      s.method = id;
      saveSettings(st, s);
      expect(loadSettings(st).method).toBe(id);
    }
  });
});
