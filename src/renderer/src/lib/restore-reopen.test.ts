import { describe, expect, it } from 'vitest';
import { defaultKernelForm, kernelSpec, type SrScale } from './restore';
import { kernelFormOfSpec, restoreFormFromResult } from './restore-reopen';

const deblur = (method: string, parameters: Record<string, unknown>) => ({
  kind: 'deblur',
  method,
  parameters,
  inputs: [{ role: 'blurry', path: '/d/in.tif' }],
  output: { file: 'deblurred.tif' },
});

describe('restore-reopen', () => {
  it('turns every kernel spec the form writes back into the same form', () => {
    const specs: [string, SrScale][] = [['gauss:1.6', 2], ['gauss:2,1,30', 2], ['motion:9,-45', 3], ['bicubic:4', 4], ['kernels12:10', 2], ['/k/kernel.tif', 2]];
    for (const [spec, scale] of specs) {
      const form = { ...defaultKernelForm(), ...kernelFormOfSpec(spec) };
      expect(kernelSpec(form, scale).spec).toBe(spec);
    }
    expect(kernelFormOfSpec('gauss:2,1')).toEqual({ kind: 'file', file: 'gauss:2,1' });
  });

  it('reads Richardson–Lucy σ as given, or empty when it was estimated', () => {
    const given = restoreFormFromResult(deblur('richardson-lucy', { sigmaPx: 1.2, sigmaSource: 'given', iterations: 25 }));
    expect(given?.deblur).toEqual({ method: 'richardson-lucy', sigma: '1.2', iterations: '25' });
    const estimated = restoreFormFromResult(deblur('richardson-lucy', { sigmaPx: 1.37, sigmaSource: 'estimated from the power spectrum', iterations: 30 }));
    expect(estimated?.deblur?.sigma).toBe('');
    const cnn = restoreFormFromResult(deblur('nafnet', { modelId: 'nafnet-s' }));
    expect(cnn).toMatchObject({ mode: 'deblur', deblur: { method: 'nafnet', sigma: null, iterations: null }, inPath: '/d/in.tif', refPath: null, outputFile: 'deblurred.tif' });
  });

  it('reads SR scale and method; kernel and noise only for USRNet', () => {
    const base = { kind: 'super-resolution', inputs: [{ role: 'input', path: '/d/in.tif' }, { role: 'reference', path: '/d/hr.tif' }], output: { file: 'sr.tif' } };
    expect(restoreFormFromResult({ ...base, method: 'fsrcnn', parameters: { scale: 3, kernel: null } })).toMatchObject({
      mode: 'sr', sr: { scale: 3, method: 'fsrcnn', noise: null, kernel: null }, refPath: '/d/hr.tif',
    });
    expect(restoreFormFromResult({ ...base, method: 'usrnet', parameters: { scale: 4, kernel: { spec: 'kernels12:3' }, noise: { greyLevels: 0 } } })?.sr).toEqual({
      scale: 4, method: 'usrnet', noise: '0', kernel: { kind: 'kernels12', n: 3 },
    });
  });

  it('refuses folders that are not restorations or lack what before / after needs', () => {
    expect(restoreFormFromResult({ kind: 'track' })).toBeNull();
    expect(restoreFormFromResult({ ...deblur('midnet', {}), inputs: [] })).toBeNull();
    expect(restoreFormFromResult({ ...deblur('midnet', {}), output: {} })).toBeNull();
    expect(restoreFormFromResult(deblur('unknown-net', {}))).toBeNull();
    expect(restoreFormFromResult({ kind: 'super-resolution', method: 'bicubic', parameters: { scale: 5 }, inputs: [{ role: 'input', path: '/a' }], output: { file: 'sr.tif' } })).toBeNull();
  });
});
