/**
 * @file `trackCnn`: a dense displacement field from a CNN tracker model (dicnet-s, cade-xst-s, ...), in
 * the same `DisplacementField` shape as the classical methods.
 *
 * Note: CNN trackers. The methods `cnn-dic` (model dicnet-s: DIC speckle, displacements up to ±16 px) and
 * `cnn-xst` (cade-xst-s: X-ray speckle, sub-pixel within ±1 px) run a fully convolutional network that
 * maps the pair to u and v at every pixel (Note: Tracker I/O contract, cnn-model.ts). They are not
 * kernels: the ONNX session lives in the calling process (the compute host in the app, the CLI process
 * itself), created once per model by the session pool with GPU-first provider fallback, never in worker
 * threads, which would each load the model and fight over the GPU. Steps: normalise each image over its
 * whole extent as the manifest says (Note: Whole-image normalisation, normalise.ts); run the model over
 * the ROI's bounding box plus a context margin, tile by tile with blended overlaps (Note: Tiling with
 * overlap blending, tiling.ts); keep u, v inside the ROI, NaN outside it and where x + u leaves the
 * deformed image (nothing there to match: the net would only extrapolate); quality = warp-back ZNCC
 * (Note: CNN quality, cnn-quality.ts). Options `passes` and `symmetry` run the network again on the warped
 * pair and over the pair's orientations (Notes: CNN refinement passes, cnn-warp.ts; Symmetry averaging,
 * cnn-symmetry.ts). The grid is every pixel of the ROI's bounding box (step 1); the
 * network gives no sparser answer for less work, so `step` is not used. Points are not rejected on quality;
 * the map and the messages say where the field is doubtful. `cnn+icgn` refines this field (cnn-icgn.ts).
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { normaliseImage } from '../infer/normalise';
import { runTiled } from '../infer/tiling';
import { providerFallbackNote } from '../infer/provider-notes';
import { type TaskContext, throwIfCancelled } from '../progress';
import { autoOverlap, openTrackerModel } from './cnn-model';
import { accumulateField, DIHEDRAL, transformedSize, transformImage } from './cnn-symmetry';
import { smoothMap, warpByField } from './cnn-warp';
import { warpBackZncc } from './cnn-quality';
import { roiMask } from './grid';
import type { CnnMethod, DisplacementField, Roi } from './types';

export interface TrackCnnOptions {
  /** model id in the manifest, e.g. "dicnet-s" */
  modelId: string;
  roi?: Roi;
  /** accepted for symmetry with the classical methods; the CNN field is always dense (see the file note) */
  step?: number;
  /** largest tile side, px (default 1024) */
  tile?: number;
  /** least tile overlap, px; 0 or absent = from the model (`autoOverlap`) */
  overlap?: number;
  /** quality window side, px, odd (default 15); 0 = no quality map (all NaN), for callers with their own */
  qualityWindow?: number;
  /** network passes: 1 = one inference; each further pass measures the residual on the warped image (Note: CNN refinement passes, cnn-warp.ts) */
  passes?: number;
  /** orientations averaged on the last pass: 1, 4 or 8 (Note: Symmetry averaging, cnn-symmetry.ts) */
  symmetry?: number;
  /** the method name to record (default "cnn-dic") */
  method?: CnnMethod;
  providers?: string[];
  modelsDir?: string;
  names?: { ref?: string; def?: string };
}

/** The ROI's bounding box (whole image without ROI), inclusive-exclusive; `mask` = roiMask(roi). */
export function roiBox(roi: Roi | undefined, mask: Uint8Array | null, width: number, height: number) {
  if (!roi) return { x0: 0, y0: 0, x1: width, y1: height };
  if (roi.kind === 'rect') return { x0: roi.x, y0: roi.y, x1: roi.x + roi.width, y1: roi.y + roi.height };
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask![y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
    }
  }
  if (x1 <= x0) throw new LabError('E_INVALID_INPUT', 'The ROI mask selects no pixel; draw a region to measure.');
  return { x0, y0, x1, y1 };
}

/** The box's pixels for reading only: the array itself when the box is the whole image (no 8k² copy). */
function readBox(data: Float32Array, width: number, b: { x0: number; y0: number; x1: number; y1: number }): Float32Array {
  return b.x0 === 0 && b.y0 === 0 && b.x1 === width && b.y1 * width === data.length ? data : crop(data, width, b);
}

