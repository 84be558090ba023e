/**
 * @file Two-dimensional complex FFT on power-of-two W×H grids, built on fft.js (radix-4, power-of-two
 * sizes): a pass of 1-D transforms over the rows, then over the columns. The wave-optics simulator keeps
 * its fields as interleaved complex float64 arrays, `buf[2*(y*W + x)]` = real part, `+1` = imaginary part.
 *
 * Note: FFT convention. Forward: F[kx, ky] = Σ f[x, y]·exp(−2πi (kx·x/W + ky·y/H)); inverse divides by
 * W·H, so inverse(forward(f)) = f and Parseval reads Σ|f|² = Σ|F|²/(W·H). fft.js uses the same signs
 * (a tone exp(+2πi·3n/N) lands in bin 3; checked in fft2.test.ts). Bin k stands for the signed frequency
 * index `signedIndex(k, N)` (k for k < N/2, k − N above), i.e. f = signedIndex/(N·Δ) cycles per unit length.
 *
 * The column pass gathers blocks of COL_BLOCK columns at a time, so each row of the big array is read
 * once per block instead of once per column (a 4096×2048 transform takes about 0.7 s on one core).
 */
import FFT from 'fft.js';
import { LabError } from '../errors';

const COL_BLOCK = 32;
/** rows or column blocks between two calls of the optional `pace` callback */
const PACE_EVERY = 256;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n (and ≥ 2). */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Signed frequency index of FFT bin k of an N-point transform: k for k < N/2, k − N otherwise. */
export function signedIndex(k: number, n: number): number {
  return k < n / 2 ? k : k - n;
}

/** A reusable 2-D transform for one grid size (fft.js tables and scratch rows are built once). */
export class Fft2 {
  readonly width: number;
  readonly height: number;
  private readonly fx: FFT;
  private readonly fy: FFT;
  private readonly rowIn: Float64Array;
  private readonly rowOut: Float64Array;
  private readonly colIn: Float64Array;
  private readonly colOut: Float64Array;
  private readonly block: Float64Array;

  constructor(width: number, height: number) {
    if (!isPowerOfTwo(width) || !isPowerOfTwo(height)) {
      throw new LabError('E_INVALID_INPUT', `The FFT grid ${width}×${height} is not a power of two on each side (2, 4, 8, …); pad it to the next power of two.`);
    }
    this.width = width;
    this.height = height;
    this.fx = new FFT(width);
    this.fy = height === width ? this.fx : new FFT(height);
    this.rowIn = new Float64Array(2 * width);
    this.rowOut = new Float64Array(2 * width);
    this.colIn = new Float64Array(2 * height);
    this.colOut = new Float64Array(2 * height);
    this.block = new Float64Array(2 * height * COL_BLOCK);
  }

  /** In-place forward transform of an interleaved complex W×H array. */
  forward(buf: Float64Array): void {
    this.check(buf);
    this.rows(buf, false, 0, this.height);
    this.columns(buf, false, 0, this.width);
  }

  /** In-place inverse transform (including the 1/(W·H) factor). */
  inverse(buf: Float64Array): void {
    this.check(buf);
    this.rows(buf, true, 0, this.height);
    this.columns(buf, true, 0, this.width);
  }

  /** `forward`, calling `pace` (e.g. a cancellation check that lets the event loop run) now and then. */
  async forwardPaced(buf: Float64Array, pace: () => Promise<void>): Promise<void> {
    await this.paced(buf, false, pace);
  }

  /** `inverse`, calling `pace` now and then. */
  async inversePaced(buf: Float64Array, pace: () => Promise<void>): Promise<void> {
    await this.paced(buf, true, pace);
  }

  private async paced(buf: Float64Array, inverse: boolean, pace: () => Promise<void>): Promise<void> {
    this.check(buf);
    for (let r = 0; r < this.height; r += PACE_EVERY) {
      this.rows(buf, inverse, r, Math.min(this.height, r + PACE_EVERY));
      await pace();
    }
    for (let c = 0; c < this.width; c += PACE_EVERY) {
      this.columns(buf, inverse, c, Math.min(this.width, c + PACE_EVERY));
      await pace();
    }
  }

  private check(buf: Float64Array): void {
    if (buf.length !== 2 * this.width * this.height) {
      throw new LabError('E_INVALID_INPUT', `The complex array holds ${buf.length / 2} values but the FFT grid ${this.width}×${this.height} needs ${this.width * this.height}.`);
    }
  }

  private rows(buf: Float64Array, inverse: boolean, r0: number, r1: number): void {
    const n2 = 2 * this.width;
    for (let r = r0; r < r1; r++) {
      const row = buf.subarray(r * n2, (r + 1) * n2);
      this.rowIn.set(row);
      if (inverse) this.fx.inverseTransform(this.rowOut, this.rowIn);
      else this.fx.transform(this.rowOut, this.rowIn);
      row.set(this.rowOut);
    }
  }

  private columns(buf: Float64Array, inverse: boolean, c0: number, c1: number): void {
    const { width, height, block, colIn, colOut } = this;
    const h2 = 2 * height;
    for (let cb = c0; cb < c1; cb += COL_BLOCK) {
      const nb = Math.min(COL_BLOCK, c1 - cb);
      // Gather nb columns: block[j*h2 + 2r (+1)] = buf[r, cb + j].
      for (let r = 0; r < height; r++) {
        const o = 2 * (r * width + cb);
        for (let j = 0; j < nb; j++) {
          block[j * h2 + 2 * r] = buf[o + 2 * j];
          block[j * h2 + 2 * r + 1] = buf[o + 2 * j + 1];
        }
      }
      for (let j = 0; j < nb; j++) {
        const col = block.subarray(j * h2, (j + 1) * h2);
        colIn.set(col);
        if (inverse) this.fy.inverseTransform(colOut, colIn);
        else this.fy.transform(colOut, colIn);
        col.set(colOut);
      }
      for (let r = 0; r < height; r++) {
        const o = 2 * (r * width + cb);
        for (let j = 0; j < nb; j++) {
          buf[o + 2 * j] = block[j * h2 + 2 * r];
          buf[o + 2 * j + 1] = block[j * h2 + 2 * r + 1];
        }
      }
    }
  }
}
