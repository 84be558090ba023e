/**
 * @file IC-GN over one tile of grid points started from a given per-point guess (the `cnn+icgn` method's
 * refinement; icgn.ts runs it as `runTile` when `IcgnOptions.guess` is set).
 *
 * Note: Guessed IC-GN. Reliability-guided IC-GN (icgn-guided.ts) needs a guess only at seeds, found by an
 * FFT search, and carries each solution to its neighbours. A dense guess field (the CNN's prediction)
 * replaces the search: every active point is first solved from the guess at its own pixel, u and v taken as
 * they are and the shape-function gradients ux, uy, vx, vy from central differences of the guess over one
 * subset radius (0 where that reaches past the image or a NaN). Such a solution is held to the seed
 * standard, ZNCC ≥ `seedZncc` (icgn.ts `seedZncc`, 0.85 for the default minZncc 0.7), because a guess a
 * few pixels off can lead IC-GN, with its six parameters, into a false optimum that still reaches 0.7 on
 * speckle (seen with an under-trained dicnet-s: points 1.8 px off at ZNCC above 0.7). Every point not
 * accepted so is then solved from converged neighbours exactly as in the guided propagation (best ZNCC
 * first, neighbour's shape function as the guess, at most MAX_TRIES attempts) and accepted at `minZncc`:
 * a neighbour's solution is within a small fraction of a pixel, where IC-GN's basin is safe. A point that
 * still fails is NaN: the CNN value is NOT kept there, because the result claims IC-GN's accuracy at every
 * valid point, and the CNN alone is available as its own method. `search` is not used.
 */
import { GuidedTileState, MAX_TRIES } from './icgn-guided';
import type { IcgnSolver } from './icgn-solver';
import type { GridSpec, IcgnGuess, Tile, TileOutput } from './types';

/** Guessed u, v and their gradients at pixel (x, y); false when the guess is NaN there. */
function guessAt(g: IcgnGuess, x: number, y: number, h: number, p: Float64Array): boolean {
  const { width: w, height: ht, u, v } = g;
  const k = y * w + x;
  if (!(Number.isFinite(u[k]) && Number.isFinite(v[k]))) return false;
  p[0] = u[k];
  p[3] = v[k];
  p[1] = p[2] = p[4] = p[5] = 0;
  // Central differences over one subset radius: the guess's own gradient, smoothed by the distance.
  if (x - h >= 0 && x + h < w) {
    const a = k - h;
    const b = k + h;
    if (Number.isFinite(u[a] + u[b] + v[a] + v[b])) {
      p[1] = (u[b] - u[a]) / (2 * h);
      p[4] = (v[b] - v[a]) / (2 * h);
    }
  }
  if (y - h >= 0 && y + h < ht) {
    const a = k - h * w;
    const b = k + h * w;
    if (Number.isFinite(u[a] + u[b] + v[a] + v[b])) {
      p[2] = (u[b] - u[a]) / (2 * h);
      p[5] = (v[b] - v[a]) / (2 * h);
    }
  }
  return true;
}

/**
 * Measures the active points of `tile` from `guess` (see the file note) and writes u, v, quality (ZNCC) and
 * the extra maps iterations, ux, uy, vx, vy into `out`; points that are inactive or fail stay as they are.
 */
export function runGuessedTile(
  solver: IcgnSolver,
  grid: GridSpec,
  tile: Tile,
  active: Uint8Array,
  out: TileOutput,
  guess: IcgnGuess,
  minZncc: number,
  seedZncc: number,
): void {
  const { ni, nj } = tile;
  const st = new GuidedTileState(solver, grid, tile, out);
  const { npts, P, done, tries, heap, p } = st;
  const { step } = grid;
  const extra = out.extra;

  const measure = (k: number, threshold: number): boolean => st.measure(k, threshold);


  // Pass 1: every active point from its own guess, at the seed standard.
  for (let k = 0; k < npts; k++) {
    if (!active[k]) continue;
    const i = k % ni;
    const j = (k - i) / ni;
    const x = grid.x0 + (tile.i0 + i) * step;
    const y = grid.y0 + (tile.j0 + j) * step;
    tries[k]++;
    if (guessAt(guess, Math.round(x), Math.round(y), solver.half, p)) measure(k, seedZncc);
  }

  // Pass 2: the rest from converged neighbours, most reliable first, at minZncc (as in icgn-guided.ts).
  st.propagate(active, minZncc);

}
