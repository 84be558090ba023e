import { describe, expect, it } from 'vitest';
import { buildGrid, gridToFull, splitTiles } from './grid';

describe('buildGrid', () => {
  it('keeps every point at least `margin` px from the border', () => {
    const { spec } = buildGrid(100, 60, 5, 12);
    expect(spec.x0).toBeGreaterThanOrEqual(12);
    expect(spec.y0).toBeGreaterThanOrEqual(12);
    expect(spec.x0 + (spec.nx - 1) * spec.step).toBeLessThanOrEqual(100 - 1 - 12);
    expect(spec.y0 + (spec.ny - 1) * spec.step).toBeLessThanOrEqual(60 - 1 - 12);
  });
  it('starts a rectangle ROI grid at its corner', () => {
    const { spec, active } = buildGrid(200, 200, 4, 10, { kind: 'rect', x: 40, y: 50, width: 30, height: 20 });
    expect([spec.x0, spec.y0]).toEqual([40, 50]);
    expect(spec.x0 + (spec.nx - 1) * 4).toBeLessThanOrEqual(69);
    expect(active.every((a) => a === 1)).toBe(true);
  });
  it('marks mask-excluded points inactive', () => {
    const mask = new Uint8Array(50 * 50);
    for (let y = 0; y < 50; y++) for (let x = 0; x < 25; x++) mask[y * 50 + x] = 1;
    const { spec, active } = buildGrid(50, 50, 1, 5, { kind: 'mask', mask });
    const xs = [...active.keys()].filter((k) => active[k]).map((k) => spec.x0 + (k % spec.nx));
    expect(Math.max(...xs)).toBe(24);
  });
  it('refuses a ROI outside the image and a window that leaves nothing', () => {
    expect(() => buildGrid(50, 50, 1, 5, { kind: 'rect', x: 40, y: 0, width: 20, height: 10 })).toThrow(/does not lie inside/);
    expect(() => buildGrid(20, 20, 1, 12)).toThrow(/No point can be measured/);
  });
});

describe('splitTiles', () => {
  it('covers every grid row exactly once', () => {
    const spec = { x0: 0, y0: 0, step: 1, nx: 300, ny: 77 };
    const tiles = splitTiles(spec, 1000, 1);
    expect(tiles.reduce((s, t) => s + t.nj, 0)).toBe(77);
    tiles.forEach((t, k) => k > 0 && expect(t.j0).toBe(tiles[k - 1].j0 + tiles[k - 1].nj));
  });
});

describe('gridToFull', () => {
  it('reproduces a linear field exactly between grid points and leaves NaN outside', () => {
    const spec = { x0: 4, y0: 6, step: 5, nx: 5, ny: 4 };
    const g = new Float32Array(20).map((_, k) => 2 * (spec.x0 + (k % 5) * 5) - 3 * (spec.y0 + Math.floor(k / 5) * 5));
    const full = gridToFull(g, spec, 40, 30, null);
    expect(full[10 * 40 + 13]).toBeCloseTo(2 * 13 - 3 * 10, 4);
    expect(Number.isNaN(full[0])).toBe(true);
    expect(Number.isNaN(full[29 * 40 + 39])).toBe(true);
  });
  it('never interpolates across an invalid grid point', () => {
    const spec = { x0: 0, y0: 0, step: 4, nx: 2, ny: 2 };
    const full = gridToFull(Float32Array.from([1, Number.NaN, 1, 1]), spec, 5, 5, null);
    expect(Number.isNaN(full[0 * 5 + 3])).toBe(true); // nearest corner is the NaN one
    expect(full[4 * 5 + 0]).toBe(1);
  });
});
