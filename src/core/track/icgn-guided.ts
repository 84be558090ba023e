/**
 * @file Reliability-guided IC-GN over one tile of grid points (icgn.ts runs it as the kernel's `runTile`).
 *
 * Note: Reliability-guided propagation. IC-GN converges only from a guess within about half a speckle of
 * the truth. Following Pan ("Reliability-guided digital image correlation for image deformation
 * measurement", Appl. Opt. 48 (2009) 1535–1542), a seed point gets its guess from an exhaustive FFT
 * cross-correlation (fft-xcorr.ts) and every other point from an already converged neighbour: a max-heap
 * on ZNCC pops the most reliable converged point, whose 4 grid neighbours are solved starting from its full
 * shape function (u and v extrapolated by its gradients over the grid step, the gradients copied). So the
 * solution grows from the best-matched points first and a poorly matched point never feeds a good one. A
 * point that fails from one neighbour is retried from each other neighbour that converges later (at most
 * 4 attempts). Seeds: first the active point nearest the tile centre, then, while active points remain
 * that no front reached (regions cut off by the ROI or by invalid points), the next such point in scan
 * order. A seed is accepted only if its ZNCC reaches `seedZncc` (between minZncc and 1, see icgn.ts),
 * because an error at a seed spreads to its whole region; a rejected seed blocks further seeds within one
 * subset radius, which bounds the cost on decorrelated images to about one FFT per subset area.
 */
import type { GreyImage } from '../imageio/types';
import { fftXcorr } from './fft-xcorr';
import { IcgnSolver, type SolveResult } from './icgn-solver';
import type { GridSpec, Tile, TileOutput } from './types';

export interface GuidedSettings {
  subset: number;
  search: number;
  minZncc: number;
  seedZncc: number;
}

/** Binary max-heap of point indices keyed by ZNCC, in typed arrays (no allocation per push). */
export class MaxHeap {
  private readonly key: Float64Array;
  private readonly val: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.key = new Float64Array(capacity);
    this.val = new Int32Array(capacity);
  }
  push(v: number, k: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key[parent] >= k) break;
      this.key[i] = this.key[parent];
      this.val[i] = this.val[parent];
      i = parent;
    }
    this.key[i] = k;
    this.val[i] = v;
  }
  pop(): number {
    const top = this.val[0];
    const k = this.key[--this.size];
    const v = this.val[this.size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && this.key[c + 1] > this.key[c]) c++;
      if (this.key[c] <= k) break;
      this.key[i] = this.key[c];
      this.val[i] = this.val[c];
      i = c;
    }
    this.key[i] = k;
    this.val[i] = v;
    return top;
  }
}

export const MAX_TRIES = 4;

/**
 * Per-tile state of a reliability-guided IC-GN run: each point's shape parameters, done/tries flags and
 * the max-heap of converged points. Shared by FFT-seeded tiles (below) and CNN-guess-seeded tiles
 * (icgn-guess.ts), which differ only in where the first guesses come from.
 */
export class GuidedTileState {
  readonly npts: number;
  /** shape parameters (u, ux, uy, v, vx, vy) of each converged point, 6 per point */
  readonly P: Float64Array;
  readonly done: Uint8Array;
  readonly tries: Uint8Array;
  readonly heap: MaxHeap;
  /** the guess to solve from; `measure` leaves the solution in it */
  readonly p = new Float64Array(6);
  private readonly res: SolveResult = { status: 'flat', iterations: 0, zncc: Number.NaN };

  constructor(
    private readonly solver: IcgnSolver,
    private readonly grid: GridSpec,
    private readonly tile: Tile,
    private readonly out: TileOutput,
  ) {
    this.npts = tile.ni * tile.nj;
    this.P = new Float64Array(6 * this.npts);
    this.done = new Uint8Array(this.npts);
    this.tries = new Uint8Array(this.npts);
    this.heap = new MaxHeap(this.npts);
  }

  /** Solves point k from the guess in `p` (for the exact grid position); records it if ZNCC ≥ minZncc. */
  measure(k: number, minZncc: number): boolean {
    const { solver, grid, tile, out, p, res, tries, done, P, heap } = this;
    const extra = out.extra;
    const ni = tile.ni;
    const i = k % ni;
    const j = (k - i) / ni;
    const x = grid.x0 + (tile.i0 + i) * grid.step;
    const y = grid.y0 + (tile.j0 + j) * grid.step;
    // Subsets sit on whole pixels; a fractional grid position is reached through the affine terms.
    const xr = Math.round(x);
    const yr = Math.round(y);
    if (!solver.prepare(xr, yr)) {
      tries[k] = MAX_TRIES; // the reference subset itself is unusable: no guess can help
      return false;
    }
    const ex = xr - x;
    const ey = yr - y;
    p[0] += p[1] * ex + p[2] * ey;
    p[3] += p[4] * ex + p[5] * ey;
    solver.solve(p, res);
    if (res.status !== 'converged' || !(res.zncc >= minZncc)) return false;
    p[0] -= p[1] * ex + p[2] * ey;
    p[3] -= p[4] * ex + p[5] * ey;
    done[k] = 1;
    P.set(p, 6 * k);
    out.u[k] = p[0];
    out.v[k] = p[3];
    out.quality[k] = res.zncc;
    if (extra.iterations) extra.iterations[k] = res.iterations;
    if (extra.ux) extra.ux[k] = p[1];
    if (extra.uy) extra.uy[k] = p[2];
    if (extra.vx) extra.vx[k] = p[4];
    if (extra.vy) extra.vy[k] = p[5];
    heap.push(k, res.zncc);
    return true;
  }

