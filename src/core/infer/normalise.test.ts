/**
 * Normalisation as the manifest prescribes it (normalise.ts): each kind's formula, statistics over the
 * whole image in float64, and clear errors for images that cannot be normalised.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { denormaliseImage, meanStd, nominalRange, normalisationFor, normaliseImage } from './normalise';

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

describe('unit-range', () => {
  const norm = { kind: 'unit-range' } as const;

  it('maps the nominal range of the sample type to [0, 1], whatever the image holds', () => {
    const x = Float32Array.from([0, 51, 255]);
    const u8 = normaliseImage(x, norm, 'a.png', { sampleType: 'uint8', bitsPerSample: 8 });
    expect([...u8.data]).toEqual([0, 0.2, 1].map((v) => Math.fround(v)));
    // A dark 16-bit image stays dark (no per-image stretch).
    const x16 = Float32Array.from([0, 655.35, 6553.5]);
    const u16 = normaliseImage(x16, norm, 'b.tif', { sampleType: 'uint16', bitsPerSample: 16 });
    expect(u16.data[2]).toBeCloseTo(0.1, 6);
    // 12-bit TIFF, signed, palette, 1-bit.
    expect(nominalRange({ sampleType: 'uint16', bitsPerSample: 12 })).toEqual({ lo: 0, hi: 4095 });
    expect(nominalRange({ sampleType: 'int8', bitsPerSample: 8 })).toEqual({ lo: -128, hi: 127 });
    expect(nominalRange({ sampleType: 'uint8', bitsPerSample: 4, colour: 'palette' })).toEqual({ lo: 0, hi: 255 });
    expect(nominalRange({ sampleType: 'uint8', bitsPerSample: 1, colour: 'grey' })).toEqual({ lo: 0, hi: 1 });
    expect(nominalRange({ sampleType: 'float32', bitsPerSample: 32 })).toBeNull();
  });

  it('uses min–max over the whole image for float images, and inverts exactly', () => {
    const x = Float32Array.from([-2, 0, 6]);
    const { data, applied } = normaliseImage(x, norm, 'f.tif', { sampleType: 'float32', bitsPerSample: 32 });
    expect([...data]).toEqual([0, 0.25, 1]);
    expect([...denormaliseImage(data, applied)]).toEqual([-2, 0, 6]);
    const a16 = normalisationFor(x, norm, 'g.tif', { sampleType: 'uint16', bitsPerSample: 16 });
    expect(a16).toEqual({ kind: 'unit-range', offset: 0, scale: 1 / 65535 });
    expect(denormaliseImage(Float32Array.from([0.5]), a16)[0]).toBeCloseTo(32767.5, 2);
  });

  it('refuses without a sample type, and a flat float image, naming the image', () => {
    expect(() => normaliseImage(Float32Array.from([1, 2]), norm, 'c.tif')).toThrowError(/c\.tif.*sample type/);
    expect(() =>
      normaliseImage(new Float32Array(4).fill(3), norm, 'd.tif', { sampleType: 'float32', bitsPerSample: 32 }),
    ).toThrowError(/d\.tif is a flat float image/);
  });
});
