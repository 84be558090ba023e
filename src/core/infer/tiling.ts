/**
 * @file Running a fully convolutional image-to-image model (CNN trackers, restoration nets) on an image of
 * any size, tile by tile, with overlap and smooth blending, so memory stays bounded and the result does not
 * show the tile grid.
 *
 * Note: Tiling with overlap blending. Each axis is cut into k tiles of equal length L ≤ `tile`, spread
 * evenly so that neighbours overlap by at least `overlap` px (the first tile starts at 0, the last ends at
 * the border). Near a tile edge that has a neighbour, the model's output is wrong: its receptive field was
 * cut by the tile's artificial border (zero padding inside the net). So each tile's output is weighted by
 * a separable window w(x)·w(y) that is 0 in a guard band of `overlap`/4 px at such edges, rises as a
 * raised cosine over the next `overlap`/2 px and is 1 elsewhere (and 1 right up to edges that are image
 * borders, where no other tile can help). Weighted outputs and weights are summed over tiles and divided:
 * where tiles agree, the blend returns exactly their common value. Models with down-sampling need H and W
 * to be multiples of their `stride`, and are not shift-invariant for shifts that are not: a tile starting
 * 5 px off the stride grid samples the images in another phase and answers differently (measured: up to
 * 0.09 px on cade-xst-s, whatever the overlap). So L and every tile start are multiples of the stride, as
 * if the image were padded to a multiple of it; whatever a tile (or a single tile spanning an axis) needs
 * beyond the image's far edge is its mirror image, the padding a whole-image run gets too, and is cropped
 * from the output. Inputs must already be normalised over the whole image (Note: Whole-image
 * normalisation, normalise.ts). Tiles run one at a time (batch N = 1); progress is reported per tile and
 * the AbortSignal is checked between tiles (a running inference cannot be interrupted).
 *
 * Note: Scaled output. Super-resolution nets return an output `outputScale` (s) times larger than their
 * input on each axis. The plan stays on the input grid (tile starts, lengths, stride, mirror padding);
 * each tile's output covers the same region s times finer, so its blending window is the same ramp built
 * at output resolution (length and overlap times s) and it is accumulated at (x0·s, y0·s). With s = 1
 * (the default) this is exactly the same-size runner.
 */
import * as ort from 'onnxruntime-node';
import { LabError } from '../errors';
import { type TaskContext, throwIfCancelled } from '../progress';

export interface TilingOptions {
  /** largest tile side in px; rounded down to a multiple of `stride` */
  tile: number;
  /** least overlap between neighbouring tiles in px (guard band + blending ramp + guard band) */
  overlap: number;
  /** the model's H and W must be multiples of this */
  stride: number;
}

export interface TiledRunRequest extends TilingOptions {
  /** model input names, one per image, in the order of `images` */
  inputNames: string[];
  outputName: string;
  /** output size / input size per axis (super-resolution nets); default 1 (Note: Scaled output) */
  outputScale?: number;
}

export interface TiledOutput {
  /** the output's channels, each (width·outputScale)*(height·outputScale), row-major */
  channels: Float32Array[];
  tiles: number;
}

/**
 * Tile starts along one axis of length n, and the common tile length (see the file note). Starts are
 * multiples of the stride, and the axis is treated as padded to a multiple of it (the last tile may reach
 * past n into the mirror padding), so every tile samples the model's down-sampling grid in the same phase
 * as a whole-image run would.
 */
export function planAxis(n: number, tile: number, overlap: number, stride: number): { starts: number[]; length: number } {
  const np = Math.ceil(n / stride) * stride;
  if (np <= tile) return { starts: [0], length: n };
  // Planned with one stride more overlap, which flooring the starts to the stride can take away again.
  const o = overlap + stride;
  const k = Math.ceil((np - o) / (tile - o));
  const length = Math.min(tile, Math.ceil(Math.ceil((np + (k - 1) * o) / k) / stride) * stride);
  const starts: number[] = [];
  for (let i = 0; i < k; i++) starts.push(Math.floor((i * (np - length)) / (k - 1) / stride) * stride);
  return { starts, length };
}