  /**
   * Reliability-guided propagation (Pan 2009): pops the most reliable converged point and solves each of
   * its four unsolved active neighbours from its full shape function moved one grid step along its own
   * gradients, until no converged point is left to pass its parameters on.
   */
  propagate(active: Uint8Array, minZncc: number): void {
    const { tile, heap, done, tries, p, P } = this;
    const { ni, nj } = tile;
    const step = this.grid.step;
    while (heap.size > 0) {
      const k = heap.pop();
      const i = k % ni;
      const j = (k - i) / ni;
      for (let d = 0; d < 4; d++) {
        const di = d === 0 ? -1 : d === 1 ? 1 : 0;
        const dj = d === 2 ? -1 : d === 3 ? 1 : 0;
        const ii = i + di;
        const jj = j + dj;
        if (ii < 0 || ii >= ni || jj < 0 || jj >= nj) continue;
        const nb = jj * ni + ii;
        if (!active[nb] || done[nb] || tries[nb] >= MAX_TRIES) continue;
        tries[nb]++;
        const o = 6 * k;
        const dx = di * step;
        const dy = dj * step;
        p[0] = P[o] + P[o + 1] * dx + P[o + 2] * dy;
        p[1] = P[o + 1];
        p[2] = P[o + 2];
        p[3] = P[o + 3] + P[o + 4] * dx + P[o + 5] * dy;
        p[4] = P[o + 4];
        p[5] = P[o + 5];
        this.measure(nb, minZncc);
      }
    }
  }
}


/**
 * Measures the active points of `tile` (see the file note) and writes u, v, quality (ZNCC) and the extra
 * maps iterations, ux, uy, vx, vy into `out`; points that are inactive or fail stay as they are (NaN).
 */
export function runGuidedTile(
  solver: IcgnSolver,
  ref: GreyImage,
  def: GreyImage,
  grid: GridSpec,
  tile: Tile,
  active: Uint8Array,
  out: TileOutput,
  s: GuidedSettings,
): void {
  const { ni, nj } = tile;
  const st = new GuidedTileState(solver, grid, tile, out);
  const { npts, P, done, tries, heap, p } = st;
  const blocked = new Uint8Array(npts);
  const { step } = grid;
  const xs = (i: number) => grid.x0 + (tile.i0 + i) * step;
  const ys = (j: number) => grid.y0 + (tile.j0 + j) * step;
  const extra = out.extra;

  const measure = (k: number, minZncc: number): boolean => st.measure(k, minZncc);


  const propagate = () => st.propagate(active, s.minZncc);

  const trySeed = (k: number): boolean => {
    const i = k % ni;
    const j = (k - i) / ni;
    const xc = fftXcorr(ref, def, Math.round(xs(i)), Math.round(ys(j)), { template: s.subset, search: s.search });
    if (!xc || xc.onEdge || !(xc.zncc > 0)) return false;
    p.fill(0);
    p[0] = xc.dx;
    p[3] = xc.dy;
    return measure(k, s.seedZncc);
  };

  const block = (k: number) => {
    // One subset radius around a rejected seed, in grid points.
    const r = Math.floor(solver.half / step);
    const i = k % ni;
    const j = (k - i) / ni;
    for (let jj = Math.max(0, j - r); jj <= Math.min(nj - 1, j + r); jj++) {
      for (let ii = Math.max(0, i - r); ii <= Math.min(ni - 1, i + r); ii++) blocked[jj * ni + ii] = 1;
    }
  };

  // First seed: the active point nearest the tile centre.
  let first = -1;
  let bestD = Infinity;
  for (let k = 0; k < npts; k++) {
    if (!active[k]) continue;
    const i = k % ni;
    const j = (k - i) / ni;
    const d = (i - (ni - 1) / 2) ** 2 + (j - (nj - 1) / 2) ** 2;
    if (d < bestD) {
      bestD = d;
      first = k;
    }
  }
  if (first < 0) return;
  if (trySeed(first)) propagate();
  else block(first);
  // Further seeds for whatever the fronts did not reach, in scan order (done/blocked never revert).
  for (let k = 0; k < npts; k++) {
    if (!active[k] || done[k] || blocked[k] || tries[k] >= MAX_TRIES) continue;
    if (trySeed(k)) propagate();
    else block(k);
  }
}
