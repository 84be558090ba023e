import { describe, expect, it } from 'vitest';
import { defaultKernelForm, defaultSettings, enlarge, kernelSpec, loadSettings, metricsView, parseNoise, parseRlOptions, restoreMethodLabel, runParams, scaleOf, SETTINGS_KEY } from './restore';

describe('restore lib', () => {
  it('turns the kernel form into the spec the core parses', () => {
    const f = defaultKernelForm();
    expect(kernelSpec({ ...f, kind: 'gauss', sigma: '1.6' }, 2).spec).toBe('gauss:1.6');
    expect(kernelSpec({ ...f, kind: 'aniso', sigma1: '3', sigma2: '1', theta: '45' }, 2).spec).toBe('gauss:3,1,45');
    expect(kernelSpec({ ...f, kind: 'motion', length: '9', angle: '-30' }, 2).spec).toBe('motion:9,-30');
    expect(kernelSpec({ ...f, kind: 'bicubic' }, 4).spec).toBe('bicubic:4');
    expect(kernelSpec({ ...f, kind: 'kernels12', n: 7 }, 2).spec).toBe('kernels12:7');
    expect(kernelSpec({ ...f, kind: 'file', file: ' /k.csv ' }, 2).spec).toBe('/k.csv');
    expect(kernelSpec({ ...f, kind: 'gauss', sigma: '0' }, 2)).toMatchObject({ spec: null, field: 'sigma' });
    expect(kernelSpec({ ...f, kind: 'aniso', sigma1: '2', sigma2: '', theta: '0' }, 2)).toMatchObject({ spec: null, field: 'sigma2' });
    expect(kernelSpec({ ...f, kind: 'file', file: '' }, 2)).toMatchObject({ spec: null, field: 'file' });
  });

  it('validates noise and Richardson–Lucy options', () => {
    expect(parseNoise('')).toEqual({ value: 0, error: null });
    expect(parseNoise('2.55').value).toBe(2.55);
    expect(parseNoise('-1').value).toBeNull();
    expect(parseRlOptions('', '30')).toEqual({ options: { iterations: 30 }, error: null, field: null });
    expect(parseRlOptions('1.2', '')).toEqual({ options: { sigma: 1.2 }, error: null, field: null });
    expect(parseRlOptions('0', '30').field).toBe('sigma');
    expect(parseRlOptions('', '2.5').field).toBe('iterations');
  });

  it('builds the contract parameters of a run', () => {
    const s = defaultSettings();
    expect(runParams(s, '/a.tif', null)).toEqual({ mode: 'deblur', params: { inPath: '/a.tif', method: 'midnet', options: {} }, error: null });
    s.deblur.method = 'richardson-lucy';
    expect(runParams(s, '/a.tif', '/r.tif').params).toEqual({ inPath: '/a.tif', refPath: '/r.tif', method: 'richardson-lucy', options: { iterations: 30 } });
    s.mode = 'sr';
    s.sr.method = 'fsrcnn';
    s.sr.scale = 3;
    expect(runParams(s, '/a.tif', null).params).toEqual({ inPath: '/a.tif', scale: 3, method: 'fsrcnn' });
    s.sr.method = 'usrnet';
    expect(runParams(s, '/a.tif', null).params).toEqual({ inPath: '/a.tif', scale: 3, method: 'usrnet', kernel: 'gauss:1.6', noise: 0 });
    s.sr.noise = 'x';
    expect(runParams(s, '/a.tif', null).error).toMatch(/noise level/);
  });

  it('reads settings defensively', () => {
    expect(loadSettings({ getItem: () => 'not json' })).toEqual(defaultSettings());
    const s = loadSettings({ getItem: (k) => (k === SETTINGS_KEY ? JSON.stringify({ version: 1, mode: 'sr', split: 7, sr: { scale: 9 } }) : null) });
    expect(s.mode).toBe('sr');
    expect(s.split).toBe(0.5);
    expect(s.sr.scale).toBe(2);
  });

  it('enlarges by pixel repetition and finds the scale', () => {
    expect(Array.from(enlarge(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2, 2))).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
    expect(scaleOf(10, 30, 5, 15)).toBe(3);
    expect(scaleOf(10, 10, 5, 5)).toBe(1);
    expect(scaleOf(10, 25, 5, 12)).toBe(1);
  });

  it('reads the metrics of a deblur and an SR result.json, NaN written as null', () => {
    const d = metricsView({
      kind: 'deblur', method: 'richardson-lucy', model: null, executionProvider: null, timingsMs: { deblur: 12.5 },
      metrics: { dataRange: 65535, dataRangeSource: 'nominal', border: 0, reference: null, sharpness: { input: { tenengrad: 1e-3 }, output: { tenengrad: 3e-3 } } },
    });
    expect(d).toMatchObject({ reference: null, provider: null, models: [], timeMs: 12.5, sharpnessIn: 1e-3, sharpnessOut: 3e-3 });
    const s = metricsView({
      kind: 'super-resolution', method: 'usrnet', provider: 'cuda', models: [{ id: 'usrnet-s-prior' }, { id: 'usrnet-s-hypa' }], timingsMs: { total: 900 },
      metrics: { dataRange: null, border: 2, reference: { psnrDb: { input: null, output: 30.1 }, ssim: { input: null, output: 0.9 } }, sharpness: {} },
    });
    expect(s).toMatchObject({ provider: 'cuda', models: ['usrnet-s-prior', 'usrnet-s-hypa'], dataRange: null, border: 2, timeMs: 900 });
    expect(s.reference).toEqual({ psnrIn: null, psnrOut: 30.1, ssimIn: null, ssimOut: 0.9, inputLabel: 'bicubic' });
  });
  it('names methods as people write them', () => {
    expect(['nafnet', 'midnet', 'richardson-lucy', 'usrnet', 'fsrcnn', 'bicubic'].map(restoreMethodLabel)).toEqual(['NAFNet', 'MIDNet', 'Richardson–Lucy', 'USRNet', 'FSRCNN', 'Bicubic']);
    expect(restoreMethodLabel('future-net')).toBe('future-net');
  });
});
