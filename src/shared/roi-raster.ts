/**
 * @file Which pixels an ROI region selects (see Note: ROI shapes, in contract.ts), as a full-size mask.
 * It lives beside the contract because the rule is part of what a region MEANS: the core rasterises the
 * region the trackers measure in, and the renderer counts and previews the same pixels with the same code.
 *
 * Scanline fill: per polygon, edges are sorted by their first pixel row and kept in an active list, in the
 * order of their crossings, so the cost is about the crossings (rows × active edges) plus the pixels filled,
 * never width × height × edges, nor a full sort per row (what made 20,000 long edges cost tens of seconds).
 * The polygons of a region are scanned row by row together (`regionSpans`), so the pixels selected and the
 * grid points in them can be counted from the runs without an image-sized mask (`countRegion`,
 * `countRegionLattice`); only the trackers need the mask itself (`rasteriseRegion`).
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
 * One polygon's scanline state: `spans(row, out)` appends the runs of pixels x0 … x1−1 of `row` whose
 * centre lies inside the polygon by the even-odd rule, clipped to the width × height image, as flat
 * [x0, x1, x0, x1, …] pairs in increasing x. Rows must be asked for in increasing order (any may be skipped).
 *
 * The active edges are kept in the order of their crossings on the last row asked for, so sorting a row's
 * crossings is an insertion sort of an almost sorted list: linear per row for an outline that does not
 * cross itself, plus one swap per crossing of two edges between rows otherwise. Each crossing is computed
 * afresh on every row (never stepped from the row before), exactly as PNPOLY computes it.
 */
export class PolygonScanner {
  private readonly width: number;
  private readonly height: number;
  /** non-horizontal edges that reach the image, by their first row; edge i joins vertex i−1 to vertex i */
  private readonly edges: Int32Array;
  private readonly ex: Float64Array;
  private readonly ey: Float64Array;
  private readonly firstRow: Int32Array;
  private nextEdge = 0;
  private active: Int32Array;
  private nActive = 0;
  private readonly xs: Float64Array;
  private readonly ids: Int32Array;
  private readonly pending: Int32Array;
  private lastRow = -1;

