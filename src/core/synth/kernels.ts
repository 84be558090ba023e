/**
 * @file Blur kernels for super-resolution and deblurring: parametric (isotropic and anisotropic Gaussian,
 * linear motion, the kernel that makes blur + down-sampling equal MATLAB's bicubic imresize), the 12
 * standard kernels of the USRNet paper (kernels_12.mat), and a user's own kernel from an image or CSV file;
 * all validated and normalised the same way, plus a preview PNG so the user sees the kernel that was used.
 *
 * Note: Kernel convention. A kernel is a row-major float64 array of odd width and height (row = y, down;
 * column = x, right) that sums to 1, with its centre at (floor(h/2), floor(w/2)). It acts by convolution
 * (not correlation): blurred(p) = Σ_q k(c + q)·x(p − q), as scipy.ndimage.convolve and USRNet's FFT
 * (p2o) do. Angles are in degrees, counter-clockwise as seen on screen (x right, y up on screen, so a
 * direction θ is the pixel offset (cos θ, −sin θ) in (column, row)). The default size is 25×25 like USRNet's
 * kernels; a Gaussian or motion blur that does not fit grows it (odd, at most MAX_KERNEL_SIZE).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors';
import { readImage, writePngPreview } from '../imageio';
import { matrix2d, readMat } from '../imageio/mat';

export const DEFAULT_KERNEL_SIZE = 25;
export const MAX_KERNEL_SIZE = 63;

export interface Kernel {
  width: number;
  height: number;
  /** row-major, sums to 1 (Note: Kernel convention) */
  data: Float64Array;
  /** what it is, for result files and messages, e.g. "isotropic Gaussian σ = 1.6 px, 25×25" */
  description: string;
}

const odd = (n: number) => (n % 2 === 1 ? n : n + 1);

function checkSize(size: number, what: string): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_KERNEL_SIZE || size % 2 === 0) {
    throw new LabError('E_INVALID_INPUT', `The ${what} kernel size ${size} must be an odd whole number from 1 to ${MAX_KERNEL_SIZE}.`);
  }
  return size;
}

function positive(v: number, name: string, max: number): number {
  if (!(Number.isFinite(v) && v > 0 && v <= max)) {
    throw new LabError('E_INVALID_INPUT', `The kernel's ${name} ${v} must be a positive number of at most ${max} px.`);
  }
  return v;
}

/** Divides by the sum after validation (Note: Kernel convention); `label` names the kernel's source. */
export function makeKernel(
  width: number,
  height: number,
  data: ArrayLike<number>,
  description: string,
  label = description,
  /** the bicubic kernel has small negative lobes by design; user kernels may not */
  allowNegative = false,
): Kernel {
  if (width > MAX_KERNEL_SIZE || height > MAX_KERNEL_SIZE) {
    throw new LabError('E_INVALID_INPUT', `${label}: the kernel is ${width}×${height} px, larger than the ${MAX_KERNEL_SIZE}×${MAX_KERNEL_SIZE} px this app accepts; crop it to its support.`);
  }
  if (width < 1 || height < 1 || data.length !== width * height) {
    throw new LabError('E_INVALID_INPUT', `${label}: a ${width}×${height} kernel needs ${width * height} values, not ${data.length}.`);
  }
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new LabError('E_INVALID_INPUT', `${label}: the kernel value at row ${Math.floor(i / width)}, column ${i % width} is ${v}; every value must be finite.`);
    if (v < 0 && !allowNegative) {
      throw new LabError(
        'E_INVALID_INPUT',
        `${label}: the kernel value at row ${Math.floor(i / width)}, column ${i % width} is negative (${v}); a blur kernel must be non-negative (clip small negative values to 0 first).`,
      );
    }
    sum += v;
  }
  if (!(sum > 0)) throw new LabError('E_INVALID_INPUT', `${label}: the kernel sums to 0; a blur kernel needs at least one positive value.`);
  // Even sides get a zero row/column at the end: the centre floor(n/2) stays where it was (Note: Kernel convention).
  const w = odd(width);
  const h = odd(height);
  const out = new Float64Array(w * h);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * w + c] = data[r * width + c] / sum;
  return { width: w, height: h, data: out, description };
}

