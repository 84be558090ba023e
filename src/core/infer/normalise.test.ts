/**
 * Normalisation as the manifest prescribes it (normalise.ts): each kind's formula, statistics over the
 * whole image in float64, and clear errors for images that cannot be normalised.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { meanStd, normaliseImage } from './normalise';

describe('normaliseImage', () => {
  it('per-image-meanstd: zero mean, unit std (population), eps from the manifest', () => {
    // 16-bit-like data with a large offset, where a float32 or one-pass computation loses digits.
    const x = new Float32Array(10000);
    for (let i = 0; i < x.length; i++) x[i] = 60000 + ((i * 7919) % 101) - 50;
    const { data, applied } = normaliseImage(x, { kind: 'per-image-meanstd', eps: 1e-6 });
    const s = meanStd(data);
    expect(Math.abs(s.mean)).toBeLessThan(1e-5);
    expect(s.std).toBeCloseTo(1, 5);
    expect(applied.kind).toBe('per-image-meanstd');
    expect(x[0]).toBe(60000 - 50); // the input is left alone
  });

  it('maps a flat image to 0 when eps > 0 and refuses it when eps = 0', () => {
    const flat = new Float32Array(16).fill(7);
    expect([...normaliseImage(flat, { kind: 'per-image-meanstd', eps: 1e-3 }).data]).toEqual(new Array(16).fill(0));
    expect(() => normaliseImage(flat, { kind: 'per-image-meanstd', eps: 0 })).toThrowError(LabError);
    expect(() => normaliseImage(flat, { kind: 'per-image-minmax' }, 'ref.tif')).toThrowError(/ref\.tif is flat/);
  });

  it('applies affine, min–max and none exactly', () => {
    const x = Float32Array.from([2, 4, 6]);
    expect([...normaliseImage(x, { kind: 'affine', scale: 0.5, offset: -1 }).data]).toEqual([0, 1, 2]);
    expect([...normaliseImage(x, { kind: 'per-image-minmax' }).data]).toEqual([0, 0.5, 1]);
    expect([...normaliseImage(x, { kind: 'none' }).data]).toEqual([2, 4, 6]);
  });
});
