/**
 * @file Window sums for block matching: the sum, or the Hamming-weighted sum, of an image over the square
 * window of every grid point of a tile, at a cost per pixel that does not grow with the window size.
 * ZNCC uses box windows (means, energies and cross terms of every window), UMPA Hamming windows; IC-GN
 * and others may reuse `integralImage`/`rectSum` for arbitrary rectangles. The tile geometry shared by
 * the block-matching kernels (which points, which pixels) is in zncc.ts.
 *
 * Note: Separable running window sums. A square window with separable weights w(m)·w(n) sums in two
 * 1-D passes: along x at the columns the grid needs, on every row the windows cover, then along y at the
 * grid rows. Each pass is "direct" (N taps per output; cheapest when the windows do not overlap, i.e.
 * grid step ≥ N) or "running": cumulative sums S(q) = Σ_{q'<q} f(q') give a box window as S(s+N) − S(s),
 * and the raised-cosine weights w(n) = a − b·cos(ωn), ω = 2π/(N−1) (Hamming: a = 0.54, b = 0.46) follow
 * from two more cumulative sums, since cos(ω(q − s)) = cos ωq·cos ωs + sin ωq·sin ωs:
 *   Σ_n w(n) f(s+n) = a·ΔS − b·cos ωs·ΔC − b·sin ωs·ΔS_sin,  C(q) = Σ f·cos ωq', S_sin(q) = Σ f·sin ωq'.
 * That is a handful of operations per pixel whatever N is (the recursive/integral-image idea of
 * summed-area tables, F. C. Crow, SIGGRAPH 1984). Each pass picks the cheaper mode from its own geometry.
 * Accumulation is in float64 over one tile, so the differences of large cumulative sums keep about
 * 1e-13 relative accuracy; callers that need more (ZNCC) also subtract a constant from the data first.
 */

export type WindowKind = 'box' | 'hamming';

/** a − b·cos(ωn) form of each window kind. */
function raisedCosine(kind: WindowKind): { a: number; b: number } {
  return kind === 'box' ? { a: 1, b: 0 } : { a: 0.54, b: 0.46 };
}

/** 1-D weights w[n], n = 0 … N−1: box 1; Hamming 0.54 − 0.46·cos(2πn/(N−1)) as numpy.hamming (N ≥ 2). */
export function windowWeights(kind: WindowKind, n: number): Float64Array {
  const { a, b } = raisedCosine(kind);
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = b === 0 ? a : a - b * Math.cos((2 * Math.PI * k) / (n - 1));
  return w;
}

/** Indices in [first, last] the windows [s, s+n) of the sorted `starts` cover (all of them if contiguous). */
function covered(starts: Int32Array, n: number): Int32Array {
  const out: number[] = [];
  let next = -Infinity; // first index not yet listed
  for (const s of starts) {
    for (let q = Math.max(s, next); q < s + n; q++) out.push(q);
    next = Math.max(next, s + n);
  }
  return Int32Array.from(out);
}

/** One axis of a plan: where outputs' windows start, which inputs it reads, and how. */
interface AxisPlan {
  starts: Int32Array;
  read: Int32Array;
  running: boolean;
}

function axisPlan(starts: Int32Array, n: number, b: number): AxisPlan {
  if (starts.length === 0) return { starts, read: new Int32Array(0), running: false };
  const first = starts[0];
  const span = starts[starts.length - 1] + n - first;
  // Costs in ns measured under Node 22 on 236² dense grids (both passes): direct ≈ 1.25 per tap and
  // output; running ≈ 3.2 (box) or 6.7 (Hamming) per output whatever N, about 2/3 of it per input read.
  const direct = 1.25 * starts.length * n;
  const running = b === 0 ? 2 * span + starts.length : 4 * span + 3 * starts.length;
  if (running < direct) {
    const read = new Int32Array(span);
    for (let k = 0; k < span; k++) read[k] = first + k;
    return { starts, read, running: true };
  }
  return { starts, read: covered(starts, n), running: false };
}

/**
 * Window sums of a region-sized image at a grid of window positions (see Note: Separable running window
 * sums). Build one per tile geometry and call `sum` for every image (one per shift in block matching).
 */