/** Mirror index (no edge repeat) for any i, including pads longer than the image. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Blending weight along one tile axis of `length` px (see the file note): `low`/`high` say whether the
 * tile has a neighbour before/after it on this axis.
 */
export function axisWeights(length: number, overlap: number, low: boolean, high: boolean): Float32Array {
  const w = new Float32Array(length).fill(1);
  const guard = Math.floor(overlap / 4);
  const ramp = overlap - 2 * guard;
  for (let i = 0; i < length; i++) {
    const d = Math.min(low ? i : Infinity, high ? length - 1 - i : Infinity);
    if (d < guard) w[i] = 0;
    else if (d < guard + ramp) w[i] = 0.5 - 0.5 * Math.cos((Math.PI * (d - guard + 0.5)) / ramp);
  }
  return w;
}

/** Checks the tiling options against each other and rounds the tile to the stride. */
export function checkTiling(opts: TilingOptions): TilingOptions {
  const { overlap, stride } = opts;
  if (!Number.isInteger(stride) || stride < 1) throw new LabError('E_INVALID_INPUT', `The model stride ${stride} must be a whole number ≥ 1.`);
  const tile = Math.floor(opts.tile / stride) * stride;
  if (!Number.isInteger(overlap) || overlap < 4) {
    throw new LabError('E_INVALID_INPUT', `The tile overlap ${overlap} px must be a whole number of at least 4 px; use for example 64.`);
  }
  if (!(tile >= 2 * overlap + 2 * stride)) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The tile size ${opts.tile} px (${tile} px as a multiple of the model stride ${stride}) must be at least twice the overlap ${overlap} px plus two strides; use for example 512.`,
    );
  }
  return { tile, overlap, stride };
}

/**
 * Runs `session` over the `images` (each width*height, already normalised, fed as [1, 1, H, W]) tile by
 * tile and returns the blended output channels at full size. E_RUNTIME names the tile if ONNX Runtime fails.
 */
export async function runTiled(
  session: ort.InferenceSession,
  images: Float32Array[],
  width: number,
  height: number,
  req: TiledRunRequest,
  ctx: TaskContext,
): Promise<TiledOutput> {
  const { tile, overlap, stride } = checkTiling(req);
  if (images.length !== req.inputNames.length) {
    throw new LabError('E_INVALID_INPUT', `The model takes ${req.inputNames.length} input image(s) but ${images.length} were given.`);
  }
  for (const img of images) {
    if (img.length !== width * height) {
      throw new LabError('E_SIZE_MISMATCH', `An input image has ${img.length} pixels but ${width}×${height} were expected.`);
    }
  }
  const s = req.outputScale ?? 1;
  if (!Number.isInteger(s) || s < 1) throw new LabError('E_INVALID_INPUT', `The model's output scale ${s} must be a whole number ≥ 1.`);
  const W = width * s;
  const H = height * s;
  const ax = planAxis(width, tile, overlap, stride);
  const ay = planAxis(height, tile, overlap, stride);
  const tw = ax.length;
  const th = ay.length;
  // Model input sizes: multi-tile lengths are stride multiples already; a single tile is padded up to one.
  const pw = Math.ceil(tw / stride) * stride;
  const ph = Math.ceil(th / stride) * stride;
  const total = ax.starts.length * ay.starts.length;
  if (total === 1 && pw === width && ph === height) return runWhole(session, images, width, height, req, s, ctx);
  const acc: Float32Array[] = [];
  const wsum = new Float32Array(W * H);
  const buffers = images.map(() => new Float32Array(pw * ph));
  const xIndex = new Int32Array(pw);
  let done = 0;

  for (const [jy, y0] of ay.starts.entries()) {
    const wy = axisWeights(th * s, overlap * s, jy > 0, jy < ay.starts.length - 1);
    for (const [jx, x0] of ax.starts.entries()) {
      throwIfCancelled(ctx.signal);
      const wx = axisWeights(tw * s, overlap * s, jx > 0, jx < ax.starts.length - 1);
      // Crop; beyond the image's far edges, mirror it (the same padding a whole-image run gets).
      for (let c = 0; c < pw; c++) xIndex[c] = reflect(x0 + c, width);
      const inside = Math.max(0, Math.min(pw, width - x0));
      images.forEach((img, m) => {
        const buf = buffers[m];
        for (let r = 0; r < ph; r++) {
          const sr = reflect(y0 + r, height) * width;
          const o = r * pw;
          buf.set(img.subarray(sr + x0, sr + x0 + inside), o);
          for (let c = inside; c < pw; c++) buf[o + c] = img[sr + xIndex[c]];
        }
      });
      const where = `tile ${done + 1} of ${total} (x ${x0}–${x0 + tw - 1}, y ${y0}–${y0 + th - 1}, input ${pw}×${ph})`;
      const out = await runOne(session, buffers, pw, ph, req, s, where);
      const oph = ph * s;
      const opw = pw * s;
      const channels = Number(out.dims[1]);
      if (acc.length === 0) for (let c = 0; c < channels; c++) acc.push(new Float32Array(W * H));
      const data = out.data as Float32Array;
      // Only the part inside the image is kept (the mirror padding is cropped).
      const insideOut = inside * s;
      for (let r = 0; r < Math.min(th, height - y0) * s; r++) {
        const row = (y0 * s + r) * W + x0 * s;
        for (let c = 0; c < insideOut; c++) {
          const w = wy[r] * wx[c];
          if (w === 0) continue;
          wsum[row + c] += w;
          for (let ch = 0; ch < channels; ch++) acc[ch][row + c] += w * data[(ch * oph + r) * opw + c];
        }
      }
      done++;
      ctx.progress.report(done / total, `model tile ${done} of ${total}`);
      // Let an abort (or anything else queued) be handled before the next, blocking, inference.
      await new Promise((r) => setImmediate(r));
    }
  }
  for (const ch of acc) for (let i = 0; i < ch.length; i++) ch[i] /= wsum[i];
  return { channels: acc, tiles: total };
}

