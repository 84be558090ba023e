/**
 * @file Which pixels an ROI region selects (see Note: ROI shapes, in contract.ts), as a full-size mask.
 * It lives beside the contract because the rule is part of what a region MEANS: the core rasterises the
 * region the trackers measure in, and the renderer counts and previews the same pixels with the same code.
 *
 * Scanline fill: per polygon, edges are bucketed by their first pixel row and kept in an active list, so
 * the cost is about rows × (active edges + crossings) plus the pixels filled, never width × height × edges
 * (a point-in-polygon test per pixel of an 8k × 8k image would take minutes with a detailed outline).
 * The crossing test and the crossing abscissa are written exactly as the classic even-odd point-in-polygon
 * test (W. R. Franklin, PNPOLY) computes them at the pixel centre, so the fill agrees with it pixel for pixel.
 *
 * Pure and dependency-free: no zod, DOM or Node, so every layer may import it.
 */

export type RoiPoint = readonly [number, number];
export interface RoiPolygonLike {
  points: readonly RoiPoint[];
}
export interface RoiRegionLike {
  rect?: { x: number; y: number; width: number; height: number };
  include?: readonly RoiPolygonLike[];
  exclude?: readonly RoiPolygonLike[];
}

/**
 * Calls `span(row, x0, x1)` for every run of pixels x0 … x1−1 of row `row` whose centre lies inside
 * `points` by the even-odd rule, clipped to the width × height image.
 */
export function polygonSpans(points: readonly RoiPoint[], width: number, height: number, span: (row: number, x0: number, x1: number) => void): void {
  const n = points.length;
  if (n < 3 || width < 1 || height < 1) return;
  // edge k joins vertex k−1 (j) to vertex k (i), as PNPOLY walks them
  const buckets: number[][] = Array.from({ length: height }, () => []);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const yi = points[i][1];
    const yj = points[j][1];
    if (yi === yj) continue; // horizontal: never crossed by a centre line
    const lo = Math.min(yi, yj);
    const hi = Math.max(yi, yj);
    // rows whose centre r+0.5 lies in [lo, hi); one row early for rounding, the exact test is per row
    const first = Math.max(0, Math.ceil(lo - 0.5) - 1);
    if (first >= height || hi - 0.5 < 0) continue;
    buckets[first].push(i);
  }
  let active: number[] = [];
  const xs: number[] = [];
  for (let row = 0; row < height; row++) {
    const py = row + 0.5;
    if (buckets[row].length) active = active.concat(buckets[row]);
    if (!active.length) continue;
    xs.length = 0;
    let keep = 0;
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      const j = i === 0 ? n - 1 : i - 1;
      const [xi, yi] = points[i];
      const [xj, yj] = points[j];
      if (py >= Math.max(yi, yj)) continue; // finished: drop from the active list
      active[keep++] = i;
      if (yi > py !== yj > py) xs.push(((xj - xi) * (py - yi)) / (yj - yi) + xi);
    }
    active.length = keep;
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    // centre cx is inside when an odd number of crossings lie right of it: xs[2k] ≤ cx < xs[2k+1]
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x0 = Math.max(0, firstCentreAtOrAfter(xs[k]));
      const x1 = Math.min(width, firstCentreAtOrAfter(xs[k + 1]));
      if (x1 > x0) span(row, x0, x1);
    }
  }
}

/** The smallest integer x with x + 0.5 ≥ c (exact, whatever the rounding of c − 0.5). */
function firstCentreAtOrAfter(c: number): number {
  if (!(c > -1e15 && c < 1e15)) return c > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  let x = Math.ceil(c - 0.5);
  while (x + 0.5 < c) x++;
  while (x - 0.5 >= c) x--;
  return x;
}

/**
 * The region as a width × height mask (row-major, 1 = selected): the base (`rect` ∪ `include`, or the
 * whole image when neither is given) minus every `exclude` polygon, each judged at the pixel centre.
 */
export function rasteriseRegion(region: RoiRegionLike, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const include = region.include ?? [];
  const r = region.rect;
  if (!r && include.length === 0) mask.fill(1);
  if (r) {
    const x0 = Math.max(0, r.x);
    const x1 = Math.min(width, r.x + r.width);
    for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.height); y++) if (x1 > x0) mask.fill(1, y * width + x0, y * width + x1);
  }
  for (const p of include) polygonSpans(p.points, width, height, (y, x0, x1) => mask.fill(1, y * width + x0, y * width + x1));
  for (const p of region.exclude ?? []) polygonSpans(p.points, width, height, (y, x0, x1) => mask.fill(0, y * width + x0, y * width + x1));
  return mask;
}

/** How many pixels of a mask are selected. */
export function countSelected(mask: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < mask.length; k++) n += mask[k];
  return n;
}
