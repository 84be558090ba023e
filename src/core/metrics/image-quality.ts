/**
 * @file Image quality for restoration (deblurring, super-resolution): full-reference PSNR and SSIM against
 * a sharp reference, and a no-reference sharpness figure for when there is none.
 *
 * Note: Image quality conventions. Images are `width × height` Float32Arrays in their native scale
 * (Note: Image convention, imageio/types.ts), and every figure states its `dataRange` R: the span of values
 * the type can hold (255 for 8-bit, 65535 for 16-bit, the reference's max − min for float data), never
 * the span one image happens to use, so scores of different images compare. `border` crops that many
 * pixels from every side of both images before scoring (restorations are least reliable at the border,
 * where the net or deconvolution sees padding). Pixels where either image is not finite are left out of
 * PSNR and sharpness and counted; SSIM needs complete windows, so it refuses non-finite data.
 *
 * - PSNR = 10·log10(R² / MSE), in dB; +Infinity for identical images.
 * - SSIM (Wang, Bovik, Sheikh & Simoncelli 2004): local means, variances and covariance under an 11 × 11
 *   Gaussian window (σ = 1.5, truncated at 3.5σ = 5 px), population (not sample) moments,
 *   C1 = (0.01·R)², C2 = (0.03·R)², averaged over the pixels whose window lies wholly inside the (cropped)
 *   image. This is skimage's `structural_similarity(gaussian_weights=True, sigma=1.5,
 *   use_sample_covariance=False, data_range=R)`: skimage filters the whole image with reflected borders
 *   and then crops (win − 1)/2 = 5 px, so its mean covers exactly our valid region (tested against it).
 * - Sharpness (no reference): both figures are computed on x/R, so an 8-bit image and the same picture
 *   stored as 16-bit (R = 65535) score alike. `laplacianVariance`: variance of the 4-neighbour Laplacian
 *   over interior pixels (Pech-Pacheco et al. 2000); `tenengrad`: mean squared Sobel gradient magnitude
 *   (Gx² + Gy², Tenengrad / mean gradient energy, Krotkov 1987). Both rise as edges sharpen and also with
 *   noise: compare a restoration with its own input, not across different scenes.
 */
import { LabError } from '../errors';

export interface QualityOptions {
  /** the value span R of the data type (255 for 8-bit); see Note: Image quality conventions */
  dataRange: number;
  /** pixels cropped from every side before scoring (default 0) */
  border?: number;
}

interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

function checkRange(dataRange: number, what: string): void {
  if (!(dataRange > 0 && Number.isFinite(dataRange))) {
    throw new LabError('E_INVALID_INPUT', `${what}: the data range ${dataRange} must be a positive number (e.g. 255 for 8-bit images).`);
  }
}

function checkPair(a: Plane, b: Plane, what: string): void {
  for (const [img, name] of [[a, 'first'], [b, 'second']] as const) {
    if (img.data.length !== img.width * img.height) {
      throw new LabError('E_INVALID_INPUT', `${what}: the ${name} image has ${img.data.length} values but ${img.width}×${img.height} needs ${img.width * img.height}.`);
    }
  }
  if (a.width !== b.width || a.height !== b.height) {
    throw new LabError('E_SIZE_MISMATCH', `${what}: the images are ${a.width}×${a.height} and ${b.width}×${b.height}; they must have the same size.`);
  }
}

/** The image cropped by `border` px on every side (a view-free copy); throws when nothing is left. */
function cropBorder(img: Plane, border: number, what: string, least = 1): Plane {
  if (!(Number.isInteger(border) && border >= 0)) {
    throw new LabError('E_INVALID_INPUT', `${what}: the border ${border} must be a whole number of pixels ≥ 0.`);
  }
  const w = img.width - 2 * border;
  const h = img.height - 2 * border;
  if (w < least || h < least) {
    throw new LabError(
      'E_INVALID_INPUT',
      `${what}: a ${img.width}×${img.height} image cropped by ${border} px on each side leaves ${Math.max(0, w)}×${Math.max(0, h)} px; at least ${least}×${least} are needed.`,
    );
  }
  if (border === 0) return img;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(img.data.subarray((y + border) * img.width + border, (y + border) * img.width + border + w), y * w);
  return { width: w, height: h, data };
}

/** Mean squared error over the cropped region, in float64, and how many pixel pairs were not finite. */
export function mse(a: Plane, b: Plane, border = 0): { mse: number; n: number; skipped: number } {
  checkPair(a, b, 'MSE');
  const A = cropBorder(a, border, 'MSE');
  const B = cropBorder(b, border, 'MSE');
  let sum = 0;
  let n = 0;
  for (let i = 0; i < A.data.length; i++) {
    const d = A.data[i] - B.data[i];
    if (!Number.isFinite(d)) continue;
    sum += d * d;
    n++;
  }
  return { mse: n ? sum / n : Number.NaN, n, skipped: A.data.length - n };
}

/** Peak signal-to-noise ratio in dB (Note: Image quality conventions); +Infinity when the images are equal. */
export function psnr(a: Plane, b: Plane, opts: QualityOptions): number {
  checkRange(opts.dataRange, 'PSNR');
  const m = mse(a, b, opts.border ?? 0);
  if (m.n === 0) throw new LabError('E_INVALID_INPUT', 'PSNR: no pixel is finite in both images.');
  return m.mse === 0 ? Infinity : 10 * Math.log10((opts.dataRange * opts.dataRange) / m.mse);
}

