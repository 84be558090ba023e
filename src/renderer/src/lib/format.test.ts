import { describe, expect, it } from 'vitest';
import { formatDuration, formatFloat32, formatNative, formatNumber, formatPhysical, formatSampleType, physDecimals } from './format';

describe('formatFloat32', () => {
  it('gives the shortest text that reads back as the same float32', () => {
    const f = new Float32Array([0.3, 1 / 3, 12345.678, -0.000123, 1e-30, 65535]);
    for (const v of f) expect(Math.fround(Number(formatFloat32(v)))).toBe(v);
    expect(formatFloat32(f[0])).toBe('0.3');
    expect(formatFloat32(f[5])).toBe('65535');
    expect(formatFloat32(Number.NaN)).toBe('NaN');
  });
});

describe('formatNative', () => {
  it('prints integers for integer types', () => {
    expect(formatNative(4095, 'uint16')).toBe('4095');
    expect(formatNative(-3, 'int16')).toBe('-3');
    expect(formatNative(Math.fround(0.1), 'float32')).toBe('0.1');
  });
});

describe('formatNumber', () => {
  it('keeps significant digits without trailing zeros', () => {
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(1234.56789)).toBe('1234.57');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
  });
});

describe('physical units', () => {
  it('resolves one pixel of the pitch', () => {
    expect(physDecimals(7)).toBe(0);
    expect(physDecimals(0.65)).toBe(2);
    expect(physDecimals(0.0123)).toBe(3);
    expect(formatPhysical(12, 3, { x: 7, y: 7, source: 'ImageJ' })).toBe('84, 21 µm');
    expect(formatPhysical(12, 3, { x: 0.5, y: 0.25, source: 'tags' })).toBe('6.00, 0.75 µm');
  });
});

describe('formatSampleType / formatDuration', () => {
  it('notes bits used when fewer than the type holds', () => {
    expect(formatSampleType('uint16', 12)).toBe('uint16 (12 bits)');
    expect(formatSampleType('float32', 32)).toBe('float32');
  });
  it('formats durations', () => {
    expect(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.850Z')).toBe('850 ms');
    expect(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T00:04:05Z')).toBe('4 min 05 s');
    expect(formatDuration('x', 'y')).toBe('');
  });
});
