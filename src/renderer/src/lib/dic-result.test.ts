import { describe, expect, it } from 'vitest';
import { describeMap, formatMs, formatValue, formFromProvenance, MAGNITUDE, orderMaps, parameterRows, parseProvenance, timingText, validText } from './dic-result';

/** As src/core/tasks/track-task.ts writes it. */
const RESULT = {
  kind: 'track',
  appVersion: '0.1.0',
  createdAt: '2026-11-21T12:00:00.000Z',
  method: 'icgn',
  parameters: { subset: 21, search: 32, maxIterations: 30, tolerance: 0.001, minZncc: 0.7, step: 4, roi: { x: 40, y: 30, width: 110, height: 100 }, strainWindow: null },
  inputs: [
    { role: 'reference', path: '/d/ref.tif', name: 'ref.tif', width: 192, height: 160, sha256: 'ab'.repeat(32), pixelSize: null },
    { role: 'deformed', path: '/d/def.tif', name: 'def.tif', width: 192, height: 160, sha256: 'cd'.repeat(32), pixelSize: null },
  ],
  grid: { x0: 40, y0: 30, step: 4, nx: 28, ny: 25 },
  points: { measured: 700, valid: 681 },
  summary: {},
  messages: ['19 of 700 points (2.7%) were rejected and are NaN.'],
  timingsMs: { prepare: 12, track: 840, total: 903 },
};

describe('maps', () => {
  it('orders and describes the maps, signed ones diverging', () => {
    expect(orderMaps(['quality', 'v', 'exx', 'u', 'foo', MAGNITUDE])).toEqual(['u', 'v', MAGNITUDE, 'quality', 'exx', 'foo']);
    expect(describeMap('u')).toMatchObject({ unit: 'px', signed: true, colourMap: 'diverging' });
    expect(describeMap('exy')).toMatchObject({ unit: 'strain', signed: true });
    expect(describeMap(MAGNITUDE)).toMatchObject({ label: '|u|', signed: false, colourMap: 'viridis' });
    expect(describeMap('quality', '1', 'umpa').title).toMatch(/cost/);
    expect(describeMap('alpha_x', 'rad')).toMatchObject({ unit: 'rad', signed: false });
  });
  it('formats values with their unit and says "not measured" for NaN', () => {
    expect(formatValue(1.30004, { unit: 'px' })).toBe('1.3000 px');
    expect(formatValue(-0.6, { unit: 'px' })).toBe('-0.6000 px');
    expect(formatValue(Number.NaN, { unit: 'px' })).toBe('not measured');
    expect(formatValue(null, { unit: 'px' })).toBe('—');
    expect(formatValue(0.000123, { unit: 'strain' })).toBe('0.000123 strain');
    expect(formatValue(0.93, { unit: '' })).toBe('0.9300');
  });
});

describe('provenance', () => {
  it('reads what the core writes', () => {
    const p = parseProvenance(RESULT);
    expect(p.method).toBe('icgn');
    expect(p.points).toEqual({ measured: 700, valid: 681 });
    expect(p.inputs[1].name).toBe('def.tif');
    expect(validText(p.points)).toBe('97.3 % (681 of 700 points)');
    expect(timingText(p.timingsMs)).toBe('prepare 12 ms · track 840 ms · total 903 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
  });
  it('lists the parameters with units', () => {
    const rows = Object.fromEntries(parameterRows(parseProvenance(RESULT)).map((r) => [r.label, r.value]));
    expect(rows).toMatchObject({ Subset: '21 px', 'Search radius': '32 px', 'Grid step': '4 px', ROI: 'x 40, y 30, 110 × 100 px', 'Strain window': 'none', Tolerance: '0.001 px', 'Min ZNCC': '0.7' });
  });
  it('opens a foreign or damaged result.json with what it has', () => {
    const p = parseProvenance({ kind: 'simulate.pair', points: 'x', inputs: 3 });
    expect(p).toMatchObject({ kind: 'simulate.pair', method: null, points: null, inputs: [], messages: [] });
    expect(formFromProvenance(p)).toBeNull();
  });
  it('gives back the form a run was made with', () => {
    expect(formFromProvenance(parseProvenance(RESULT))).toEqual({
      method: 'icgn',
      methodForm: { window: '21', search: '32' },
      common: { step: '4', strainWindow: '' },
      roi: { x: 40, y: 30, width: 110, height: 100 },
    });
  });
});
