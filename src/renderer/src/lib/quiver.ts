/**
 * @file The decimated displacement vectors drawn over the reference image and the heat map: one arrow per
 * `spacing` image pixels at pixel centres, skipping points that were not measured. Drawing thins them by
 * powers of two while zoomed out so arrows never crowd closer than MIN_SCREEN_SPACING screen pixels.
 * Arrow length on screen = factor × displacement (px) × zoom, so the factor says how much the motion is
 * exaggerated.
 */
export interface Quiver {
  /** arrow count */
  n: number;
  /** pixel (column, row) of each arrow's tail; its centre is at +0.5 in image coordinates */
  px: Int32Array;
  py: Int32Array;
  /** displacement, px */
  dx: Float32Array;
  dy: Float32Array;
  /** grid index of each arrow, for thinning */
  gi: Int32Array;
  gj: Int32Array;
  spacing: number;
}

/** Arrows closer than this on screen are thinned out. */
export const MIN_SCREEN_SPACING = 14;

/** Arrows every `spacing` px (at offset spacing/2, so they sit centred in their cell), finite points only. */
export function quiverField(u: Float32Array, v: Float32Array, width: number, height: number, spacing: number): Quiver {
  const s = Math.max(1, Math.round(spacing));
  const o = Math.floor(s / 2);
  const cap = Math.ceil(width / s) * Math.ceil(height / s);
  const q: Quiver = {
    n: 0,
    px: new Int32Array(cap),
    py: new Int32Array(cap),
    dx: new Float32Array(cap),
    dy: new Float32Array(cap),
    gi: new Int32Array(cap),
    gj: new Int32Array(cap),
    spacing: s,
  };
  for (let j = 0, y = o; y < height; j++, y += s) {
    for (let i = 0, x = o; x < width; i++, x += s) {
      const k = y * width + x;
      const a = u[k];
      const b = v[k];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      q.px[q.n] = x;
      q.py[q.n] = y;
      q.dx[q.n] = a;
      q.dy[q.n] = b;
      q.gi[q.n] = i;
      q.gj[q.n] = j;
      q.n++;
    }
  }
  return q;
}

/** Thinning factor (a power of two) that keeps arrows at least MIN_SCREEN_SPACING apart at this zoom. */
export function thinning(spacing: number, scale: number, min = MIN_SCREEN_SPACING): number {
  let k = 1;
  while (spacing * k * scale < min && k < 1 << 20) k *= 2;
  return k;
}

/**
 * Length factor that draws the 95th-percentile displacement 0.8 spacing long, so arrows neither vanish
 * nor overlap; 1 when nothing moved.
 */
export function autoFactor(q: Quiver): number {
  if (q.n === 0) return 1;
  const len = new Float32Array(q.n);
  for (let k = 0; k < q.n; k++) len[k] = Math.hypot(q.dx[k], q.dy[k]);
  len.sort();
  const p95 = len[Math.min(q.n - 1, Math.floor(0.95 * (q.n - 1)))];
  if (!(p95 > 0)) return 1;
  const f = (0.8 * q.spacing) / p95;
  // a readable number: 1, 2 or 5 × 10ⁿ below the exact value
  const e = 10 ** Math.floor(Math.log10(f));
  const m = f / e;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * e;
}

/** Head of an arrow from (x0, y0) to (x1, y1) in screen px: the two barb ends, or null for a dot. */
export function arrowHead(x0: number, y0: number, x1: number, y1: number, maxHead = 6): [number, number, number, number] | null {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  if (len < 1) return null;
  const h = Math.min(maxHead, 0.4 * len);
  const ux = dx / len;
  const uy = dy / len;
  // barbs at ±25° from the shaft
  const c = Math.cos(Math.PI / 7.2);
  const s = Math.sin(Math.PI / 7.2);
  return [x1 - h * (c * ux - s * uy), y1 - h * (s * ux + c * uy), x1 - h * (c * ux + s * uy), y1 - h * (-s * ux + c * uy)];
}