  constructor(points: readonly RoiPoint[], width: number, height: number) {
    this.width = width;
    this.height = height;
    const n = points.length;
    const ok = n >= 3 && width >= 1 && height >= 1;
    const first: number[] = [];
    const ids: number[] = [];
    if (ok) {
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const yi = points[i][1];
        const yj = points[j][1];
        if (yi === yj) continue; // horizontal: never crossed by a centre line
        const lo = Math.min(yi, yj);
        const hi = Math.max(yi, yj);
        // rows whose centre r+0.5 lies in [lo, hi); one row early for rounding, the exact test is per row
        const f = Math.max(0, Math.ceil(lo - 0.5) - 1);
        if (f >= height || hi - 0.5 < 0) continue;
        first.push(f);
        ids.push(i);
      }
    }
    const order = ids.map((_, k) => k).sort((a, b) => first[a] - first[b]);
    this.edges = Int32Array.from(order, (k) => ids[k]);
    this.firstRow = Int32Array.from(order, (k) => first[k]);
    const m = this.edges.length;
    // each edge's two ends, by vertex index i (edge i runs from vertex i−1 to vertex i), read contiguously
    this.ex = new Float64Array(2 * n);
    this.ey = new Float64Array(2 * n);
    for (let i = 0; i < n && ok; i++) {
      const j = i === 0 ? n - 1 : i - 1;
      this.ex[2 * i] = points[i][0];
      this.ey[2 * i] = points[i][1];
      this.ex[2 * i + 1] = points[j][0];
      this.ey[2 * i + 1] = points[j][1];
    }
    this.active = new Int32Array(m);
    this.xs = new Float64Array(m);
    this.ids = new Int32Array(m);
    this.pending = new Int32Array(m);
  }

  /** True when no row from `row` on can have a span. */
  done(): boolean {
    return this.nActive === 0 && this.nextEdge === this.edges.length;
  }

  spans(row: number, out: number[]): void {
    if (row <= this.lastRow) throw new Error('PolygonScanner: rows must be asked for in increasing order');
    this.lastRow = row;
    if (row < 0 || row >= this.height) return;
    const { ex, ey, active, xs, ids, pending } = this;
    let added = 0;
    while (this.nextEdge < this.edges.length && this.firstRow[this.nextEdge] <= row) {
      active[this.nActive++] = this.edges[this.nextEdge++];
      added++;
    }
    if (this.nActive === 0) return;
    const nActive = this.nActive;
    crossings(ex, ey, active, nActive, row + 0.5, xs, ids, pending, tally);
    const nx = tally[0];
    const np = tally[1];
    const sorted = tally[2] === 1;
    if (!sorted) sortPairs(xs, ids, nx, added);
    // the next row starts from this row's order: crossing edges by x, then those not reached yet
    if (!sorted || nx + np < nActive || np > 0) {
      active.set(ids.subarray(0, nx), 0);
      active.set(pending.subarray(0, np), nx);
    }
    this.nActive = nx + np;
    // centre cx is inside when an odd number of crossings lie right of it: xs[2k] ≤ cx < xs[2k+1]
    const width = this.width;
    for (let k = 0; k + 1 < nx; k += 2) {
      const a = xs[k];
      const b = xs[k + 1];
      if (!(a > -1e15 && b < 1e15)) {
        const x0 = Math.max(0, firstCentreAtOrAfter(a));
        const x1 = Math.min(width, firstCentreAtOrAfter(b));
        if (x1 > x0) out.push(x0, x1);
        continue;
      }
      // firstCentreAtOrAfter, inlined: below 1e15 one step corrects the rounding of c − 0.5
      let x1 = Math.ceil(b - 0.5);
      if (x1 + 0.5 < b) x1++;
      else if (x1 - 0.5 >= b) x1--;
      if (x1 <= 0) continue;
      let x0 = Math.ceil(a - 0.5);
      if (x0 + 0.5 < a) x0++;
      else if (x0 - 0.5 >= a) x0--;
      if (x0 < 0) x0 = 0;
      if (x1 > width) x1 = width;
      if (x1 > x0) out.push(x0, x1);
    }
  }
}

/** nx, np, sorted: what `crossings` found */
const tally = new Int32Array(3);

/**
 * The crossings of the centre line y = py with the active edges, in their order: x into xs and the edge
 * into ids; edges not reached yet into pending; edges finished left out. A plain function of typed arrays,
 * as it is the inner loop (rows × active edges).
 */
function crossings(ex: Float64Array, ey: Float64Array, active: Int32Array, nActive: number, py: number, xs: Float64Array, ids: Int32Array, pending: Int32Array, out: Int32Array): void {
  let nx = 0;
  let np = 0;
  let sorted = 1;
  let last = -Infinity;
  for (let a = 0; a < nActive; a++) {
    const i = active[a];
    const xi = ex[2 * i];
    const yi = ey[2 * i];
    const xj = ex[2 * i + 1];
    const yj = ey[2 * i + 1];
    if (py >= (yi > yj ? yi : yj)) continue; // finished: drop from the active list
    if (yi > py !== yj > py) {
      const x = ((xj - xi) * (py - yi)) / (yj - yi) + xi;
      if (x < last) sorted = 0;
      last = x;
      xs[nx] = x;
      ids[nx++] = i;
    } else pending[np++] = i; // not reached yet (bucketed a row early)
  }
  out[0] = nx;
  out[1] = np;
  out[2] = sorted;
}

/**
 * Sorts xs[0 … n) ascending, carrying ids along: insertion sort, as the list is the last row's order
 * (almost sorted), unless many edges just joined or the insertion sort finds too much to move.
 */