/** One inference on [1, 1, h, w] inputs; checks the output's shape. `where` names the tile in errors. */
async function runOne(
  session: ort.InferenceSession,
  inputs: Float32Array[],
  w: number,
  h: number,
  req: TiledRunRequest,
  s: number,
  where: string,
): Promise<ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  req.inputNames.forEach((name, m) => (feeds[name] = new ort.Tensor('float32', inputs[m], [1, 1, h, w])));
  let out: ort.Tensor;
  try {
    const res = await session.run(feeds);
    out = res[req.outputName];
    if (!out) throw new Error(`the model has no output "${req.outputName}" (outputs: ${Object.keys(res).join(', ')})`);
  } catch (err) {
    throw new LabError('E_RUNTIME', `ONNX Runtime failed on ${where}: ${(err as Error).message}`);
  }
  const dims = out.dims;
  if (dims.length !== 4 || dims[0] !== 1 || dims[2] !== h * s || dims[3] !== w * s) {
    throw new LabError('E_RUNTIME', `The model returned "${req.outputName}" of shape [${dims.join(', ')}] for a [1, 1, ${h}, ${w}] input; expected [1, C, ${h * s}, ${w * s}].`);
  }
  return out;
}

/**
 * The whole image as one tile when its sides are stride multiples already: the images go to the model
 * as they are and its output channels come back as they are. This is what the general path computes for
 * one tile (all blending weights 1, nothing to crop), without the copies of the inputs, the weight sum and
 * the per-pixel blend, which the CNN trackers' whole-image runs (1024² by default) would pay for nothing.
 */
async function runWhole(
  session: ort.InferenceSession,
  images: Float32Array[],
  width: number,
  height: number,
  req: TiledRunRequest,
  s: number,
  ctx: TaskContext,
): Promise<TiledOutput> {
  throwIfCancelled(ctx.signal);
  const out = await runOne(session, images, width, height, req, s, `the whole image (input ${width}×${height})`);
  const data = out.data as Float32Array;
  const n = width * s * height * s;
  const channels = Array.from({ length: Number(out.dims[1]) }, (_, c) => data.slice(c * n, (c + 1) * n));
  ctx.progress.report(1, 'model tile 1 of 1');
  return { channels, tiles: 1 };
}