/** A kernel from a function of the offset (dx right, dy down) from the centre. */
function sampled(size: number, f: (dx: number, dy: number) => number, description: string): Kernel {
  const c = (size - 1) / 2;
  const data = new Float64Array(size * size);
  for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) data[r * size + col] = f(col - c, r - c);
  return makeKernel(size, size, data, `${description}, ${size}×${size}`);
}

/** Isotropic Gaussian, as MATLAB fspecial('gaussian', size, σ) (USRNet kernels 1–4). */
export function gaussianKernel(sigma: number, size?: number): Kernel {
  positive(sigma, 'σ', 20);
  const n = checkSize(size ?? Math.min(MAX_KERNEL_SIZE, Math.max(DEFAULT_KERNEL_SIZE, odd(Math.ceil(6 * sigma)))), 'Gaussian');
  return sampled(n, (dx, dy) => Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)), `isotropic Gaussian σ = ${sigma} px`);
}

/**
 * Anisotropic Gaussian: standard deviation σ1 along the direction θ (degrees, counter-clockwise on
 * screen), σ2 across it; covariance R·diag(σ1², σ2²)·Rᵀ as in USRNet's anisotropic_Gaussian (which takes
 * the variances).
 */
export function anisotropicGaussianKernel(sigma1: number, sigma2: number, thetaDeg: number, size?: number): Kernel {
  positive(sigma1, 'σ1', 20);
  positive(sigma2, 'σ2', 20);
  if (!Number.isFinite(thetaDeg)) throw new LabError('E_INVALID_INPUT', `The kernel angle ${thetaDeg}° must be a finite number of degrees.`);
  const n = checkSize(size ?? Math.min(MAX_KERNEL_SIZE, Math.max(DEFAULT_KERNEL_SIZE, odd(Math.ceil(6 * Math.max(sigma1, sigma2))))), 'anisotropic Gaussian');
  const t = (thetaDeg * Math.PI) / 180;
  // Unit vector of the first axis in (column, row) coordinates: on screen y points up, rows go down.
  const ux = Math.cos(t);
  const uy = -Math.sin(t);
  return sampled(
    n,
    (dx, dy) => {
      const a = dx * ux + dy * uy; // along the axis
      const b = -dx * uy + dy * ux; // across it
      return Math.exp(-0.5 * ((a * a) / (sigma1 * sigma1) + (b * b) / (sigma2 * sigma2)));
    },
    `anisotropic Gaussian σ1 = ${sigma1} px, σ2 = ${sigma2} px, θ = ${thetaDeg}°`,
  );
}

/**
 * Linear motion blur: a segment of `length` px through the centre at `angleDeg` (counter-clockwise on
 * screen), drawn anti-aliased by spreading 32 samples per px bilinearly onto the grid, so lengths that are
 * not whole numbers and oblique angles come out smooth. length 0 is the identity.
 */
export function motionKernel(length: number, angleDeg: number, size?: number): Kernel {
  if (!(Number.isFinite(length) && length >= 0 && length <= MAX_KERNEL_SIZE - 2)) {
    throw new LabError('E_INVALID_INPUT', `The motion length ${length} px must be from 0 to ${MAX_KERNEL_SIZE - 2} px.`);
  }
  if (!Number.isFinite(angleDeg)) throw new LabError('E_INVALID_INPUT', `The motion angle ${angleDeg}° must be a finite number of degrees.`);
  const n = checkSize(size ?? Math.min(MAX_KERNEL_SIZE, Math.max(DEFAULT_KERNEL_SIZE, odd(Math.ceil(length) + 2))), 'motion');
  const c = (n - 1) / 2;
  const data = new Float64Array(n * n);
  const t = (angleDeg * Math.PI) / 180;
  const ux = Math.cos(t);
  const uy = -Math.sin(t);
  const samples = Math.max(1, Math.ceil(length * 32));
  for (let i = 0; i < samples; i++) {
    const s = samples === 1 ? 0 : (i / (samples - 1) - 0.5) * length;
    const x = c + s * ux;
    const y = c + s * uy;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const put = (xx: number, yy: number, w: number) => {
      if (xx >= 0 && xx < n && yy >= 0 && yy < n) data[yy * n + xx] += w;
    };
    put(x0, y0, (1 - fx) * (1 - fy));
    put(x0 + 1, y0, fx * (1 - fy));
    put(x0, y0 + 1, (1 - fx) * fy);
    put(x0 + 1, y0 + 1, fx * fy);
  }
  return makeKernel(n, n, data, `motion ${length} px at ${angleDeg}°, ${n}×${n}`);
}

