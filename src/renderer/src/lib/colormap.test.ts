import { describe, expect, it } from 'vitest';
import { colourAt, colourLut, cssGradient, NAN_COLOUR, packRgb, renderColour } from './colormap';

describe('colour maps', () => {
  it('diverging map is blue below, light grey at the centre, red above', () => {
    const [r0, , b0] = colourAt('diverging', 0);
    const mid = colourAt('diverging', 0.5);
    const [r1, , b1] = colourAt('diverging', 1);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(mid).toEqual([221, 221, 221]);
  });

  it('NaN grey is in no map', () => {
    for (const name of ['diverging', 'viridis'] as const) {
      const lut = colourLut(name);
      expect(Array.from(lut)).not.toContain(packRgb(NAN_COLOUR));
    }
  });

  it('renders values through the range, clamps the ends and paints NaN grey', () => {
    const out = new Uint32Array(5);
    renderColour(new Float32Array([-2, -1, 0, 1, Number.NaN]), { lo: -1, hi: 1 }, 'diverging', out);
    const lut = colourLut('diverging');
    expect(out[0]).toBe(lut[0]);
    expect(out[1]).toBe(lut[0]);
    expect(out[2]).toBe(lut[128]);
    expect(out[3]).toBe(lut[255]);
    expect(out[4]).toBe(packRgb(NAN_COLOUR));
  });

  it('a degenerate range shows the middle colour', () => {
    const out = new Uint32Array(2);
    renderColour(new Float32Array([3, 3]), { lo: 3, hi: 3 }, 'viridis', out);
    expect(out[0]).toBe(colourLut('viridis')[128]);
  });

  it('builds a CSS gradient from the first to the last colour', () => {
    const g = cssGradient('viridis', 'to right', 3);
    expect(g).toBe('linear-gradient(to right, rgb(68,1,84) 0.0%, rgb(33,144,141) 50.0%, rgb(253,231,37) 100.0%)');
  });
});
