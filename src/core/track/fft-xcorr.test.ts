import { describe, expect, it } from 'vitest';
import { quietContext } from '../progress';
import { simulatePair } from '../synth';
import { fftXcorr } from './fft-xcorr';

async function pair(ux: number, uy: number, size = 128) {
  return simulatePair(
    { width: size, height: size, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux, uy }, seed: 7 },
    quietContext(),
  );
}

describe('fftXcorr', () => {
  it('finds integer shifts, with ZNCC 1 at the peak', async () => {
    for (const [ux, uy] of [[0, 0], [7, -5], [-13, 11], [20, 0]]) {
      const p = await pair(ux, uy);
      const r = fftXcorr(p.reference, p.deformed, 64, 64, { template: 21, search: 24 })!;
      expect(r).not.toBeNull();
      // The integer peak is exact; the parabola through an asymmetric speckle peak moves it a little.
      expect(Math.abs(r.dx - ux)).toBeLessThan(0.05);
      expect(Math.abs(r.dy - uy)).toBeLessThan(0.05);
      expect(r.zncc).toBeGreaterThan(0.999999);
      expect(r.onEdge).toBe(false);
    }
  });

  it('estimates sub-pixel shifts to a fraction of a pixel', async () => {
    const rows: string[] = [];
    for (const [ux, uy] of [[3.4, -2.7], [-0.5, 0.25], [10.8, 6.1]]) {
      const p = await pair(ux, uy);
      const r = fftXcorr(p.reference, p.deformed, 60, 70, { template: 21, search: 16 })!;
      rows.push(`(${ux}, ${uy}) → (${r.dx.toFixed(3)}, ${r.dy.toFixed(3)}), ZNCC ${r.zncc.toFixed(3)}`);
      expect(Math.abs(r.dx - ux)).toBeLessThan(0.2);
      expect(Math.abs(r.dy - uy)).toBeLessThan(0.2);
    }
    console.log(`FFT cross-correlation, sub-pixel by parabola:\n  ${rows.join('\n  ')}`);
  });

  it('flags a peak on the edge of the search range and refuses templates outside the image', async () => {
    const p = await pair(12, 0);
    const r = fftXcorr(p.reference, p.deformed, 64, 64, { template: 21, search: 6 })!;
    // The true shift lies beyond the search: either the best candidate sits on the edge or it is weak.
    expect(r.onEdge || r.zncc < 0.5).toBe(true);
    expect(fftXcorr(p.reference, p.deformed, 5, 64, { template: 21, search: 6 })).toBeNull();
    // Near the border the region is cut to the image (here to shifts −4 … 8 in x, −8 … 2 in y); shifts that fit are still found.
    const q = await pair(-3, 2);
    const e = fftXcorr(q.reference, q.deformed, 14, 115, { template: 21, search: 8 })!;
    expect([Math.round(e.dx), Math.round(e.dy)]).toEqual([-3, 2]);
  });
});