/** Keys' cubic with a = −0.5, MATLAB imresize's "cubic". */
export function cubic(x: number): number {
  const ax = Math.abs(x);
  const ax2 = ax * ax;
  const ax3 = ax2 * ax;
  if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
  if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
  return 0;
}

/**
 * The kernel k for which blur-then-decimate, (x ⊗ k)[0::s, 0::s], equals MATLAB's imresize(x, 1/s,
 * 'bicubic') (antialiased: the cubic stretched by s) away from the image border. Output pixel i of
 * imresize is centred on input pixel i·s + (s − 1)/2, half a pixel off the [0::s] grid for even s, so the
 * kernel is the stretched cubic shifted by (s − 1)/2: k(q) = h(q + (s − 1)/2) per axis, h(x) = cubic(x/s)/s
 * (convolution flips the offset; the cubic is symmetric).
 */
export function bicubicKernel(scale: number, size = DEFAULT_KERNEL_SIZE): Kernel {
  if (!Number.isInteger(scale) || scale < 1 || scale > 8) throw new LabError('E_INVALID_INPUT', `The bicubic kernel's scale ${scale} must be a whole number from 1 to 8.`);
  checkSize(size, 'bicubic');
  const c = (size - 1) / 2;
  const h = (q: number) => cubic((q + (scale - 1) / 2) / scale) / scale;
  const data = new Float64Array(size * size);
  for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) data[r * size + col] = h(r - c) * h(col - c);
  return makeKernel(size, size, data, `bicubic (MATLAB imresize) ×1/${scale}, ${size}×${size}`, undefined, true);
}

/**
 * Where kernels_12.mat (the USRNet paper's 12 kernels) is: $LAB_KERNELS12 if set, else
 * shared/data/sr/kernels_12.mat in a folder above this module (the lab's shared data beside a checkout);
 * null if neither exists.
 */
export function kernels12Path(env: Record<string, string | undefined> = process.env): string | null {
  if (env.LAB_KERNELS12) return resolve(env.LAB_KERNELS12);
  let dir = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'shared', 'data', 'sr', 'kernels_12.mat');
    if (existsSync(p)) return p;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const kernels12Cache = new Map<string, Kernel[]>();

/**
 * The 12 kernels of kernels_12.mat (variable `kernels`, a 1×12 cell of 25×25 single matrices: 1–4
 * isotropic Gaussian, 5–8 anisotropic Gaussian, 9–12 motion). `file` defaults to `kernels12Path()`.
 */
export async function loadKernels12(file?: string): Promise<Kernel[]> {
  const path = file ?? kernels12Path();
  if (!path) {
    throw new LabError(
      'E_NOT_FOUND',
      'The 12 USRNet kernels (kernels_12.mat) were not found: set LAB_KERNELS12 to the file (it is in the USRNet repository, kernels/kernels_12.mat) or give the kernel another way.',
    );
  }
  const cached = kernels12Cache.get(path);
  if (cached) return cached;
  const mat = await readMat(path);
  const cell = mat.get('kernels');
  if (!cell || cell.kind !== 'cell') {
    throw new LabError('E_INVALID_INPUT', `"${path}" has no cell array "kernels" (variables: ${[...mat.keys()].join(', ') || 'none'}); it is not USRNet's kernels_12.mat.`, path);
  }
  const out = cell.cells.map((v, i) => {
    const m = matrix2d(v, `"${path}" kernel ${i + 1}`);
    return makeKernel(m.cols, m.rows, m.data, `kernels_12.mat #${i + 1}, ${m.cols}×${m.rows}`, `"${path}" kernel ${i + 1}`);
  });
  kernels12Cache.set(path, out);
  return out;
}

/** Kernel number `n` (1-based) of kernels_12.mat. */
export async function kernels12(n: number, file?: string): Promise<Kernel> {
  const all = await loadKernels12(file);
  if (!Number.isInteger(n) || n < 1 || n > all.length) {
    throw new LabError('E_INVALID_INPUT', `kernels12:${n}: the kernel number must be a whole number from 1 to ${all.length}.`);
  }
  return all[n - 1];
}