function sortPairs(xs: Float64Array, ids: Int32Array, n: number, added: number): void {
  if (added <= 32) {
    let budget = 8 * n + 4096;
    let k = 1;
    for (; k < n && budget > 0; k++) {
      const x = xs[k];
      const id = ids[k];
      let m = k - 1;
      while (m >= 0 && xs[m] > x) {
        xs[m + 1] = xs[m];
        ids[m + 1] = ids[m];
        m--;
      }
      budget -= k - 1 - m;
      xs[m + 1] = x;
      ids[m + 1] = id;
    }
    if (k >= n) return;
  }
  const perm = Array.from({ length: n }, (_, k) => k).sort((a, b) => xs[a] - xs[b]);
  const x2 = Float64Array.from(perm, (k) => xs[k]);
  const i2 = Int32Array.from(perm, (k) => ids[k]);
  xs.set(x2);
  ids.set(i2);
}

/**
 * Calls `span(row, x0, x1)` for every run of pixels x0 … x1−1 of row `row` whose centre lies inside
 * `points` by the even-odd rule, clipped to the width × height image.
 */
export function polygonSpans(points: readonly RoiPoint[], width: number, height: number, span: (row: number, x0: number, x1: number) => void): void {
  const sc = new PolygonScanner(points, width, height);
  const out: number[] = [];
  for (let row = 0; row < height && !sc.done(); row++) {
    out.length = 0;
    sc.spans(row, out);
    for (let k = 0; k < out.length; k += 2) span(row, out[k], out[k + 1]);
  }
}

/** Which rows `regionSpans` visits: from, from + step, … up to `to` (inclusive); every row by default. */
export interface RowSelection {
  from?: number;
  step?: number;
  to?: number;
}

/**
 * Calls `each(row, spans, n)` for every visited row where the region selects a pixel: spans[0 … n) are
 * flat [x0, x1) pairs, increasing and disjoint, of the pixels selected in that row (the base — `rect` ∪
 * `include`, or the whole row when neither is given — minus every `exclude` polygon). The row's pixels
 * come from each polygon's scanline runs directly: nothing image-sized is allocated.
 */
export function regionSpans(region: RoiRegionLike, width: number, height: number, each: (row: number, spans: readonly number[], n: number) => void, rows: RowSelection = {}): void {
  if (width < 1 || height < 1) return;
  const include = region.include ?? [];
  const r = region.rect;
  const whole = !r && include.length === 0;
  const inc = include.map((p) => new PolygonScanner(p.points, width, height));
  const exc = (region.exclude ?? []).map((p) => new PolygonScanner(p.points, width, height));
  const rx0 = r ? Math.max(0, r.x) : 0;
  const rx1 = r ? Math.min(width, r.x + r.width) : 0;
  const ry0 = r ? Math.max(0, r.y) : 0;
  const ry1 = r ? Math.min(height, r.y + r.height) : 0;
  const step = Math.max(1, Math.floor(rows.step ?? 1));
  const from = Math.max(0, Math.ceil(rows.from ?? 0));
  const to = Math.min(height - 1, Math.floor(rows.to ?? height - 1));
  let base: number[] = [];
  let cut: number[] = [];
  const starts: number[] = [];
  const cutStarts: number[] = [];
  const out: number[] = [];
  for (let row = from; row <= to; row += step) {
    base.length = 0;
    if (whole) base.push(0, width);
    else {
      starts.length = 0;
      if (r && row >= ry0 && row < ry1 && rx1 > rx0) {
        starts.push(0);
        base.push(rx0, rx1);
      }
      for (const sc of inc) {
        const before = base.length;
        sc.spans(row, base);
        if (base.length > before) starts.push(before);
      }
      if (!base.length) {
        if (!whole && (!r || row >= ry1) && inc.every((s) => s.done())) break; // nothing selected below
        continue;
      }
      if (starts.length > 1) base = unite(base, starts);
    }
    cut.length = 0;
    cutStarts.length = 0;
    for (const sc of exc) {
      const before = cut.length;
      sc.spans(row, cut);
      if (cut.length > before) cutStarts.push(before);
    }
    if (!cut.length) {
      each(row, base, base.length);
      continue;
    }
    if (cutStarts.length > 1) cut = unite(cut, cutStarts);
    const n = subtract(base, cut, out);
    if (n) each(row, out, n);
  }
}

