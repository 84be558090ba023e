/**
 * @file The shared ROI rasteriser (src/shared/roi-raster.ts) against a brute-force even-odd point-in-polygon
 * reference. It lives here, not beside its source, because src/shared may import zod only (test/layering.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../src/core/synth/rng';
import { countRegion, countRegionLattice, countSelected, PolygonScanner, polygonSpans, rasteriseRegion, regionSpans, type RoiPoint, type RoiRegionLike } from '../src/shared/roi-raster';

/** The classic even-odd point-in-polygon test (PNPOLY), written independently of the scanline fill. */
function pnpoly(pts: readonly RoiPoint[], px: number, py: number): boolean {
  let c = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Brute force: every pixel centre tested against every polygon. */
function reference(region: RoiRegionLike, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  const inc = region.include ?? [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      const r = region.rect;
      let on = !r && inc.length === 0;
      if (r && x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) on = true;
      if (inc.some((p) => pnpoly(p.points, cx, cy))) on = true;
      if ((region.exclude ?? []).some((p) => pnpoly(p.points, cx, cy))) on = false;
      m[y * width + x] = on ? 1 : 0;
    }
  }
  return m;
}

function mismatches(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) n++;
  return n;
}

describe('rasteriseRegion', () => {
  it('selects pixels by their centre: a half-pixel-aligned triangle', () => {
    // (0,0)-(4,0)-(0,4): centre (x+.5, y+.5) inside when x + y + 1 < 4
    const m = rasteriseRegion({ include: [{ points: [[0, 0], [4, 0], [0, 4]] }] }, 5, 5);
    const rows = Array.from({ length: 5 }, (_, y) => Array.from(m.subarray(y * 5, y * 5 + 5)).join(''));
    expect(rows).toEqual(['11100', '11000', '10000', '00000', '00000']);
  });

  it('matches point-in-polygon on random self-crossing polygons with float vertices, some outside the image', () => {
    const rand = rng(7);
    for (let t = 0; t < 60; t++) {
      const w = 20 + Math.floor(rand() * 40);
      const h = 20 + Math.floor(rand() * 40);
      const poly = (n: number) => ({ points: Array.from({ length: n }, () => [rand() * (w + 20) - 10, rand() * (h + 20) - 10] as RoiPoint) });
      const region = { include: [poly(3 + Math.floor(rand() * 12))], exclude: t % 2 ? [poly(3 + Math.floor(rand() * 6))] : [] };
      expect(mismatches(rasteriseRegion(region, w, h), reference(region, w, h)), `trial ${t}`).toBe(0);
    }
  });

  it('matches on integer and half-integer vertices, where centres and edges line up exactly', () => {
    const rand = rng(11);
    for (let t = 0; t < 60; t++) {
      const w = 16, h = 12;
      const pts = Array.from({ length: 3 + Math.floor(rand() * 8) }, () => [Math.round(rand() * 40 - 12) / 2, Math.round(rand() * 32 - 8) / 2] as RoiPoint);
      const region = { include: [{ points: pts }] };
      expect(mismatches(rasteriseRegion(region, w, h), reference(region, w, h)), `trial ${t}: ${JSON.stringify(pts)}`).toBe(0);
    }
  });

  it('fills a concave polygon (a U shape) without bridging its notch', () => {
    const u: RoiPoint[] = [[2, 2], [18, 2], [18, 18], [13, 18], [13, 7], [7, 7], [7, 18], [2, 18]];
    const region = { include: [{ points: u }] };
    const m = rasteriseRegion(region, 20, 20);
    expect(mismatches(m, reference(region, 20, 20))).toBe(0);
    expect(m[10 * 20 + 10]).toBe(0); // in the notch
    expect(m[10 * 20 + 4]).toBe(1); // left arm
    expect(m[4 * 20 + 10]).toBe(1); // the bar
    expect(countSelected(m)).toBe(16 * 16 - 6 * 11);
  });

  it('handles self-touching edges: two squares meeting at one vertex, and a slit polygon', () => {
    const bow: RoiPoint[] = [[0, 0], [5, 0], [5, 5], [10, 5], [10, 10], [5, 10], [5, 5], [0, 5]];
    const slit: RoiPoint[] = [[1, 1], [9, 1], [9, 9], [5, 9], [5, 4], [5, 9], [1, 9]];
    for (const pts of [bow, slit]) {
      const region = { include: [{ points: pts }] };
      expect(mismatches(rasteriseRegion(region, 12, 12), reference(region, 12, 12))).toBe(0);
    }
    expect(countSelected(rasteriseRegion({ include: [{ points: bow }] }, 12, 12))).toBe(50);
    expect(countSelected(rasteriseRegion({ include: [{ points: slit }] }, 12, 12))).toBe(64);
  });

  it('clips a polygon partly outside the image, and selects nothing for one wholly outside', () => {
    const region = { include: [{ points: [[-30, -10], [15, 4], [-5, 40]] as RoiPoint[] }] };
    const m = rasteriseRegion(region, 10, 10);
    expect(mismatches(m, reference(region, 10, 10))).toBe(0);
    expect(countSelected(m)).toBeGreaterThan(0);
    expect(countSelected(rasteriseRegion({ include: [{ points: [[20, 20], [30, 20], [25, 30]] }] }, 10, 10))).toBe(0);
    expect(countSelected(rasteriseRegion({ include: [{ points: [[-9, 2], [-1, 2], [-5, 8]] }] }, 10, 10))).toBe(0);
  });

  it('cuts an exclusion hole out of the include polygons and of the rectangle', () => {
    const hole = { points: [[8, 8], [12, 8], [12, 12], [8, 12]] as RoiPoint[] };
    const square = { points: [[4, 4], [16, 4], [16, 16], [4, 16]] as RoiPoint[] };
    const a = rasteriseRegion({ include: [square], exclude: [hole] }, 20, 20);
    expect(countSelected(a)).toBe(144 - 16);
    expect(a[10 * 20 + 10]).toBe(0);
    expect(a[5 * 20 + 5]).toBe(1);
    const b = rasteriseRegion({ rect: { x: 4, y: 4, width: 12, height: 12 }, exclude: [hole] }, 20, 20);
    expect(mismatches(a, b)).toBe(0);
  });

  it('means the whole image minus the exclusions when it has no rectangle and no include polygon', () => {
    const m = rasteriseRegion({ exclude: [{ points: [[0, 0], [2, 0], [2, 2], [0, 2]] }] }, 4, 3);
    expect(Array.from(m)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('rasterises a detailed outline on an 8k × 8k image by scanlines, agreeing with the reference where sampled', () => {
    const n = 2000;
    const pts: RoiPoint[] = Array.from({ length: n }, (_, k) => {
      const a = (2 * Math.PI * k) / n;
      const r = 3000 + 800 * Math.sin(9 * a);
      return [4096 + r * Math.cos(a), 4096 + r * Math.sin(a)];
    });
    const size = 8192;
    const m = rasteriseRegion({ include: [{ points: pts }] }, size, size);
    const rand = rng(3);
    for (let t = 0; t < 2000; t++) {
      const x = Math.floor(rand() * size);
      const y = Math.floor(rand() * size);
      expect(m[y * size + x]).toBe(pnpoly(pts, x + 0.5, y + 0.5) ? 1 : 0);
    }
  });

  it('unites many overlapping include polygons and a rectangle, minus overlapping exclusions, as the reference does', () => {
    const rand = rng(17);
    for (let t = 0; t < 40; t++) {
      const w = 24 + Math.floor(rand() * 40);
      const h = 24 + Math.floor(rand() * 40);
      const poly = (n: number) => ({ points: Array.from({ length: n }, () => [rand() * (w + 10) - 5, rand() * (h + 10) - 5] as RoiPoint) });
      const region: RoiRegionLike = {
        rect: t % 3 === 0 ? { x: Math.floor(rand() * w), y: Math.floor(rand() * h), width: 1 + Math.floor(rand() * w), height: 1 + Math.floor(rand() * h) } : undefined,
        include: Array.from({ length: Math.floor(rand() * 7) }, () => poly(3 + Math.floor(rand() * 8))),
        exclude: Array.from({ length: Math.floor(rand() * 5) }, () => poly(3 + Math.floor(rand() * 6))),
      };
      expect(mismatches(rasteriseRegion(region, w, h), reference(region, w, h)), `trial ${t}`).toBe(0);
    }
  });

  it('reports spans within the image only', () => {
    const seen: [number, number, number][] = [];
    polygonSpans([[-5, -5], [50, -5], [50, 2], [-5, 2]], 8, 4, (r, a, b) => seen.push([r, a, b]));
    expect(seen).toEqual([
      [0, 0, 8],
      [1, 0, 8],
    ]);
  });
});

describe('counting from row spans, without a mask', () => {
  const randomRegion = (rand: () => number, w: number, h: number): RoiRegionLike => {
    const poly = (n: number) => ({ points: Array.from({ length: n }, () => [Math.round((rand() * (w + 16) - 8) * 2) / 2, rand() * (h + 16) - 8] as RoiPoint) });
    return {
      rect: rand() < 0.3 ? { x: Math.floor(rand() * w) - 3, y: Math.floor(rand() * h) - 3, width: 1 + Math.floor(rand() * w), height: 1 + Math.floor(rand() * h) } : undefined,
      include: Array.from({ length: Math.floor(rand() * 4) }, () => poly(3 + Math.floor(rand() * 10))),
      exclude: Array.from({ length: Math.floor(rand() * 3) }, () => poly(3 + Math.floor(rand() * 6))),
    };
  };

  it('gives increasing, disjoint spans whose pixels are exactly the mask’s, and counts as the mask does', () => {
    const rand = rng(29);
    for (let t = 0; t < 80; t++) {
      const w = 10 + Math.floor(rand() * 60);
      const h = 10 + Math.floor(rand() * 60);
      const region = randomRegion(rand, w, h);
      const mask = rasteriseRegion(region, w, h);
      const fromSpans = new Uint8Array(w * h);
      regionSpans(region, w, h, (y, spans, n) => {
        for (let k = 0; k < n; k += 2) {
          expect(spans[k] < spans[k + 1] && spans[k] >= 0 && spans[k + 1] <= w, `trial ${t} row ${y}`).toBe(true);
          if (k > 0) expect(spans[k] >= spans[k - 1], `trial ${t} row ${y}: increasing and disjoint`).toBe(true);
          fromSpans.fill(1, y * w + spans[k], y * w + spans[k + 1]);
        }
      });
      expect(mismatches(fromSpans, reference(region, w, h)), `trial ${t}`).toBe(0);
      expect(countRegion(region, w, h), `trial ${t}`).toBe(countSelected(mask));
      const step = 1 + Math.floor(rand() * 5);
      const x0 = Math.floor(rand() * 6);
      const y0 = Math.floor(rand() * 6);
      const nx = Math.floor((w - 1 - x0) / step) + 1 - Math.floor(rand() * 2);
      const ny = Math.floor((h - 1 - y0) / step) + 1 - Math.floor(rand() * 2);
      let want = 0;
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) want += mask[(y0 + j * step) * w + x0 + i * step];
      expect(countRegionLattice(region, w, h, { x0, y0, step, nx, ny }), `trial ${t}`).toBe(want);
    }
  });

  it('scans the same spans when rows are skipped (the grid rows only) as when every row is visited', () => {
    const rand = rng(31);
    for (let t = 0; t < 30; t++) {
      const pts = Array.from({ length: 4 + Math.floor(rand() * 30) }, () => [rand() * 50 - 5, rand() * 50 - 5] as RoiPoint);
      const all = new PolygonScanner(pts, 40, 40);
      const some = new PolygonScanner(pts, 40, 40);
      for (let row = 0; row < 40; row++) {
        const a: number[] = [];
        all.spans(row, a);
        if (row % 3 === 1) {
          const b: number[] = [];
          some.spans(row, b);
          expect(b, `trial ${t} row ${row}`).toEqual(a);
        }
      }
    }
    expect(() => {
      const sc = new PolygonScanner([[0, 0], [4, 0], [0, 4]], 5, 5);
      sc.spans(2, []);
      sc.spans(1, []);
    }).toThrow(/increasing order/);
  });

  it('keeps a 20,000-vertex region (the contract’s limit) to work per crossing, not per pixel × edge', () => {
    // 20,000 edges each crossing every row: the most a region may ask; bench/roi-raster.ts times it on 8192²
    const zig: RoiPoint[] = [];
    for (let k = 0; k < 5000; k++) zig.push([10 + k * 0.2, 1], [10.1 + k * 0.2, 255]);
    const region = { include: [{ points: zig }, { points: zig.map(([x, y]) => [x + 0.05, y] as RoiPoint) }] };
    const m = rasteriseRegion(region, 1024, 256);
    const rand = rng(5);
    for (let t = 0; t < 500; t++) {
      const x = Math.floor(rand() * 1024);
      const y = Math.floor(rand() * 256);
      const inside = region.include.some((p) => pnpoly(p.points, x + 0.5, y + 0.5));
      expect(m[y * 1024 + x], `${x},${y}`).toBe(inside ? 1 : 0);
    }
  });
});
