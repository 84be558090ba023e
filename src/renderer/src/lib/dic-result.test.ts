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
    expect(describeMap('quality', '1', 'cnn-xst').title).toMatch(/warped back by the predicted field/);
    expect(describeMap('quality', '1', 'cnn+icgn').title).toMatch(/correlation of the match/);
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
      methodForm: { window: '21', search: '32', model: '', passes: '', symmetry: '' },
      common: { step: '4', strainWindow: '' },
      roi: { rect: { x: 40, y: 30, width: 110, height: 100 }, shapes: { include: [], exclude: [] } },
    });
  });
  it('gives back a region ROI through the one ROI reader: rectangle and polygons, or null when unreadable', () => {
    const region = { kind: 'region', rect: { x: 0, y: 0, width: 8, height: 8 }, include: [{ points: [[10, 10], [80, 10], [40, 70]] }], exclude: [{ points: [[30, 30], [40, 30], [35, 40]] }] };
    const form = formFromProvenance(parseProvenance({ ...RESULT, parameters: { ...RESULT.parameters, roi: region } }));
    expect(form?.roi).toEqual({ rect: region.rect, shapes: { include: region.include, exclude: region.exclude } });
    // not an ROI the contract knows: null, so the caller leaves the drawing alone (it used to clear the rectangle)
    expect(formFromProvenance(parseProvenance({ ...RESULT, parameters: { ...RESULT.parameters, roi: { kind: 'blob' } } }))?.roi).toBeNull();
    // no ROI recorded: the whole image
    const { roi: _, ...noRoi } = RESULT.parameters;
    expect(formFromProvenance(parseProvenance({ ...RESULT, parameters: noRoi }))?.roi).toEqual({ rect: null, shapes: { include: [], exclude: [] } });
  });
  it('describes a region ROI as what it is made of, not as the whole image', () => {
    const region = { kind: 'region', include: [{ points: [[10, 10], [80, 10], [40, 70]] }], exclude: [{ points: [[30, 30], [40, 30], [35, 40]] }] };
    const rows = Object.fromEntries(parameterRows(parseProvenance({ ...RESULT, parameters: { ...RESULT.parameters, roi: region } })).map((r) => [r.label, r.value]));
    expect(rows.ROI).toBe('1 polygon − 1 exclusion');
    const whole = Object.fromEntries(parameterRows(parseProvenance({ ...RESULT, parameters: { ...RESULT.parameters, roi: null } })).map((r) => [r.label, r.value]));
    expect(whole.ROI).toBe('whole image');
  });
  it('gives back the form of a CNN run: model, passes, symmetry, quality window or subset; the typed step stays', () => {
    // as track-task.ts records cnn-xst: the core's full options, the step it used (1), the ROI
    const xst = parseProvenance({
      ...RESULT,
      method: 'cnn-xst',
      parameters: { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 21, passes: 2, symmetry: 4, step: 1, roi: null, strainWindow: 15 },
    });
    expect(formFromProvenance(xst, { step: '6', strainWindow: '' })).toEqual({
      method: 'cnn-xst',
      methodForm: { window: '21', search: '', model: 'cade-xst-s', passes: '2', symmetry: '4' },
      common: { step: '6', strainWindow: '15' },
      roi: { rect: null, shapes: { include: [], exclude: [] } },
    });
    const rows = Object.fromEntries(parameterRows(xst).map((r) => [r.label, r.value]));
    expect(rows).toMatchObject({ Model: 'cade-xst-s', Passes: '2', Symmetry: '4 orientations (flips)', 'Quality window': '21 px', 'CNN tile': '1024 px', 'CNN tile overlap': 'from the model' });
    const seeded = parseProvenance({
      ...RESULT,
      method: 'cnn+icgn',
      parameters: { model: 'dicnet-s', tile: 1024, overlap: 0, subset: 25, maxIterations: 30, tolerance: 0.001, minZncc: 0.7, step: 3, roi: null, strainWindow: null },
    });
    expect(formFromProvenance(seeded)).toEqual({
      method: 'cnn+icgn',
      methodForm: { window: '25', search: '', model: 'dicnet-s', passes: '', symmetry: '' },
      common: { step: '3', strainWindow: '' },
      roi: { rect: null, shapes: { include: [], exclude: [] } },
    });
    // cnn+icgn has no symmetry, so its summary has no such row
    expect(parameterRows(seeded).map((r) => r.label)).not.toContain('Symmetry');
    // a cnn-xst result from before the passes option records no passes (nor symmetry): it ran one pass in one
    // orientation, not today's defaults 3 and 8
    const older = parseProvenance({ ...RESULT, method: 'cnn-xst', parameters: { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 21, step: 1, roi: null } });
    expect(formFromProvenance(older)?.methodForm).toEqual({ window: '21', search: '', model: 'cade-xst-s', passes: '1', symmetry: '1' });
    expect(parameterRows(older).map((r) => r.label)).not.toContain('Symmetry');
    // one made after passes but before symmetry: its passes kept, one orientation
    const beforeSymmetry = parseProvenance({ ...RESULT, method: 'cnn-xst', parameters: { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 15, passes: 3, step: 1, roi: null } });
    expect(formFromProvenance(beforeSymmetry)?.methodForm).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '1' });
    // today's cnn-xst default as track-task.ts records it, and a cnn-dic run with it off
    const today = parseProvenance({ ...RESULT, method: 'cnn-xst', parameters: { model: 'cade-xst-s', tile: 1024, overlap: 0, qualityWindow: 15, passes: 3, symmetry: 8, step: 1, roi: null } });
    expect(formFromProvenance(today)?.methodForm).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '8' });
    expect(Object.fromEntries(parameterRows(today).map((r) => [r.label, r.value])).Symmetry).toBe('8 orientations (flips, transposes)');
    const dic = parseProvenance({ ...RESULT, method: 'cnn-dic', parameters: { model: 'dicnet-s', tile: 1024, overlap: 0, qualityWindow: 15, passes: 1, symmetry: 1, step: 1, roi: null } });
    expect(formFromProvenance(dic)?.methodForm.symmetry).toBe('1');
    expect(Object.fromEntries(parameterRows(dic).map((r) => [r.label, r.value])).Symmetry).toBe('1 orientation (off)');
    // a CNN result without its model is not one the form can repeat
    expect(formFromProvenance(parseProvenance({ ...RESULT, method: 'cnn-dic', parameters: { qualityWindow: 15, passes: 1 } }))).toBeNull();
  });
});
