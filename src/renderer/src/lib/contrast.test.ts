import { describe, expect, it } from 'vitest';
import { autoWindow, histogramPercentile, NAN_RGB, renderGrey } from './contrast';

function rgba(out: Uint32Array, i: number): number[] {
  return Array.from(new Uint8Array(out.buffer, i * 4, 4));
}

describe('histogramPercentile', () => {
  it('interpolates inside the crossing bin of a uniform histogram', () => {
    const hist = new Array(256).fill(10); // 2560 pixels uniformly over [0, 256)
    expect(histogramPercentile(hist, 0, 256, 0)).toBe(0);
    expect(histogramPercentile(hist, 0, 256, 50)).toBeCloseTo(128, 9);
    expect(histogramPercentile(hist, 0, 256, 0.5)).toBeCloseTo(1.28, 9);
    expect(histogramPercentile(hist, 0, 256, 100)).toBeCloseTo(256, 9);
  });

  it('skips empty bins and handles degenerate input', () => {
    const hist = new Array(256).fill(0);
    hist[10] = 100;
    hist[200] = 100;
    const lo = histogramPercentile(hist, 0, 256, 0.5);
    const hi = histogramPercentile(hist, 0, 256, 99.5);
    expect(lo).toBeGreaterThanOrEqual(10);
    expect(lo).toBeLessThan(11);
    expect(hi).toBeGreaterThanOrEqual(200);
    expect(hi).toBeLessThanOrEqual(201);
    expect(histogramPercentile(new Array(256).fill(0), 3, 7, 50)).toBe(3);
    expect(histogramPercentile([5], 4, 4, 50)).toBe(4);
  });
});

describe('autoWindow', () => {
  it('min/max is the full range; percentile clips outliers', () => {
    const hist = new Array(256).fill(0);
    hist[0] = 1; // one dark outlier
    for (let i = 100; i < 156; i++) hist[i] = 100;
    hist[255] = 1; // one bright outlier
    const stats = { min: -1000, max: 1560, histogram: hist };
    expect(autoWindow(stats, 'minmax')).toEqual({ lo: -1000, hi: 1560 });
    const w = autoWindow(stats, 'percentile');
    expect(w.lo).toBeGreaterThan(0);
    expect(w.hi).toBeLessThan(600);
  });
});

describe('renderGrey', () => {
  it('maps the window linearly to 0..255, clamps outside, marks NaN', () => {
    const data = new Float32Array([0, 10, 5, -3, 20, Number.NaN, Infinity, -Infinity]);
    const out = new Uint32Array(data.length);
    renderGrey(data, { lo: 0, hi: 10 }, out);
    expect(rgba(out, 0)).toEqual([0, 0, 0, 255]);
    expect(rgba(out, 1)).toEqual([255, 255, 255, 255]);
    expect(rgba(out, 2)).toEqual([128, 128, 128, 255]);
    expect(rgba(out, 3)).toEqual([0, 0, 0, 255]);
    expect(rgba(out, 4)).toEqual([255, 255, 255, 255]);
    expect(rgba(out, 5)).toEqual([...NAN_RGB, 255]);
    expect(rgba(out, 6)).toEqual([255, 255, 255, 255]);
    expect(rgba(out, 7)).toEqual([0, 0, 0, 255]);
  });

  it('shows a constant image mid-grey instead of dividing by zero', () => {
    const out = new Uint32Array(3);
    renderGrey(new Float32Array([7, 6, 8]), { lo: 7, hi: 7 }, out);
    expect([rgba(out, 0)[0], rgba(out, 1)[0], rgba(out, 2)[0]]).toEqual([128, 0, 255]);
  });
});
