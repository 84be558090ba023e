import { describe, expect, it } from 'vitest';
import { xrayFormFromResult } from './xray-reopen';

const run = (over: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}) => ({
  kind: 'xpci',
  method: 'zncc',
  parameters: { step: 2, delta: null, integrator: 'fc', ...parameters },
  geometry: { pixelUm: 12, distanceM: 1.5, energyKeV: 30, sourceM: null },
  inputs: [{ role: 'reference', path: 'C:\\d\\ref.tif' }, { role: 'sample', path: 'C:\\d\\s.tif' }],
  ...over,
});

describe('xray-reopen', () => {
  it('reads geometry, method, step, integrator and the images of an xpci run', () => {
    expect(xrayFormFromResult(run(), 'C:\\res\\x')).toEqual({
      geometry: { pixelUm: '12', distanceM: '1.5', energyKeV: '30', sourceDistanceM: '', delta: '' },
      method: 'zncc', step: 2, integrator: 'fc', refPath: 'C:\\d\\ref.tif', samplePath: 'C:\\d\\s.tif',
    });
  });

  it('leaves what the form cannot hold as it is, and refuses a folder without geometry', () => {
    const f = xrayFormFromResult(run({ method: 'cnn-dic' }, { step: 100, integrator: 'poisson' }), '/r');
    expect([f?.method, f?.step, f?.integrator]).toEqual([null, null, null]);
    expect(xrayFormFromResult(run({ geometry: { pixelUm: 12, energyKeV: 30 } }), '/r')).toBeNull();
    expect(xrayFormFromResult({ kind: 'track' }, '/r')).toBeNull();
  });

  it('takes a simulated phantom pair from the folder itself', () => {
    const f = xrayFormFromResult({ kind: 'simulate.xpci', geometry: { pixelUm: 12, distanceM: 76.82608161234, energyKeV: 30, sourceM: 50 } }, 'C:\\res\\sim');
    expect(f).toMatchObject({ refPath: 'C:\\res\\sim\\reference.tif', samplePath: 'C:\\res\\sim\\sample.tif', method: null });
    // in full, not rounded: the geometry a run would use is exactly the recorded one
    expect(f?.geometry).toEqual({ pixelUm: '12', distanceM: '76.82608161234', energyKeV: '30', sourceDistanceM: '50', delta: '' });
    expect(Number(f?.geometry.distanceM)).toBe(76.82608161234);
  });
});
