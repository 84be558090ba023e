/**
 * @file Frankot–Chellappa integration of a phase gradient (R. T. Frankot and R. Chellappa, "A method for
 * enforcing integrability in shape from shading algorithms", IEEE Trans. PAMI 10(4), 439–451 (1988)): the
 * surface Φ whose gradient is closest, in the least-squares sense over a periodic domain, to the measured
 * (gx, gy), found in one Fourier step: Φ̂ = −i·(kx·Ĝx + ky·Ĝy)/(kx² + ky²).
 *
 * Note: FC boundary extension. A plain FFT assumes Φ periodic across the image, which a tilted or curved
 * phase is not; the error then spreads over the whole map. The gradient is therefore extended so that the
 * extended Φ is the even (mirror) reflection of the true one, which is always continuous and periodic:
 * across a vertical mirror gx changes sign and gy does not, and vice versa (the "antisymmetric derivative"
 * extension of Bon et al., Opt. Express 20, 22 (2012); equivalent to natural, Neumann boundaries). Per
 * axis of length n the data are first mirrored about the far edge up to P = nextPowerOfTwo(n) (P < 2n, so
 * one reflection suffices) and that block is mirrored again to 2P, a power of two; every sample of the
 * 2P-periodic extension is then the value of a genuine mirror image of Φ, so the extended field stays
 * integrable and exactly periodic. Transforms: fft2.ts (shared with the wave-optics simulator; fft.js
 * underneath). Cost: one complex 2P_x × 2P_y FFT pair (gx and gy packed as the real and imaginary parts
 * of one array), memory 16 bytes per extended sample.
 *
 * Note: Gaps and the constant. NaN gradients (not measured) are filled before integration by growing the
 * valid region inwards, one ring at a time, each gap pixel taking the mean of its already-known
 * 4-neighbours (a cheap harmonic-like fill: a constant or smoothly varying gradient continues across the
 * gap instead of being forced to zero, which would bend the phase). After integration those pixels are
 * NaN again. A pixel is valid when both gx and gy are finite. Φ is returned with zero mean over the valid
 * pixels; an integrator only knows Φ up to an additive constant.
 */
import { LabError } from '../errors';
import { Fft2, nextPowerOfTwo } from './fft2';

export interface IntegrationResult {
  /** Φ (same unit as the gradient times px; rad for rad/px), width·height, NaN where the gradient was */
  phase: Float32Array;
  /** pixels where both gradient components were finite */
  valid: number;
  /** gap pixels filled before integration (then set back to NaN) */
  filled: number;
}

/** Largest extended FFT size accepted (complex samples): 8192² = 1 GiB of float64 pairs. */
const MAX_FFT_SAMPLES = 8192 * 8192;

/** Checks the two gradient maps against the image size; shared with integrate-ls.ts. */
export function checkGradients(gx: Float32Array, gy: Float32Array, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 2 && height >= 2)) {
    throw new LabError('E_INVALID_INPUT', `Cannot integrate a ${width}×${height} gradient map: it must be at least 2×2 pixels.`);
  }
  if (gx.length !== width * height || gy.length !== width * height) {
    throw new LabError(
      'E_SIZE_MISMATCH',
      `The gradient maps have ${gx.length} and ${gy.length} values but a ${width}×${height} image needs ${width * height} each.`,
    );
  }
}

/**
 * Copies (gx, gy) into float64 with NaN gaps filled (Note: Gaps and the constant). Returns the filled
 * copies, the validity mask and how many pixels were filled; all-NaN input gives valid = 0.
 */
export function fillGaps(gx: Float32Array, gy: Float32Array, width: number, height: number) {
  const n = width * height;
  const fx = new Float64Array(n);
  const fy = new Float64Array(n);
  const mask = new Uint8Array(n);
  const known = new Uint8Array(n);
  let valid = 0;
  for (let k = 0; k < n; k++) {
    if (Number.isFinite(gx[k]) && Number.isFinite(gy[k])) {
      fx[k] = gx[k];
      fy[k] = gy[k];
      mask[k] = known[k] = 1;
      valid++;
    }
  }
  if (valid === 0 || valid === n) return { gx: fx, gy: fy, mask, valid, filled: 0 };
  const neighbours = (k: number, visit: (q: number) => void) => {
    const x = k % width;
    if (x > 0) visit(k - 1);
    if (x < width - 1) visit(k + 1);
    if (k >= width) visit(k - width);
    if (k < n - width) visit(k + width);
  };
  // First ring: gap pixels touching a valid one; each later ring: unknown neighbours of the last ring.
  let ring: number[] = [];
  const queued = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    if (known[k]) continue;
    let touches = false;
    neighbours(k, (q) => (touches ||= known[q] === 1));
    if (touches) {
      ring.push(k);
      queued[k] = 1;
    }
  }
  let filled = 0;
  while (ring.length) {
    for (const k of ring) {
      let sx = 0, sy = 0, c = 0;
      neighbours(k, (q) => {
        if (known[q] === 1) {
          sx += fx[q];
          sy += fy[q];
          c++;
        }
      });
      fx[k] = sx / c;
      fy[k] = sy / c;
    }
    // Commit the ring only after computing it, so the result does not depend on the scan order.
    for (const k of ring) known[k] = 1;
    filled += ring.length;
    const next: number[] = [];
    for (const k of ring) {
      neighbours(k, (q) => {
        if (!known[q] && !queued[q]) {
          queued[q] = 1;
          next.push(q);
        }
      });
    }
    ring = next;
  }
  return { gx: fx, gy: fy, mask, valid, filled };
}

