/**
 * @file `cnn+icgn`: the CNN's dense field as the per-point initial guess of IC-GN subset DIC on the
 * requested grid, so the result has IC-GN's sub-pixel accuracy and the CNN's reach.
 *
 * Note: CNN-seeded IC-GN. Classical IC-GN (icgn.ts) needs a guess within about half a speckle; it finds
 * one by an FFT search at seed points (bounded by `search`) and then propagates it neighbour by neighbour,
 * which breaks down where the field varies faster than propagation can follow or regions are cut off. The
 * CNN gives a guess at every pixel, usually within a few tenths of a pixel, whatever the displacement
 * within its trained range. Here the CNN field (model chosen by `model`, default dicnet-s) is computed over
 * the ROI's bounding box plus one subset radius (its gradients are taken there), in this process, and then
 * every grid point is solved by IC-GN from it on the worker threads (the IC-GN kernel with
 * `IcgnOptions.guess`, Note: Guessed IC-GN, icgn-guess.ts): accepted from its own CNN guess only at the
 * seed standard, otherwise solved from converged neighbours. Quality, extra maps and the grid are IC-GN's. Points where IC-GN fails are NaN; the CNN's value is NOT substituted, because
 * a valid point of this method claims IC-GN's accuracy (use cnn-dic for the CNN field itself).
 */
import type { GreyImage } from '../imageio/types';
import type { TaskContext } from '../progress';
import { roiBox, trackCnn } from './cnn';
import { roiMask } from './grid';
import { icgnKernel } from './icgn';
import { trackField } from './track-field';
import type { CnnIcgnOptions, DisplacementField, IcgnGuess, Roi } from './types';

export interface CnnIcgnRequest {
  options: CnnIcgnOptions;
  step: number;
  roi?: Roi;
  threads?: number;
  names?: { ref?: string; def?: string };
}

/** A copy in shared memory, so the worker threads read the guess without each copying it. */
function shared(a: Float32Array): Float32Array {
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/** The ROI's bounding box grown by `m` px (clipped), as the rectangle the CNN guess must cover. */
function guessRoi(roi: Roi | undefined, width: number, height: number, m: number): Roi | undefined {
  if (!roi) return undefined;
  const b = roiBox(roi, roiMask(roi, width, height), width, height);
  const x0 = Math.max(0, b.x0 - m);
  const y0 = Math.max(0, b.y0 - m);
  return { kind: 'rect', x: x0, y: y0, width: Math.min(width, b.x1 + m) - x0, height: Math.min(height, b.y1 + m) - y0 };
}

/** cnn+icgn's IC-GN settings, as the IC-GN refinement takes them (its search is not used). */
function icgnPart(o: Pick<CnnIcgnOptions, 'subset' | 'maxIterations' | 'tolerance' | 'minZncc'>) {
  return { subset: o.subset, maxIterations: o.maxIterations, tolerance: o.tolerance, minZncc: o.minZncc };
}

/**
 * IC-GN's own checks on cnn+icgn's refinement settings (search is unused there; any valid value), on an
 * image of this size (Infinity when not known yet, as when rules are read).
 */
export function validateIcgnRefinement(o: Pick<CnnIcgnOptions, 'subset' | 'maxIterations' | 'tolerance' | 'minZncc'>, width: number, height: number): void {
  icgnKernel.validate({ ...icgnPart(o), search: 1 }, width, height);
}

/** Measures the field with CNN-seeded IC-GN (see the file note). */
export async function trackCnnIcgn(ref: GreyImage, def: GreyImage, req: CnnIcgnRequest, ctx: TaskContext): Promise<DisplacementField> {
  const t0 = performance.now();
  const o = req.options;
  const icgnOptions = icgnPart(o);
  // Fail on bad IC-GN settings before spending time on the network.
  validateIcgnRefinement(o, ref.width, ref.height);

  const half = (o.subset - 1) / 2;
  const cnn = await trackCnn(
    ref,
    def,
    {
      modelId: o.model,
      roi: guessRoi(req.roi, ref.width, ref.height, half + 2),
      tile: o.tile,
      overlap: o.overlap,
      qualityWindow: 0, // IC-GN's ZNCC is this method's quality
      method: 'cnn+icgn',
      names: req.names,
    },
    { signal: ctx.signal, progress: ctx.progress.sub(0, 0.25) },
  );
  const guess: IcgnGuess = { width: ref.width, height: ref.height, u: shared(cnn.u), v: shared(cnn.v) };
  const field = await trackField(
    [ref],
    [def],
    { method: 'icgn', options: { ...icgnOptions, guess }, step: req.step, roi: req.roi, threads: req.threads, names: req.names },
    { signal: ctx.signal, progress: ctx.progress.sub(0.25, 1) },
  );
  const messages = [
    ...cnn.messages.map((m) => `CNN guess (${cnn.modelId}): ${m}`),
    ...field.messages,
  ];
  if (field.valid < field.measured) {
    messages.push(
      `IC-GN converged from the CNN guess at ${field.valid} of ${field.measured} points; the others are NaN (the CNN value is not kept there).`,
    );
  }
  return {
    ...field,
    method: 'cnn+icgn',
    messages,
    timingsMs: { cnn: cnn.timingsMs.total, refine: field.timingsMs.total, total: Math.round(performance.now() - t0) },
    modelId: cnn.modelId,
    modelSha256: cnn.modelSha256,
    provider: cnn.provider,
  };
}
