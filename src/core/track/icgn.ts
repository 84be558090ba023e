/**
 * @file The subset DIC kernel: inverse-compositional Gauss–Newton with a first-order shape function and
 * the ZNSSD criterion (Note: IC-GN, icgn-solver.ts), bicubic B-spline interpolation of the deformed image
 * (bspline.ts), fourth-order reference gradients (gradient.ts), and reliability-guided propagation from
 * FFT cross-correlation seeds inside each tile (Note: Reliability-guided propagation, icgn-guided.ts).
 * Needs no manual initial guess: any displacement within `search` px of the seed's is found.
 *
 * Outputs (Note: Kernels and the framework, types.ts): u, v in px at each grid point (the subset centre's
 * displacement, I_def(x + u) = I_ref(x)); quality = final ZNCC (= 1 − ZNSSD/2). Extra maps: `iterations`
 * (IC-GN iterations to convergence, a cost and difficulty indicator) and the shape-function gradients
 * `ux` = ∂u/∂x, `uy` = ∂u/∂y, `vx` = ∂v/∂x, `vy` = ∂v/∂y (dimensionless), each the subset's own
 * least-squares estimate, so strain is available per point without differentiating the u, v maps (noisier
 * than the virtual-strain-gauge fit of strain.ts over several subsets, but free). A point is NaN (all maps)
 * when it is outside the ROI, its reference subset or its warped subset leaves the image, IC-GN does not
 * converge within `maxIterations`, or its final ZNCC is below `minZncc`.
 *
 * With `guess` set (the `cnn+icgn` method), each point starts from that per-point guess instead of FFT
 * seeds and propagation (Note: Guessed IC-GN, icgn-guess.ts); everything else is the same.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { bsplinePrefilter } from './bspline';
import { gradient4 } from './gradient';
import { runGuessedTile } from './icgn-guess';
import { runGuidedTile } from './icgn-guided';
import { type IcgnImages, IcgnSolver } from './icgn-solver';
import type { IcgnOptions, TrackKernel } from './types';

/** What `prepare` computes once per image pair (plain typed arrays: it lives inside a worker thread). */
export interface IcgnPrep {
  images: IcgnImages;
  ref: GreyImage;
  def: GreyImage;
}

/** Largest subset accepted: beyond this a first-order shape function rarely holds and cost grows as N². */
const MAX_SUBSET = 201;

/**
 * ZNCC a seed must reach: halfway from minZncc to 1, and at least 0.8 (0.85 for the default minZncc 0.7).
 * A seed's error would spread over its whole region, so it must be more certain than an ordinary point,
 * which is still accepted at minZncc once a reliable neighbour has led it there. On decorrelated input the
 * best of the thousands of FFT candidates, refined by IC-GN's six parameters, reaches about 0.6 (two
 * independent speckle patterns) to 0.72 (one pattern rotated by 170°) on 21 px subsets
 * (icgn-robust.test.ts prints both); the margin above that is what keeps such input NaN. The price: on
 * images so noisy that no subset reaches 0.8, nothing is measured (the framework then says so).
 */
export function seedZncc(minZncc: number): number {
  return Math.max(0.8, minZncc + 0.5 * (1 - minZncc));
}

function largestOdd(n: number): number {
  return n % 2 === 1 ? n : n - 1;
}

function bad(message: string): LabError {
  return new LabError('E_INVALID_INPUT', message);
}

export const icgnKernel: TrackKernel<'icgn', IcgnPrep> = {
  method: 'icgn',
  extraOutputs: ['iterations', 'ux', 'uy', 'vx', 'vy'],

  // The reference subset must fit, and its outer ring must have the five-point gradient stencil.
  margin: (opts) => (opts.subset - 1) / 2 + 2,

  validate(opts, width, height) {
    const { subset, search, maxIterations, tolerance, minZncc } = opts;
    if (!Number.isInteger(subset) || subset < 5 || subset % 2 === 0 || subset > MAX_SUBSET) {
      throw bad(`The IC-GN subset size ${subset} must be an odd whole number of pixels from 5 to ${MAX_SUBSET}; use for example 21.`);
    }
    const needed = subset + 4;
    if (width < needed || height < needed) {
      throw bad(
        `The IC-GN subset size ${subset} px does not fit in the ${width}×${height} image with its 2 px gradient border; ` +
          `use a subset of at most ${largestOdd(Math.min(width, height) - 4)} px or a larger image.`,
      );
    }
    if (!Number.isInteger(search) || search < 1 || search > 1024) {
      throw bad(`The IC-GN search radius ${search} must be a whole number of pixels from 1 to 1024 (larger than the largest expected displacement); use for example 32.`);
    }
    if (!Number.isInteger(maxIterations) || maxIterations < 1 || maxIterations > 1000) {
      throw bad(`The IC-GN maxIterations ${maxIterations} must be a whole number from 1 to 1000; use for example 30.`);
    }
    if (!(Number.isFinite(tolerance) && tolerance > 0 && tolerance <= 1)) {
      throw bad(`The IC-GN tolerance ${tolerance} must be a number of pixels above 0 and at most 1; use for example 0.001.`);
    }
    if (!(Number.isFinite(minZncc) && minZncc >= -1 && minZncc < 1)) {
      throw bad(`The IC-GN minZncc ${minZncc} must be a correlation coefficient from −1 to below 1; use for example 0.7.`);
    }
    const g = opts.guess;
    if (g && (g.width !== width || g.height !== height || g.u.length !== width * height || g.v.length !== width * height)) {
      throw bad(`The IC-GN initial guess is ${g.width}×${g.height} but the images are ${width}×${height}.`);
    }
  },

  prepare(refs, defs) {
    const ref = refs[0];
    const def = defs[0];
    const { gx, gy } = gradient4(ref);
    return { images: { width: ref.width, height: ref.height, ref: ref.data, gx, gy, def: bsplinePrefilter(def) }, ref, def };
  },

  runTile(prep, grid, tile, active, out, opts) {
    // Every point starts invalid; runGuidedTile writes only the ones it measures.
    for (const a of [out.u, out.v, out.quality, ...Object.values(out.extra)]) a.fill(Number.NaN);
    const solver = new IcgnSolver(prep.images, opts.subset, opts.maxIterations, opts.tolerance);
    if (opts.guess) {
      runGuessedTile(solver, grid, tile, active, out, opts.guess, opts.minZncc, seedZncc(opts.minZncc));
      return;
    }
    runGuidedTile(solver, prep.ref, prep.def, grid, tile, active, out, {
      subset: opts.subset,
      search: opts.search,
      minZncc: opts.minZncc,
      seedZncc: seedZncc(opts.minZncc),
    });
  },
};
