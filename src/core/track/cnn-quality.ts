/**
 * @file The quality map of the CNN trackers: how well the predicted field explains the image pair.
 *
 * Note: CNN quality (warp-back ZNCC). A network returns a number at every pixel, right or wrong, and has
 * no correlation peak to report. So the deformed image is warped back with the predicted field,
 * g(x) = I_def(x + u(x)) (cubic B-spline, bspline.ts), and the quality at x is the zero-normalised
 * cross-correlation of I_ref and g over a `window`×`window` neighbourhood of x. Where the field is right,
 * g reproduces I_ref up to noise and interpolation and the ZNCC is near 1 (as IC-GN's quality); where it is
 * off by a speckle or more the patterns decorrelate and it falls towards 0. Being the same statistic as the
 * classical methods' quality, it can be compared with theirs and thresholded the same way. It is a
 * consistency check, not an error bar: a field off by a small fraction of a pixel still scores near 1, and
 * a locally featureless region scores low whatever the field. Pixels whose x + u falls outside the deformed
 * image carry no g; windows use only the pixels that have one, and need at least half of them to count.
 * Pass the images normalised to mean 0 and std 1 (normalise.ts; ZNCC ignores offset and scale anyway):
 * the window sums are stored in float32 to bound memory, which raw 16-bit squares would overflow in digits.
 */
import { throwIfCancelled } from '../progress';
import { bsplineValueAt } from './bspline';
import { type Box, prefilterRegion } from './cnn-warp';

/**
 * Sliding-window sums over `win`×`win` of every map in `maps` (each width*height), in place, truncated at
 * the borders: one row pass and one column pass serve all maps, with float64 running sums. `tmp` holds
 * one map's row sums.
 */
function boxSums(maps: Float32Array[], width: number, height: number, win: number, tmp: Float32Array, signal?: AbortSignal): void {
  const r = (win - 1) >> 1;
  const col = new Float64Array(width);
  for (const src of maps) {
    if (signal) throwIfCancelled(signal);
    for (let y = 0; y < height; y++) {
      const o = y * width;
      let s = 0;
      for (let x = 0; x < Math.min(r, width); x++) s += src[o + x];
      // the three ranges of x: window entering only, both ends moving, window leaving only
      const a = Math.min(width, r + 1);
      const b = Math.max(a, width - r);
      for (let x = 0; x < a; x++) {
        if (x + r < width) s += src[o + x + r];
        tmp[o + x] = s;
      }
      for (let x = a; x < b; x++) {
        s += src[o + x + r] - src[o + x - r - 1];
        tmp[o + x] = s;
      }
      for (let x = b; x < width; x++) {
        if (x + r < width) s += src[o + x + r];
        if (x - r - 1 >= 0) s -= src[o + x - r - 1];
        tmp[o + x] = s;
      }
    }
    col.fill(0);
    for (let y = 0; y < Math.min(r, height); y++) for (let x = 0, o = y * width; x < width; x++) col[x] += tmp[o + x];
    for (let y = 0; y < height; y++) {
      const add = y + r < height ? (y + r) * width : -1;
      const sub = y - r - 1 >= 0 ? (y - r - 1) * width : -1;
      const o = y * width;
      if (add >= 0 && sub >= 0) for (let x = 0; x < width; x++) src[o + x] = col[x] += tmp[add + x] - tmp[sub + x];
      else if (add >= 0) for (let x = 0; x < width; x++) src[o + x] = col[x] += tmp[add + x];
      else if (sub >= 0) for (let x = 0; x < width; x++) src[o + x] = col[x] -= tmp[sub + x];
      else for (let x = 0; x < width; x++) src[o + x] = col[x];
    }
  }
}

/** Pixels of a `win`-wide window centred at i on an axis of length n, truncated at its ends. */
function windowSpan(i: number, n: number, r: number): number {
  return Math.min(n - 1, i + r) - Math.max(0, i - r) + 1;
}

/**
 * Warp-back ZNCC (see the file note) over `box` of the images: `ref` and `def` are the full width*height
 * images, `u`, `v` and the result are box-sized (row-major), NaN where u or v is not finite. Only the box,
 * plus the reach of the field around it, is prefiltered and summed, so a small ROI on a large image costs
 * what the ROI costs. `window` is odd. Cancellable between rows through `signal`.
 */
export function warpBackZncc(
  ref: Float32Array,
  def: Float32Array,
  width: number,
  height: number,
  u: Float32Array,
  v: Float32Array,
  window: number,
  box: Box = { x0: 0, y0: 0, x1: width, y1: height },
  signal?: AbortSignal,
): Float32Array {
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const n = bw * bh;
  // The deformed image is sampled at x + u: prefilter the part the field reaches, plus 12 px (prefilterRegion).
  let reach = 0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(u[k]);
    const b = Math.abs(v[k]);
    if (a > reach && Number.isFinite(a)) reach = a;
    if (b > reach && Number.isFinite(b)) reach = b;
  }
  const { spline, src } = prefilterRegion(def, width, height, box, Math.ceil(reach) + 12);

  // Per-pixel terms (f, g, f², g², fg, and the mask), zero where x + u leaves the image or the field is NaN;
  // each is replaced by its window sum in place. The mask is only built when some pixel has no g: where
  // every pixel has one, a window's count is its size, truncated at the box's edges (the usual case; this
  // saves a map and its sums, and the per-pixel loop below stays the same).
  const terms = Array.from({ length: 5 }, () => new Float32Array(n));
  const [f, g, ff, gg, fg] = terms;
  let cnt: Float32Array | null = null;
  for (let y = box.y0, k = 0; y < box.y1; y++) {
    if (signal) throwIfCancelled(signal);
    for (let x = box.x0; x < box.x1; x++, k++) {
      const X = x + u[k];
      const Y = y + v[k];
      // NaN compares false, so a NaN field lands here too.
      if (!(X >= 0 && X <= width - 1 && Y >= 0 && Y <= height - 1)) {
        if (!cnt) {
          cnt = new Float32Array(n);
          cnt.fill(1, 0, k);
        }
        continue;
      }
      const a = ref[y * width + x];
      const b = bsplineValueAt(spline, X - src.x0, Y - src.y0);
      if (cnt) cnt[k] = 1;
      f[k] = a;
      g[k] = b;
      ff[k] = a * a;
      gg[k] = b * b;
      fg[k] = a * b;
    }
  }
  boxSums(cnt ? [...terms, cnt] : terms, bw, bh, window, new Float32Array(n), signal);
  const r = (window - 1) >> 1;
  const spanX = Float32Array.from({ length: bw }, (_, x) => windowSpan(x, bw, r));
  const minCount = (window * window) / 2;
  const q = new Float32Array(n).fill(Number.NaN);
  for (let y = 0, k = 0; y < bh; y++) {
    const spanY = windowSpan(y, bh, r);
    for (let x = 0; x < bw; x++, k++) {
      const c = cnt ? cnt[k] : spanX[x] * spanY;
      if (!(Number.isFinite(u[k]) && Number.isFinite(v[k])) || c < minCount) continue;
      const vf = ff[k] - (f[k] * f[k]) / c;
      const vg = gg[k] - (g[k] * g[k]) / c;
      const cov = fg[k] - (f[k] * g[k]) / c;
      if (vf > 0 && vg > 0) q[k] = Math.max(-1, Math.min(1, cov / Math.sqrt(vf * vg)));
    }
  }
  return q;
}