function crop(data: Float32Array, width: number, b: { x0: number; y0: number; x1: number; y1: number }): Float32Array {
  const w = b.x1 - b.x0;
  const out = new Float32Array(w * (b.y1 - b.y0));
  for (let y = b.y0; y < b.y1; y++) out.set(data.subarray(y * width + b.x0, y * width + b.x1), (y - b.y0) * w);
  return out;
}

const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;

/** Measures the displacement field of the pair with CNN model `modelId` (see the file note). */
export async function trackCnn(ref: GreyImage, def: GreyImage, opts: TrackCnnOptions, ctx: TaskContext): Promise<DisplacementField> {
  const t0 = performance.now();
  const { width, height } = ref;
  if (def.width !== width || def.height !== height) {
    throw new LabError('E_SIZE_MISMATCH', `${opts.names?.def ?? 'The deformed image'} is ${def.width}×${def.height} but ${opts.names?.ref ?? 'the reference image'} is ${width}×${height}; both images must have the same size.`);
  }
  const model = await openTrackerModel(opts.modelId, { modelsDir: opts.modelsDir, providers: opts.providers });
  const { entry, created } = model;
  const tLoad = performance.now();
  throwIfCancelled(ctx.signal);

  const mask = roiMask(opts.roi, width, height);
  const box = roiBox(opts.roi, mask, width, height);
  const tile = opts.tile ?? 1024;
  // An automatic overlap gives way to a small tile the user chose (e.g. for GPU memory); a given one does not.
  const overlap = opts.overlap || Math.min(autoOverlap(entry), Math.floor(Math.floor(tile / model.stride) * model.stride / 2) - model.stride);
  // Context around the ROI: the model's output near the edge of what it sees is degraded like at a tile edge.
  // Its origin sits on the stride grid, so an ROI run samples the model's grid as the whole-image run does.
  const onGrid = (v: number) => Math.floor(Math.max(0, v) / model.stride) * model.stride;
  const ctxBox = {
    x0: onGrid(box.x0 - overlap),
    y0: onGrid(box.y0 - overlap),
    x1: Math.min(width, box.x1 + overlap),
    y1: Math.min(height, box.y1 + overlap),
  };
  const refN = normaliseImage(ref.data, entry.normalisation, opts.names?.ref ?? 'The reference image').data;
  const defN = normaliseImage(def.data, entry.normalisation, opts.names?.def ?? 'The deformed image').data;
  ctx.progress.report(0.03, 'normalised');
  const tNorm = performance.now();

  const cw = ctxBox.x1 - ctxBox.x0;
  const ch = ctxBox.y1 - ctxBox.y0;
  const passes = opts.passes ?? 1;
  const symmetry = opts.symmetry ?? 1;
  const refCrop = readBox(refN, width, ctxBox);
  const range = entry.maxDisplacementPx ?? Infinity;
  let cu: Float32Array | null = null;
  let cv: Float32Array | null = null;
  for (let pass = 0; pass < passes; pass++) {
    // Later passes see the deformed image warped back by the field so far and measure what is left.
    if (cu && cv) {
      cu = smoothMap(cu, cw, ch);
      cv = smoothMap(cv, cw, ch);
      throwIfCancelled(ctx.signal);
    }
    const defInput = cu && cv ? warpByField({ width, height, data: defN }, ctxBox, cu, cv, Number.isFinite(range) ? Math.ceil(range) + 12 : 32, refCrop) : readBox(defN, width, ctxBox);
    throwIfCancelled(ctx.signal);
    const span = 0.82 / passes;
    // Symmetry averaging on the last pass only: it is what fixes the noise of the final answer, and earlier
    // passes only need to bring the residual into the range where the network is unbiased.
    const variants = DIHEDRAL.slice(0, pass === passes - 1 ? symmetry : 1);
    const du = new Float32Array(cw * ch);
    const dv = new Float32Array(cw * ch);
    for (const [i, t] of variants.entries()) {
      const { w: tw, h: th } = transformedSize(t, cw, ch);
      const from = 0.03 + (pass + i / variants.length) * span;
      const tiled = await runTiled(
        created.session,
        [transformImage(t, refCrop, cw, ch), transformImage(t, defInput, cw, ch)],
        tw,
        th,
        { inputNames: [model.refName, model.defName], outputName: model.flowName, tile, overlap, stride: model.stride },
        { signal: ctx.signal, progress: ctx.progress.sub(from, from + span / variants.length) },
      );
      if (tiled.channels.length !== 2) {
        throw new LabError('E_RUNTIME', `Model "${entry.id}" returned ${tiled.channels.length} flow channels; a tracker returns 2 (u, v).`);
      }
      accumulateField(t, tiled.channels[0], tiled.channels[1], cw, ch, du, dv, 1 / variants.length);
    }
    if (!cu || !cv) {
      cu = du;
      cv = dv;
    } else {
      for (let i = 0; i < cu.length; i++) {
        cu[i] += du[i];
        cv[i] += dv[i];
      }
    }
  }
  const tInfer = performance.now();

  // u, v over everything the model saw (the context box), NaN where x + u leaves the deformed image. The
  // quality is computed on this (so windows at the ROI's edge are complete), then both are cut to the ROI.
  const uBox = cu!;
  const vBox = cv!;
  for (let y = ctxBox.y0, c = 0; y < ctxBox.y1; y++) {
    for (let x = ctxBox.x0; x < ctxBox.x1; x++, c++) {
      const X = x + uBox[c];
      const Y = y + vBox[c];
      if (X >= 0 && X <= width - 1 && Y >= 0 && Y <= height - 1) continue;
      uBox[c] = Number.NaN;
      vBox[c] = Number.NaN;
    }
  }
  throwIfCancelled(ctx.signal);
  const qWin = opts.qualityWindow ?? 15;
  const qBox = qWin > 0 ? warpBackZncc(refN, defN, width, height, uBox, vBox, qWin, ctxBox, ctx.signal) : null;
  const tQuality = performance.now();

  const u = new Float32Array(width * height).fill(Number.NaN);
  const v = new Float32Array(width * height).fill(Number.NaN);
  const quality = new Float32Array(width * height).fill(Number.NaN);
  let measured = 0;
  let valid = 0;
  let beyondRange = 0;
  let low = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const k = y * width + x;
      if (mask && !mask[k]) continue;
      measured++;
      const c = (y - ctxBox.y0) * cw + x - ctxBox.x0;
      if (!Number.isFinite(uBox[c]) || !Number.isFinite(vBox[c])) continue;
      valid++;
      u[k] = uBox[c];
      v[k] = vBox[c];
      if (Math.abs(u[k]) > range || Math.abs(v[k]) > range) beyondRange++;
      if (qBox) {
        quality[k] = qBox[c];
        if (qBox[c] < 0.5) low++;
      }
    }
  }
  const outside = measured - valid;

  const grid = { x0: box.x0, y0: box.y0, step: 1, nx: box.x1 - box.x0, ny: box.y1 - box.y0 };
  const messages: string[] = [];
  const fallback = providerFallbackNote(`Model "${entry.id}"`, created.provider, created.tried);
  if (fallback) messages.push(fallback);
  if (opts.step && opts.step > 1) messages.push(`The CNN measures every pixel; the grid step ${opts.step} was not used (grid step 1).`);
  if (outside) messages.push(`${outside} of ${measured} pixels (${pct(outside, measured)}) move out of the deformed image by the predicted field and are NaN.`);
  if (beyondRange) {
    messages.push(
      `${pct(beyondRange, valid)} of the pixels have a predicted displacement beyond the ±${range} px that model "${entry.id}" was trained for; the field is unreliable there.`,
    );
  }
  if (low > 0.05 * valid) {
    messages.push(
      `${pct(low, valid)} of the pixels have a warp-back ZNCC below 0.5 (quality map): the predicted field does not explain the images there ` +
        "(displacement beyond the model's range, decorrelation, or featureless areas).",
    );
  }
  ctx.progress.report(1, 'done');
  return {
    width,
    height,
    method: opts.method ?? 'cnn-dic',
    u,
    v,
    quality,
    extra: {},
    grid,
    gridU: crop(u, width, box),
    gridV: crop(v, width, box),
    measured,
    valid,
    messages,
    timingsMs: {
      load: Math.round(tLoad - t0),
      normalise: Math.round(tNorm - tLoad),
      infer: Math.round(tInfer - tNorm),
      quality: Math.round(tQuality - tInfer),
      total: Math.round(performance.now() - t0),
    },
    modelId: entry.id,
    modelSha256: entry.sha256,
    provider: created.provider,
  };
}