/** Numbers of a CSV/TSV/whitespace table; lines starting with # are comments. */
export function parseKernelCsv(text: string, label: string): { width: number; height: number; data: number[] } {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/[\s,;]+/).filter((t) => t !== ''));
  if (rows.length === 0) throw new LabError('E_INVALID_INPUT', `${label} holds no numbers; a kernel CSV has one row of values per line.`, label);
  const width = rows[0].length;
  const data: number[] = [];
  rows.forEach((r, i) => {
    if (r.length !== width) throw new LabError('E_INVALID_INPUT', `${label}: line ${i + 1} of the kernel has ${r.length} values but the first has ${width}; every row needs the same count.`, label);
    for (const t of r) {
      const v = Number(t);
      if (Number.isNaN(v)) throw new LabError('E_INVALID_INPUT', `${label}: "${t}" on line ${i + 1} of the kernel is not a number.`, label);
      data.push(v);
    }
  });
  return { width, height: rows.length, data };
}

/** A user's kernel: CSV/TSV/TXT text (by extension) or any image readImage reads, normalised to sum 1. */
export async function kernelFromFile(path: string): Promise<Kernel> {
  const label = `The kernel file "${path}"`;
  let k: Kernel;
  if (/\.(csv|tsv|txt)$/i.test(path)) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The kernel file "${path}" does not exist.`, path);
      throw new LabError('E_IO', `Cannot read the kernel file "${path}" (${code ?? (err as Error).message}).`, path);
    }
    const t = parseKernelCsv(text, label);
    k = makeKernel(t.width, t.height, t.data, `file ${path}, ${t.width}×${t.height}`, label);
  } else {
    const img = await readImage(path);
    k = makeKernel(img.width, img.height, img.data, `file ${path}, ${img.width}×${img.height}`, label);
  }
  return k;
}

/**
 * A kernel from its text form: `gauss:SIGMA`, `gauss:S1,S2,THETA`, `motion:LEN,ANGLE`, `bicubic:S`,
 * `kernels12:N` (or `kernels12:N@FILE`), or a file path. Numbers in px and degrees (Note: Kernel convention).
 */
export async function parseKernelSpec(spec: string): Promise<Kernel> {
  const m = /^(gauss|motion|bicubic|kernels12):(.*)$/i.exec(spec.trim());
  if (!m) return kernelFromFile(spec);
  const kind = m[1].toLowerCase();
  if (kind === 'kernels12') {
    const [n, file] = m[2].split('@');
    return kernels12(Number(n), file);
  }
  const nums = m[2].split(',').map((t) => Number(t.trim()));
  const bad = () =>
    new LabError('E_INVALID_INPUT', `The kernel "${spec}" is not valid: use gauss:SIGMA, gauss:S1,S2,THETA, motion:LEN,ANGLE, bicubic:S, kernels12:N or a kernel file.`);
  if (nums.some((v) => !Number.isFinite(v))) throw bad();
  if (kind === 'gauss' && nums.length === 1) return gaussianKernel(nums[0]);
  if (kind === 'gauss' && nums.length === 3) return anisotropicGaussianKernel(nums[0], nums[1], nums[2]);
  if (kind === 'motion' && nums.length === 2) return motionKernel(nums[0], nums[1]);
  if (kind === 'bicubic' && nums.length === 1) return bicubicKernel(nums[0]);
  throw bad();
}

/**
 * The kernel as an 8-bit image for people: each kernel pixel becomes a block of about 256/size screen
 * pixels (nearest neighbour, so the grid stays visible), black = 0, white = the kernel's maximum.
 */
export function kernelPreview(k: Kernel, target = 256): { width: number; height: number; data: Float32Array } {
  const f = Math.max(1, Math.floor(target / Math.max(k.width, k.height)));
  const width = k.width * f;
  const height = k.height * f;
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) data[r * width + c] = k.data[Math.floor(r / f) * k.width + Math.floor(c / f)];
  return { width, height, data };
}

/** Writes `kernelPreview(k)` as a grey PNG (atomic; never overwrites). */
export async function writeKernelPng(path: string, k: Kernel): Promise<void> {
  let max = 0;
  for (const v of k.data) max = Math.max(max, v);
  await writePngPreview(path, kernelPreview(k), { min: 0, max, description: `blur kernel: ${k.description} (white = ${max.toPrecision(4)})` });
}
