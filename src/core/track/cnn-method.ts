/**
 * @file The CNN methods behind `trackField` (Note: CNN trackers, cnn.ts): checks their options and sends
 * `cnn-dic` and `cnn-xst` to `trackCnn`, `cnn+icgn` to `trackCnnIcgn`. `trackField` has already checked
 * the images (sizes, finite values) and filled in the defaults (kernels.ts `CNN_DEFAULT_OPTIONS`).
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import type { TaskContext } from '../progress';
import { trackCnn } from './cnn';
import { trackCnnIcgn } from './cnn-icgn';
import { SYMMETRY_COUNTS } from './cnn-symmetry';
import { CNN_DEFAULT_OPTIONS } from './kernels';
import type { CnnIcgnOptions, CnnMethod, CnnOptions, DisplacementField, Roi } from './types';

export interface CnnMethodRequest {
  method: CnnMethod;
  /** complete options (defaults filled in) */
  options: CnnOptions | CnnIcgnOptions;
  step: number;
  roi?: Roi;
  threads?: number;
  names?: { ref?: string; def?: string };
}

function bad(message: string): LabError {
  return new LabError('E_INVALID_INPUT', message);
}

/** Refuses unknown or out-of-range options, naming the option and the fix. */
export function validateCnnOptions(method: CnnMethod, opts: Record<string, unknown>): void {
  const allowed = Object.keys(CNN_DEFAULT_OPTIONS[method]);
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) throw bad(`The method ${method} has no option "${key}"; its options are ${allowed.join(', ')}.`);
  }
  const { model, tile, overlap } = opts;
  if (typeof model !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(model)) {
    throw bad(`The model "${String(model)}" of ${method} must be a model id from models/manifest.json, e.g. "${CNN_DEFAULT_OPTIONS[method].model}".`);
  }
  if (!(Number.isInteger(tile) && (tile as number) >= 64 && (tile as number) <= 8192)) {
    throw bad(`The CNN tile size ${String(tile)} must be a whole number of pixels from 64 to 8192; use for example 512 (smaller if the GPU runs out of memory).`);
  }
  if (!(Number.isInteger(overlap) && (overlap === 0 || ((overlap as number) >= 4 && (overlap as number) <= (tile as number) / 2)))) {
    throw bad(`The CNN tile overlap ${String(overlap)} must be 0 (chosen from the model) or a whole number of pixels from 4 to about half the tile size.`);
  }
  if ('passes' in opts) {
    const n = opts.passes;
    if (!(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 5)) {
      throw bad(`The number of CNN passes ${String(n)} must be a whole number from 1 to 5; each pass after the first refines the field on the warped image.`);
    }
  }
  if ('symmetry' in opts && !(SYMMETRY_COUNTS as readonly unknown[]).includes(opts.symmetry)) {
    throw bad(`The symmetry averaging ${String(opts.symmetry)} must be 1 (off), 4 (flips) or 8 (flips and transposes).`);
  }
  if ('qualityWindow' in opts) {
    const q = opts.qualityWindow;
    // 0 turns the warp-back quality map off (the field alone, about a fifth less time in one pass at 1024²)
    if (!(q === 0 || (Number.isInteger(q) && (q as number) >= 3 && (q as number) <= 101 && (q as number) % 2 === 1))) {
      throw bad(`The quality window ${String(q)} must be an odd whole number of pixels from 3 to 101 (or 0: no quality map); use for example 15.`);
    }
  }
}

/** Runs CNN method `req.method` on the first frame pair (see the file note). */
export async function trackCnnMethod(refs: GreyImage[], defs: GreyImage[], req: CnnMethodRequest, ctx: TaskContext): Promise<DisplacementField> {
  if (refs.length !== 1 || defs.length !== 1) {
    throw bad(`The CNN method ${req.method} takes one reference and one deformed image (got ${refs.length} and ${defs.length} frames).`);
  }
  validateCnnOptions(req.method, req.options as unknown as Record<string, unknown>);
  if (req.method === 'cnn+icgn') {
    return trackCnnIcgn(refs[0], defs[0], { ...req, options: req.options as CnnIcgnOptions }, ctx);
  }
  const o = req.options as CnnOptions;
  return trackCnn(
    refs[0],
    defs[0],
    { modelId: o.model, roi: req.roi, step: req.step, tile: o.tile, overlap: o.overlap, qualityWindow: o.qualityWindow, passes: o.passes, symmetry: o.symmetry, method: req.method, names: req.names },
    ctx,
  );
}