/**
 * The union of `pairs`, flat [x0, x1) pairs made of runs that are each increasing and disjoint (one run per
 * polygon; run r is pairs[starts[r] … starts[r+1])), as increasing disjoint pairs: runs merged two by two.
 */
function unite(pairs: number[], starts: number[]): number[] {
  let runs: number[][] = [];
  for (let r = 0; r < starts.length; r++) runs.push(pairs.slice(starts[r], r + 1 < starts.length ? starts[r + 1] : pairs.length));
  while (runs.length > 1) {
    const next: number[][] = [];
    for (let r = 0; r + 1 < runs.length; r += 2) next.push(mergeTwo(runs[r], runs[r + 1]));
    if (runs.length % 2) next.push(runs[runs.length - 1]);
    runs = next;
  }
  return runs[0] ?? [];
}

/** The union of two increasing disjoint pair lists. */
function mergeTwo(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let x0: number, x1: number;
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      x0 = a[i];
      x1 = a[i + 1];
      i += 2;
    } else {
      x0 = b[j];
      x1 = b[j + 1];
      j += 2;
    }
    if (out.length && x0 <= out[out.length - 1]) {
      if (x1 > out[out.length - 1]) out[out.length - 1] = x1;
    } else out.push(x0, x1);
  }
  return out;
}

/** `base` minus `cut` (both increasing disjoint pairs) into `out`; returns its length. */
function subtract(base: readonly number[], cut: readonly number[], out: number[]): number {
  out.length = 0;
  let c = 0;
  for (let k = 0; k < base.length; k += 2) {
    let a = base[k];
    const b = base[k + 1];
    while (c < cut.length && cut[c + 1] <= a) c += 2;
    let d = c;
    while (a < b && d < cut.length && cut[d] < b) {
      if (cut[d] > a) out.push(a, cut[d]);
      a = Math.max(a, cut[d + 1]);
      d += 2;
    }
    if (a < b) out.push(a, b);
  }
  return out.length;
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
 * Only what needs every pixel (the trackers) should build it; counts come from `countRegion`.
 */
export function rasteriseRegion(region: RoiRegionLike, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  regionSpans(region, width, height, (y, spans, n) => {
    for (let k = 0; k < n; k += 2) {
      const a = y * width + spans[k];
      const b = y * width + spans[k + 1];
      if (b - a > 32) mask.fill(1, a, b);
      else for (let i = a; i < b; i++) mask[i] = 1;
    }
  });
  return mask;
}

/** How many pixels the region selects on a width × height image (as `countSelected(rasteriseRegion(…))`, without the mask). */
export function countRegion(region: RoiRegionLike, width: number, height: number): number {
  let total = 0;
  regionSpans(region, width, height, (_, spans, n) => {
    for (let k = 0; k < n; k += 2) total += spans[k + 1] - spans[k];
  });
  return total;
}

/**
 * How many points of the lattice (x0 + i·step, y0 + j·step), i < nx, j < ny, the region selects (as
 * reading them off the mask would), visiting only the lattice's rows.
 */
export function countRegionLattice(region: RoiRegionLike, width: number, height: number, g: { x0: number; y0: number; step: number; nx: number; ny: number }): number {
  if (g.nx < 1 || g.ny < 1) return 0;
  const xLast = g.x0 + (g.nx - 1) * g.step;
  let total = 0;
  regionSpans(
    region,
    width,
    height,
    (_, spans, n) => {
      for (let k = 0; k < n; k += 2) {
        // lattice columns in [max(a, x0), min(b − 1, xLast)]
        const lo = Math.max(spans[k], g.x0);
        const hi = Math.min(spans[k + 1] - 1, xLast);
        if (hi < lo) continue;
        total += Math.floor((hi - g.x0) / g.step) - Math.ceil((lo - g.x0) / g.step) + 1;
      }
    },
    { from: g.y0, step: g.step, to: g.y0 + (g.ny - 1) * g.step },
  );
  return total;
}

/** How many pixels of a mask are selected. */
export function countSelected(mask: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < mask.length; k++) n += mask[k];
  return n;
}
