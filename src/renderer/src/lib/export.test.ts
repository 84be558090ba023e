import { describe, expect, it } from 'vitest';
import { exportName, mapCsv, pngLabels, pngLayout, valueColumn } from './export';

describe('CSV export', () => {
  it('writes x, y and the float32 value for measured points only', () => {
    const data = new Float32Array([Number.NaN, 1.3, -0.6, Number.NaN, 0.1, 2]);
    expect(mapCsv({ name: 'u', unit: 'px' }, data, 3)).toBe('x_px,y_px,u_px\n1,0,1.3\n2,0,-0.6\n1,1,0.1\n2,1,2\n');
  });
  it('names columns and files by map and unit', () => {
    expect(valueColumn({ name: 'exx', unit: 'strain' })).toBe('exx_strain');
    expect(valueColumn({ name: 'quality', unit: '' })).toBe('quality');
    expect(exportName('/r/2026-11-21T12-00-00-000Z-track-icgn', 'u', 'csv')).toBe('2026-11-21T12-00-00-000Z-track-icgn-u.csv');
    expect(exportName('C:\\res\\run 1', 'mag', 'png')).toBe('run_1-mag.png');
  });
});

describe('PNG export', () => {
  it('magnifies small maps by a whole factor and leaves room for the colour bar', () => {
    const l = pngLayout(192, 160);
    expect(l.zoom).toBe(3);
    expect([l.width, l.mapHeight, l.height]).toEqual([576, 480, 524]);
    expect(pngLayout(4000, 3000).zoom).toBe(1);
    expect(pngLabels({ title: 'u: x', unit: 'px' }, { lo: -1, hi: 1 }, (v) => v.toFixed(2))).toEqual({ lo: '-1.00 px', hi: '1.00 px', caption: 'u: x · grey = not measured' });
  });
});