export class WindowSums {
  /** outputs per row and rows of outputs: `sum` writes out[j*ni + i] */
  readonly ni: number;
  readonly nj: number;
  /** region rows and columns `sum` reads, ascending: a caller may fill only these */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  private readonly x: AxisPlan;
  private readonly y: AxisPlan;
  private readonly w: Float64Array;
  private readonly a: number;
  private readonly b: number;
  private readonly cosT: Float64Array;
  private readonly sinT: Float64Array;
  private readonly tmp: Float64Array;
  private readonly acc: Float64Array;
  private readonly cum: Float64Array;

  /**
   * @param kind window weights
   * @param n window size N (≥ 2 for Hamming)
   * @param xStarts region column of each output column's window's first pixel, ascending
   * @param yStarts region row of each output row's window's first pixel, ascending
   * @param regionWidth width of the images passed to `sum` (row stride)
   * @param regionHeight their height
   */
  constructor(
    readonly kind: WindowKind,
    readonly n: number,
    xStarts: Int32Array,
    yStarts: Int32Array,
    readonly regionWidth: number,
    readonly regionHeight: number,
  ) {
    ({ a: this.a, b: this.b } = raisedCosine(kind));
    this.w = windowWeights(kind, n);
    this.x = axisPlan(xStarts, n, this.b);
    this.y = axisPlan(yStarts, n, this.b);
    this.ni = xStarts.length;
    this.nj = yStarts.length;
    this.rows = this.y.read;
    this.cols = this.x.read;
    const len = Math.max(regionWidth, regionHeight) + 1;
    this.cosT = new Float64Array(len);
    this.sinT = new Float64Array(len);
    // Box windows leave the tables at zero (b = 0), which also keeps N = 1 free of 0·NaN.
    const omega = (2 * Math.PI) / (n - 1);
    for (let q = 0; q < len && this.b !== 0; q++) {
      this.cosT[q] = Math.cos(omega * q);
      this.sinT[q] = Math.sin(omega * q);
    }
    this.tmp = new Float64Array(regionHeight * this.ni);
    this.acc = new Float64Array(3 * this.ni);
    this.cum = new Float64Array(3 * (regionWidth + 1));
  }

  /** Weighted window sums of `src` (regionWidth × regionHeight, only rows × cols read) into out (nj × ni). */
  sum(src: Float64Array, out: Float64Array): void {
    const { ni, tmp } = this;
    for (const r of this.rows) this.pass1(src, r * this.regionWidth, this.x, tmp, r * ni);
    if (!this.y.running) {
      const { w, n } = this;
      const ys = this.y.starts;
      for (let j = 0; j < this.nj; j++) {
        const o = j * ni;
        out.fill(0, o, o + ni);
        for (let t = 0; t < n; t++) {
          const wt = w[t];
          const base = (ys[j] + t) * ni;
          for (let i = 0; i < ni; i++) out[o + i] += wt * tmp[base + i];
        }
      }
      return;
    }
    this.runningColumns(out);
  }

  /** One direct or running x pass along the row of `src` at `base`, one sum per window into dst[dstBase + k]. */
  private pass1(src: Float64Array, base: number, plan: AxisPlan, dst: Float64Array, dstBase: number): void {
    const { starts } = plan;
    const count = starts.length;
    const { n } = this;
    if (!plan.running) {
      const w = this.w;
      for (let k = 0; k < count; k++) {
        let s = 0;
        const p = base + starts[k];
        for (let t = 0; t < n; t++) s += w[t] * src[p + t];
        dst[dstBase + k] = s;
      }
      return;
    }
    // Cumulative sums over the span; window k is the difference at s_k + n and s_k.
    const { a, b, cosT, sinT, cum } = this;
    const first = starts[0];
    const span = starts[count - 1] + n - first;
    const c0 = 0, cc = span + 1, cs = 2 * (span + 1);
    let s0 = 0, sc = 0, ss = 0;
    cum[c0] = cum[cc] = cum[cs] = 0;
    if (b === 0) {
      for (let q = 0; q < span; q++) cum[q + 1] = s0 += src[base + first + q];
      for (let k = 0; k < count; k++) {
        const s = starts[k] - first;
        dst[dstBase + k] = cum[s + n] - cum[s];
      }
      return;
    }
    for (let q = 0; q < span; q++) {
      const f = src[base + first + q];
      cum[c0 + q + 1] = s0 += f;
      cum[cc + q + 1] = sc += f * cosT[first + q];
      cum[cs + q + 1] = ss += f * sinT[first + q];
    }
    for (let k = 0; k < count; k++) {
      const s = starts[k], e = s - first + n, o = s - first;
      dst[dstBase + k] = a * (cum[e] - cum[o]) - b * (cosT[s] * (cum[cc + e] - cum[cc + o]) + sinT[s] * (cum[cs + e] - cum[cs + o]));
    }
  }

