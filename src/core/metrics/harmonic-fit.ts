/**
 * @file Least-squares fit of one harmonic of KNOWN phase law, y ≈ a·cos φ + b·sin φ + c, to scattered
 * samples (φ given per sample). This is how the amplitude of a sinusoidal displacement is measured when
 * its period is known: the truth is A·cos φ, so a/A is the in-phase amplitude ratio (the transfer of the
 * method at that period), b/A a phase lag the method introduced, and c an offset. Fitting the period-known
 * model uses every sample, which makes the estimate far less noisy than reading a peak value, and it is
 * linear, so it needs no starting guess.
 *
 * Why the in-phase a rather than √(a² + b²): a is unbiased under noise (√(a² + b²) is inflated by it, as a
 * Rice variable is), and it keeps its sign where a method inverts the contrast of short periods (a
 * uniform subset of N px turns a sine of period p < N upside down: sinc(N/p) < 0).
 */

/** Result of one fit. NaN everywhere when the samples cannot determine a, b and c. */
export interface HarmonicFit {
  /** cos φ coefficient (in phase with the truth A·cos φ) */
  a: number;
  /** sin φ coefficient (quadrature) */
  b: number;
  /** constant offset */
  c: number;
  /** samples used */
  n: number;
  /** residual sum of squares after the fit */
  rss: number;
}

/** Accumulates the 3×3 normal equations sample by sample (float64, bounded memory for any image). */
export class HarmonicAccumulator {
  // Upper triangle of [cc cs c1; . ss s1; . . n] and the right-hand side, plus Σy² for the residual.
  private cc = 0;
  private cs = 0;
  private c1 = 0;
  private ss = 0;
  private s1 = 0;
  private yc = 0;
  private ys = 0;
  private y1 = 0;
  private yy = 0;
  private count = 0;
  // The first sample's value is subtracted from every y (and added back to c), so that a large offset does
  // not cancel the residual out of Σy² − βᵀr (Note: Metric precision, sums.ts).
  private pivot = NaN;

  /** Adds one sample y at phase φ; non-finite y is ignored. */
  add(phase: number, yRaw: number): void {
    if (!Number.isFinite(yRaw)) return;
    if (this.count === 0) this.pivot = yRaw;
    const y = yRaw - this.pivot;
    const c = Math.cos(phase);
    const s = Math.sin(phase);
    this.cc += c * c;
    this.cs += c * s;
    this.c1 += c;
    this.ss += s * s;
    this.s1 += s;
    this.yc += y * c;
    this.ys += y * s;
    this.y1 += y;
    this.yy += y * y;
    this.count++;
  }

  get n(): number {
    return this.count;
  }

  /**
   * Solves the normal equations. With fewer than 4 samples, or samples covering too little of a period to
   * separate cos, sin and the offset (relative determinant below 1e-9), the fit is NaN.
   */
  solve(): HarmonicFit {
    const n = this.count;
    const M = [
      [this.cc, this.cs, this.c1],
      [this.cs, this.ss, this.s1],
      [this.c1, this.s1, n],
    ];
    const r = [this.yc, this.ys, this.y1];
    const det = det3(M);
    const scale = Math.max(1e-300, this.cc * this.ss * n);
    if (n < 4 || !(Math.abs(det) > 1e-9 * scale)) return { a: NaN, b: NaN, c: NaN, n, rss: NaN };
    // Cramer's rule: three 3×3 determinants, exact enough for a well-conditioned 3×3 system in float64.
    const col = (k: number) => M.map((row, i) => row.map((m, j) => (j === k ? r[i] : m)));
    const a = det3(col(0)) / det;
    const b = det3(col(1)) / det;
    const c = det3(col(2)) / det;
    // rss = Σy² − βᵀr for the least-squares β (normal equations); clamp the rounding below zero.
    const rss = Math.max(0, this.yy - (a * r[0] + b * r[1] + c * r[2]));
    return { a, b, c: c + this.pivot, n, rss };
  }
}

function det3(m: number[][]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}