/** Source index and sign of the derivative along one axis of the 2P mirror extension (Note: FC boundary extension). */
function mirrorMap(n: number): { size: number; src: Int32Array; sign: Int8Array } {
  const size = 2 * nextPowerOfTwo(n);
  const half = size / 2;
  const src = new Int32Array(size);
  const sign = new Int8Array(size);
  for (let x = 0; x < size; x++) {
    let xx = x;
    let s = 1;
    if (xx >= half) [xx, s] = [size - 1 - xx, -s];
    if (xx >= n) [xx, s] = [2 * n - 1 - xx, -s];
    src[x] = xx;
    sign[x] = s;
  }
  return { size, src, sign };
}

/**
 * Integrates (gx, gy) (row-major width·height, ∂Φ/∂x along columns and ∂Φ/∂y along rows, per pixel)
 * into Φ by Frankot–Chellappa with mirror extension; see the file notes for gaps and the constant.
 */
export function integrateFc(gx: Float32Array, gy: Float32Array, width: number, height: number): IntegrationResult {
  checkGradients(gx, gy, width, height);
  const g = fillGaps(gx, gy, width, height);
  const phase = new Float32Array(width * height).fill(Number.NaN);
  if (g.valid === 0) return { phase, valid: 0, filled: 0 };
  const mx = mirrorMap(width);
  const my = mirrorMap(height);
  const NX = mx.size;
  const NY = my.size;
  if (NX * NY > MAX_FFT_SAMPLES) {
    throw new LabError(
      'E_INVALID_INPUT',
      `A ${width}×${height} map needs a ${NX}×${NY} Fourier transform, more than this integrator allows; integrate a region of interest or a coarser grid.`,
    );
  }
  // Pack gx (real) and gy (imaginary) into one complex array: one forward FFT instead of two.
  const buf = new Float64Array(2 * NX * NY);
  for (let j = 0; j < NY; j++) {
    const row = my.src[j] * width;
    for (let i = 0; i < NX; i++) {
      const s = row + mx.src[i];
      const o = 2 * (j * NX + i);
      buf[o] = mx.sign[i] * g.gx[s];
      buf[o + 1] = my.sign[j] * g.gy[s];
    }
  }
  const fft = new Fft2(NX, NY);
  fft.forward(buf);
  // Spectral wavenumbers (rad/px); the Nyquist term is dropped (its derivative is undefined for real data).
  const wave = (m: number, N: number) => (2 * m === N ? 0 : (2 * Math.PI * (m < N / 2 ? m : m - N)) / N);
  for (let j = 0; j < NY; j++) {
    const ky = wave(j, NY);
    const jn = (NY - j) % NY;
    for (let i = 0; i < NX; i++) {
      const a = j * NX + i;
      const b = jn * NX + ((NX - i) % NX);
      if (b < a) continue; // each (m, −m) pair once
      const kx = wave(i, NX);
      const k2 = kx * kx + ky * ky;
      if (k2 === 0) {
        buf[2 * a] = buf[2 * a + 1] = buf[2 * b] = buf[2 * b + 1] = 0;
        continue;
      }
      const ar = buf[2 * a], ai = buf[2 * a + 1], br = buf[2 * b], bi = buf[2 * b + 1];
      // Ĝx = (Z[m] + conj Z[−m])/2, Ĝy = (Z[m] − conj Z[−m])/(2i); Φ̂ = −i(kx Ĝx + ky Ĝy)/k².
      const gxr = (ar + br) / 2, gxi = (ai - bi) / 2;
      const gyr = (ai + bi) / 2, gyi = -(ar - br) / 2;
      const sr = kx * gxr + ky * gyr;
      const si = kx * gxi + ky * gyi;
      buf[2 * a] = si / k2;
      buf[2 * a + 1] = -sr / k2;
      buf[2 * b] = si / k2; // Φ real: Φ̂[−m] = conj Φ̂[m]
      buf[2 * b + 1] = sr / k2;
    }
  }
  fft.inverse(buf);
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (g.mask[y * width + x]) sum += buf[2 * (y * NX + x)];
  }
  const mean = sum / g.valid;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      if (g.mask[k]) phase[k] = buf[2 * (y * NX + x)] - mean;
    }
  }
  return { phase, valid: g.valid, filled: g.filled };
}