  /** The running y pass, vectorised over output columns: the same sweep as `pass1` on whole rows of tmp. */
  private runningColumns(out: Float64Array): void {
    const { ni, nj, n, a, b, cosT, sinT, tmp, acc } = this;
    const ys = this.y.starts;
    acc.fill(0);
    const first = ys[0];
    const end = ys[nj - 1] + n;
    let jStart = 0, jEnd = 0;
    if (b === 0) {
      // Box: a sliding column sum, out row j = acc after adding rows [ys[j], ys[j] + n).
      for (let q = first, jDone = 0; q < end; q++) {
        const row = q * ni;
        for (let i = 0; i < ni; i++) acc[i] += tmp[row + i];
        if (q - n >= first) for (let i = 0, old = (q - n) * ni; i < ni; i++) acc[i] -= tmp[old + i];
        while (jDone < nj && ys[jDone] + n - 1 === q) {
          const o = jDone * ni;
          for (let i = 0; i < ni; i++) out[o + i] = a * acc[i];
          jDone++;
        }
      }
      return;
    }
    for (let q = first; q <= end; q++) {
      while (jEnd < nj && ys[jEnd] + n === q) {
        const s = ys[jEnd], o = jEnd * ni, cs = b * cosT[s], sn = b * sinT[s];
        for (let i = 0; i < ni; i++) out[o + i] += a * acc[i] - cs * acc[ni + i] - sn * acc[2 * ni + i];
        jEnd++;
      }
      while (jStart < nj && ys[jStart] === q) {
        const o = jStart * ni, cs = b * cosT[q], sn = b * sinT[q];
        for (let i = 0; i < ni; i++) out[o + i] = -(a * acc[i] - cs * acc[ni + i] - sn * acc[2 * ni + i]);
        jStart++;
      }
      if (q === end) break;
      const row = q * ni;
      for (let i = 0; i < ni; i++) acc[i] += tmp[row + i];
      if (b !== 0) {
        const c = cosT[q], s = sinT[q];
        for (let i = 0; i < ni; i++) {
          acc[ni + i] += c * tmp[row + i];
          acc[2 * ni + i] += s * tmp[row + i];
        }
      }
    }
  }
}

/** Ascending starts 0, step, 2·step, … (count of them): the usual grid geometry inside a tile region. */
export function regularStarts(count: number, step: number, offset = 0): Int32Array {
  const s = new Int32Array(count);
  for (let k = 0; k < count; k++) s[k] = offset + k * step;
  return s;
}

/**
 * Summed-area table of a width × height image: ii[(y+1)(width+1) + x+1] = Σ of src over [0,x]×[0,y], in
 * float64, with a zero first row and column. Subtract a constant from src first when the data sit on a
 * large offset, so sums of squares keep their precision.
 */
export function integralImage(src: ArrayLike<number>, width: number, height: number): Float64Array {
  const w1 = width + 1;
  const ii = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += src[y * width + x];
      ii[(y + 1) * w1 + x + 1] = ii[y * w1 + x + 1] + row;
    }
  }
  return ii;
}

/** Σ src over the rectangle [x0, x1) × [y0, y1) from its integral image (4 look-ups). */
export function rectSum(ii: Float64Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  const w1 = width + 1;
  return ii[y1 * w1 + x1] - ii[y0 * w1 + x1] - ii[y1 * w1 + x0] + ii[y0 * w1 + x0];
}

/**
 * out[r·aw + c] = a[r·aw + c] · b[r·bw + c + bOffset] for the listed rows and columns (ascending): the
 * product image of block matching, formed only where a `WindowSums` plan reads.
 */
export function productRows(
  a: Float64Array, aw: number, b: Float64Array, bw: number, bOffset: number, rows: Int32Array, cols: Int32Array, out: Float64Array,
): void {
  const nc = cols.length;
  if (nc === 0) return;
  const c0 = cols[0], contiguous = cols[nc - 1] - c0 + 1 === nc;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k], o = r * aw, ob = r * bw + bOffset;
    if (contiguous) {
      for (let c = c0; c < c0 + nc; c++) out[o + c] = a[o + c] * b[ob + c];
    } else {
      for (let m = 0; m < nc; m++) {
        const c = cols[m];
        out[o + c] = a[o + c] * b[ob + c];
      }
    }
  }
}
