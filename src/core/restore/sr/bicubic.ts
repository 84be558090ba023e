/**
 * @file Bicubic resizing as MATLAB's imresize(x, scale, 'bicubic') computes it: the baseline every
 * super-resolution paper compares with, and the left panel of the SR preview.
 *
 * Note: MATLAB imresize. Per axis (rows first, then columns; the result is linear, so the order only
 * changes rounding): output pixel i (1-based) of an axis of n_in → n_out = ceil(n_in·scale) pixels maps to
 * input position u = i/scale + 0.5·(1 − 1/scale); its weights are the Keys cubic (a = −0.5) at u − j for
 * the P = ceil(4/scale') + 2 nearest input pixels j, where for down-scaling (scale < 1) with antialiasing
 * the cubic is stretched by 1/scale (h(x) = scale·cubic(scale·x), support 4/scale), a low-pass filter;
 * the weights of each output pixel are divided by their sum; input indices beyond the border are mirrored
 * WITH the edge pixel repeated (MATLAB's symmetric padding, [1..n, n..1] cyclically). Computed in float64
 * with no rounding between the passes (MATLAB rounds an 8-bit image after each pass; for float data the
 * two agree). Tested against a numpy implementation of the same definition (bicubic.test.ts).
 */
import { LabError } from '../../errors';
import { cubic } from '../../synth/kernels';

interface AxisPlan {
  out: number;
  taps: number;
  /** out × taps */
  weights: Float64Array;
  indices: Int32Array;
}

function planAxis(nIn: number, nOut: number, scale: number, antialias: boolean): AxisPlan {
  const stretch = scale < 1 && antialias;
  const kernelWidth = stretch ? 4 / scale : 4;
  const h = stretch ? (x: number) => scale * cubic(scale * x) : cubic;
  const taps = Math.ceil(kernelWidth) + 2;
  const weights = new Float64Array(nOut * taps);
  const indices = new Int32Array(nOut * taps);
  const period = 2 * nIn;
  for (let i = 0; i < nOut; i++) {
    const u = (i + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const j = left + t; // 1-based input index
      const w = h(u - j);
      weights[i * taps + t] = w;
      sum += w;
      // symmetric padding: aux = [1..n, n..1], index (j − 1) mod 2n
      let m = (j - 1) % period;
      if (m < 0) m += period;
      indices[i * taps + t] = m < nIn ? m : period - 1 - m;
    }
    for (let t = 0; t < taps; t++) weights[i * taps + t] /= sum;
  }
  return { out: nOut, taps, weights, indices };
}

export interface ResizeOptions {
  /** output size; default ceil(size · scale) as MATLAB */
  outWidth?: number;
  outHeight?: number;
  /** low-pass when down-scaling (MATLAB's default true) */
  antialias?: boolean;
}

/** MATLAB-compatible bicubic imresize of a grey image by `scale` (see the file note). */
export function imresizeBicubic(
  data: ArrayLike<number>,
  width: number,
  height: number,
  scale: number,
  opts: ResizeOptions = {},
): { width: number; height: number; data: Float64Array } {
  if (!(scale > 0 && Number.isFinite(scale))) throw new LabError('E_INVALID_INPUT', `The resize scale ${scale} must be a positive number.`);
  if (data.length !== width * height || width < 1 || height < 1) {
    throw new LabError('E_INVALID_INPUT', `The image to resize has ${data.length} values but ${width}×${height} were given.`);
  }
  const outW = opts.outWidth ?? Math.ceil(width * scale);
  const outH = opts.outHeight ?? Math.ceil(height * scale);
  const aa = opts.antialias ?? true;
  // Rows (vertical) first.
  const py = planAxis(height, outH, scale, aa);
  const mid = new Float64Array(width * outH);
  for (let i = 0; i < outH; i++) {
    const o = i * width;
    for (let t = 0; t < py.taps; t++) {
      const w = py.weights[i * py.taps + t];
      if (w === 0) continue;
      const src = py.indices[i * py.taps + t] * width;
      for (let c = 0; c < width; c++) mid[o + c] += w * data[src + c];
    }
  }
  const px = planAxis(width, outW, scale, aa);
  const out = new Float64Array(outW * outH);
  for (let r = 0; r < outH; r++) {
    const src = r * width;
    const o = r * outW;
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      const b = i * px.taps;
      for (let t = 0; t < px.taps; t++) acc += px.weights[b + t] * mid[src + px.indices[b + t]];
      out[o + i] = acc;
    }
  }
  return { width: outW, height: outH, data: out };
}