/** SSIM's Gaussian window: σ = 1.5 truncated at 3.5σ (radius 5, 11 taps), normalised to sum 1. */
const SSIM_SIGMA = 1.5;
const SSIM_RADIUS = Math.floor(3.5 * SSIM_SIGMA + 0.5);
const SSIM_KERNEL = (() => {
  const k = new Float64Array(2 * SSIM_RADIUS + 1);
  let s = 0;
  for (let i = -SSIM_RADIUS; i <= SSIM_RADIUS; i++) s += k[i + SSIM_RADIUS] = Math.exp((-0.5 * i * i) / (SSIM_SIGMA * SSIM_SIGMA));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
})();

/**
 * Gaussian-weighted local means of the five SSIM planes at every valid pixel (window wholly inside),
 * separable: rows first into (h × vw) buffers, then columns. float64 throughout.
 */
function ssimMap(A: Plane, B: Plane, R: number): Float64Array {
  const { width: w, height: h } = A;
  const r = SSIM_RADIUS;
  const vw = w - 2 * r;
  const vh = h - 2 * r;
  const k = SSIM_KERNEL;
  const rows = [0, 1, 2, 3, 4].map(() => new Float64Array(h * vw));
  const [ra, rb, raa, rbb, rab] = rows;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < vw; x++) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      const base = y * w + x;
      for (let t = 0; t <= 2 * r; t++) {
        const va = A.data[base + t];
        const vb = B.data[base + t];
        const kt = k[t];
        sa += kt * va;
        sb += kt * vb;
        saa += kt * va * va;
        sbb += kt * vb * vb;
        sab += kt * va * vb;
      }
      const o = y * vw + x;
      ra[o] = sa; rb[o] = sb; raa[o] = saa; rbb[o] = sbb; rab[o] = sab;
    }
  }
  const C1 = (0.01 * R) ** 2;
  const C2 = (0.03 * R) ** 2;
  const out = new Float64Array(vw * vh);
  for (let y = 0; y < vh; y++) {
    for (let x = 0; x < vw; x++) {
      let ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
      for (let t = 0; t <= 2 * r; t++) {
        const o = (y + t) * vw + x;
        const kt = k[t];
        ma += kt * ra[o];
        mb += kt * rb[o];
        maa += kt * raa[o];
        mbb += kt * rbb[o];
        mab += kt * rab[o];
      }
      const va = maa - ma * ma;
      const vb = mbb - mb * mb;
      const cab = mab - ma * mb;
      out[y * vw + x] = ((2 * ma * mb + C1) * (2 * cab + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
    }
  }
  return out;
}

/** Mean structural similarity in [−1, 1] (Note: Image quality conventions); 1 for identical images. */
export function ssim(a: Plane, b: Plane, opts: QualityOptions): number {
  checkRange(opts.dataRange, 'SSIM');
  checkPair(a, b, 'SSIM');
  const border = opts.border ?? 0;
  const least = 2 * SSIM_RADIUS + 1;
  const A = cropBorder(a, border, 'SSIM', least);
  const B = cropBorder(b, border, 'SSIM', least);
  for (const [img, name] of [[A, 'first'], [B, 'second']] as const) {
    for (let i = 0; i < img.data.length; i++) {
      if (!Number.isFinite(img.data[i])) {
        throw new LabError('E_INVALID_INPUT', `SSIM: the ${name} image has a non-finite value at pixel ${i % img.width}, ${Math.floor(i / img.width)} (after the border crop).`);
      }
    }
  }
  const map = ssimMap(A, B, opts.dataRange);
  let s = 0;
  for (let i = 0; i < map.length; i++) s += map[i];
  return s / map.length;
}

export interface Sharpness {
  /** variance of the 4-neighbour Laplacian of x/R over interior pixels */
  laplacianVariance: number;
  /** mean of Gx² + Gy² (Sobel) of x/R over interior pixels */
  tenengrad: number;
  /** the data range the figures were normalised by */
  dataRange: number;
}

/** No-reference sharpness of one image (Note: Image quality conventions); needs at least 3×3 px after the crop. */
export function sharpness(img: Plane, opts: QualityOptions): Sharpness {
  checkRange(opts.dataRange, 'Sharpness');
  if (img.data.length !== img.width * img.height) {
    throw new LabError('E_INVALID_INPUT', `Sharpness: the image has ${img.data.length} values but ${img.width}×${img.height} needs ${img.width * img.height}.`);
  }
  const I = cropBorder(img, opts.border ?? 0, 'Sharpness', 3);
  const { width: w, height: h, data } = I;
  const inv = 1 / opts.dataRange;
  let n = 0, sl = 0, sll = 0, st = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const c = data[i], l = data[i - 1], r = data[i + 1], u = data[i - w], d = data[i + w];
      const ul = data[i - w - 1], ur = data[i - w + 1], dl = data[i + w - 1], dr = data[i + w + 1];
      const lap = (l + r + u + d - 4 * c) * inv;
      const gx = (ur + 2 * r + dr - ul - 2 * l - dl) * inv;
      const gy = (dl + 2 * d + dr - ul - 2 * u - ur) * inv;
      if (!(Number.isFinite(lap) && Number.isFinite(gx) && Number.isFinite(gy))) continue;
      n++;
      sl += lap;
      sll += lap * lap;
      st += gx * gx + gy * gy;
    }
  }
  if (n === 0) return { laplacianVariance: Number.NaN, tenengrad: Number.NaN, dataRange: opts.dataRange };
  const mean = sl / n;
  return { laplacianVariance: Math.max(0, sll / n - mean * mean), tenengrad: st / n, dataRange: opts.dataRange };
}
