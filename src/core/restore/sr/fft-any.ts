/**
 * @file Complex FFTs of ANY length (1-D and 2-D), built on fft.js, which only does powers of two. The SR
 * data step works on the high-resolution grid h·s × w·s for the user's image size h × w, which is rarely a
 * power of two, and it must be the exact circular transform of that size (padding would change the
 * problem it solves), so xpci/fft2.ts (powers of two only) does not fit.
 *
 * Note: Bluestein. A length-n DFT X[k] = Σ_j x[j]·e^{−2πi jk/n} is rewritten with jk = (j² + k² − (k − j)²)/2
 * as a convolution: X[k] = w[k]·Σ_j (x[j]·w[j])·conj(w[k − j]), w[j] = e^{−πi j²/n}, and that convolution is
 * done with power-of-two FFTs of length m ≥ 2n − 1 (zero-padded, the chirp wrapped around). Cost: about
 * three transforms of length m (2–4 n) instead of one; accuracy that of fft.js (~1e-15 relative), because
 * j² is reduced modulo 2n before the angle is formed. Powers of two go straight to fft.js. Adding a
 * mixed-radix FFT package was not worth a dependency for this: the data step's cost is dominated by the
 * prior network, not by these transforms.
 *
 * Conventions as xpci/fft2.ts (Note: FFT convention): interleaved complex float64, forward e^{−2πi…},
 * inverse includes 1/n (1/(W·H) in 2-D), like numpy.fft and torch.fft.
 */
import FFT from 'fft.js';

const isPow2 = (n: number) => n >= 2 && (n & (n - 1)) === 0;

/** A reusable 1-D complex transform of length n (n ≥ 1). */
export class Fft1 {
  readonly n: number;
  private readonly direct: FFT | null;
  private readonly m: number;
  private readonly inner: FFT | null;
  /** chirp w[j] = e^{−πi j²/n}, j = 0..n−1, interleaved */
  private readonly chirp: Float64Array;
  /** FFT of the wrapped conj-chirp b (length m) */
  private readonly bHat: Float64Array;
  private readonly a: Float64Array;
  private readonly aHat: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`FFT length ${n} must be a whole number ≥ 1`);
    this.n = n;
    this.direct = isPow2(n) ? new FFT(n) : null;
    if (this.direct || n === 1) {
      this.m = 0;
      this.inner = null;
      this.chirp = this.bHat = this.a = this.aHat = new Float64Array(0);
      return;
    }
    let m = 2;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.inner = new FFT(m);
    this.chirp = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      const t = (Math.PI * ((j * j) % (2 * n))) / n;
      this.chirp[2 * j] = Math.cos(t);
      this.chirp[2 * j + 1] = -Math.sin(t);
    }
    const b = new Float64Array(2 * m);
    for (let j = 0; j < n; j++) {
      // conj(w[j]) at j and at m − j (negative offsets wrap around)
      b[2 * j] = this.chirp[2 * j];
      b[2 * j + 1] = -this.chirp[2 * j + 1];
      if (j > 0) {
        b[2 * (m - j)] = b[2 * j];
        b[2 * (m - j) + 1] = b[2 * j + 1];
      }
    }
    this.bHat = new Float64Array(2 * m);
    this.inner.transform(this.bHat, b);
    this.a = new Float64Array(2 * m);
    this.aHat = new Float64Array(2 * m);
  }

  /** Forward transform of `src` (2n values) into `dst` (may be the same array). */
  forward(dst: Float64Array, src: Float64Array): void {
    this.run(dst, src, false);
  }

  /** Inverse transform including 1/n. */
  inverse(dst: Float64Array, src: Float64Array): void {
    this.run(dst, src, true);
  }

  private run(dst: Float64Array, src: Float64Array, inverse: boolean): void {
    const n = this.n;
    if (n === 1) {
      dst[0] = src[0];
      dst[1] = src[1];
      return;
    }
    if (this.direct) {
      // fft.js cannot work in place
      if (dst === src) src = Float64Array.from(src);
      if (inverse) this.direct.inverseTransform(dst, src);
      else this.direct.transform(dst, src);
      return;
    }
    // inverse(x) = conj(forward(conj(x)))/n
    const { a, aHat, chirp, bHat, m } = this;
    const inner = this.inner!;
    a.fill(0);
    const sg = inverse ? -1 : 1;
    for (let j = 0; j < n; j++) {
      const xr = src[2 * j];
      const xi = sg * src[2 * j + 1];
      const wr = chirp[2 * j];
      const wi = chirp[2 * j + 1];
      a[2 * j] = xr * wr - xi * wi;
      a[2 * j + 1] = xr * wi + xi * wr;
    }
    inner.transform(aHat, a);
    for (let k = 0; k < m; k++) {
      const ar = aHat[2 * k];
      const ai = aHat[2 * k + 1];
      const br = bHat[2 * k];
      const bi = bHat[2 * k + 1];
      aHat[2 * k] = ar * br - ai * bi;
      aHat[2 * k + 1] = ar * bi + ai * br;
    }
    inner.inverseTransform(a, aHat);
    const scale = inverse ? 1 / n : 1;
    for (let k = 0; k < n; k++) {
      const cr = a[2 * k];
      const ci = a[2 * k + 1];
      const wr = chirp[2 * k];
      const wi = chirp[2 * k + 1];
      dst[2 * k] = (cr * wr - ci * wi) * scale;
      dst[2 * k + 1] = sg * (cr * wi + ci * wr) * scale;
    }
  }
}

/** A reusable 2-D complex transform of a W×H grid (any sizes), in place on interleaved float64. */
export class Fft2Any {
  readonly width: number;
  readonly height: number;
  private readonly fx: Fft1;
  private readonly fy: Fft1;
  private readonly row: Float64Array;
  private readonly col: Float64Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.fx = new Fft1(width);
    this.fy = height === width ? this.fx : new Fft1(height);
    this.row = new Float64Array(2 * width);
    this.col = new Float64Array(2 * height);
  }

  forward(buf: Float64Array): void {
    this.pass(buf, false);
  }

  /** Inverse including 1/(W·H). */
  inverse(buf: Float64Array): void {
    this.pass(buf, true);
  }

  private pass(buf: Float64Array, inverse: boolean): void {
    const { width: w, height: h, row, col } = this;
    if (buf.length !== 2 * w * h) throw new Error(`complex array of ${buf.length / 2} values for a ${w}×${h} FFT`);
    for (let r = 0; r < h; r++) {
      const seg = buf.subarray(2 * r * w, 2 * (r + 1) * w);
      if (inverse) this.fx.inverse(row, seg);
      else this.fx.forward(row, seg);
      seg.set(row);
    }
    const tmp = new Float64Array(2 * h);
    for (let c = 0; c < w; c++) {
      for (let r = 0; r < h; r++) {
        col[2 * r] = buf[2 * (r * w + c)];
        col[2 * r + 1] = buf[2 * (r * w + c) + 1];
      }
      if (inverse) this.fy.inverse(tmp, col);
      else this.fy.forward(tmp, col);
      for (let r = 0; r < h; r++) {
        buf[2 * (r * w + c)] = tmp[2 * r];
        buf[2 * (r * w + c) + 1] = tmp[2 * r + 1];
      }
    }
  }
}

/** A real image as an interleaved complex array (imaginary parts 0), optionally scaled. */
export function toComplex(real: ArrayLike<number>, scale = 1): Float64Array {
  const out = new Float64Array(2 * real.length);
  for (let i = 0; i < real.length; i++) out[2 * i] = real[i] * scale;
  return out;
}
