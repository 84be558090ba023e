/**
 * @file The displacement relation, measured: a wedge (pure linear phase, α = −δ·∇t) must move the whole
 * reference speckle by u = α·d/p px with the project's sign, I_sample(x + u) = I_ref(x), in a plane wave,
 * in a cone beam (where u does NOT carry a 1/M) and with a diffuser–sample gap; and the sine phantom's
 * local speckle shifts must follow its ground-truth map. The shift is measured independently of the
 * simulator: integer ZNCC search, then Gauss–Newton on I_sample(x + u) ≈ a·I_ref(x) + b with Keys cubic
 * interpolation (a = −0.5) and its exact derivative.
 */
import { describe, expect, it } from 'vitest';
import type { GreyImage } from '../imageio/types';
import { quietContext } from '../progress';
import { simulateXpci } from './simulate-xpci';

const A = -0.5;
function keys(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return (A + 2) * x ** 3 - (A + 3) * x * x + 1;
  if (x < 2) return A * x ** 3 - 5 * A * x * x + 8 * A * x - 4 * A;
  return 0;
}
function keysDeriv(t: number): number {
  const x = Math.abs(t);
  const s = Math.sign(t);
  if (x <= 1) return s * (3 * (A + 2) * x * x - 2 * (A + 3) * x);
  if (x < 2) return s * (3 * A * x * x - 10 * A * x + 8 * A);
  return 0;
}

/** Bicubic value and gradient of `img` at (x, y). */
function sample(img: GreyImage, x: number, y: number): [number, number, number] {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  let v = 0;
  let gx = 0;
  let gy = 0;
  for (let m = -1; m <= 2; m++) {
    const wy = keys(fy - m);
    const dy = -keysDeriv(fy - m);
    for (let n = -1; n <= 2; n++) {
      const p = img.data[(iy + m) * img.width + ix + n];
      const wx = keys(fx - n);
      v += wy * wx * p;
      gx += wy * -keysDeriv(fx - n) * p;
      gy += dy * wx * p;
    }
  }
  // d/dx of keys(fx − n) with respect to x is keys'(fx − n); the minus signs above cancel the inner one
  return [v, -gx, -gy];
}

/** Shift (u, v) of the square window of half-size `half` at (cx, cy) with I_def(x + u) ≈ a·I_ref(x) + b. */
function measureShift(ref: GreyImage, def: GreyImage, cx: number, cy: number, half: number, search = 4): [number, number] {
  const pts: [number, number][] = [];
  for (let y = cy - half; y <= cy + half; y++) for (let x = cx - half; x <= cx + half; x++) pts.push([x, y]);
  const at = (img: GreyImage, x: number, y: number) => img.data[y * img.width + x];
  let best = -Infinity;
  let p = [0, 0];
  for (let dy = -search; dy <= search; dy++) {
    for (let dx = -search; dx <= search; dx++) {
      let [sr, sd, srr, sdd, srd] = [0, 0, 0, 0, 0];
      for (const [x, y] of pts) {
        const r = at(ref, x, y);
        const d = at(def, x + dx, y + dy);
        [sr, sd, srr, sdd, srd] = [sr + r, sd + d, srr + r * r, sdd + d * d, srd + r * d];
      }
      const n = pts.length;
      const z = (srd - (sr * sd) / n) / Math.sqrt((srr - (sr * sr) / n) * (sdd - (sd * sd) / n));
      if (z > best) [best, p] = [z, [dx, dy]];
    }
  }
  let [u, v, a, b] = [p[0], p[1], 1, 0];
  for (let it = 0; it < 50; it++) {
    const h = new Float64Array(16);
    const g = new Float64Array(4);
    for (const [x, y] of pts) {
      const [val, dx, dy] = sample(def, x + u, y + v);
      const r = at(ref, x, y);
      const res = val - a * r - b;
      const j = [dx, dy, -r, -1];
      for (let m = 0; m < 4; m++) {
        g[m] += j[m] * res;
        for (let n = 0; n < 4; n++) h[4 * m + n] += j[m] * j[n];
      }
    }
    const step = solve4(h, g);
    [u, v, a, b] = [u - step[0], v - step[1], a - step[2], b - step[3]];
    if (Math.hypot(step[0], step[1]) < 1e-7) break;
  }
  return [u, v];
}

function solve4(h: Float64Array, g: Float64Array): number[] {
  const m = Array.from({ length: 4 }, (_, i) => [...h.slice(4 * i, 4 * i + 4), g[i]]);
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k < 5; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[4] / row[i]);
}

const DELTA = 3e-7;
const base = { width: 160, height: 160, pixelUm: 12, energyKeV: 30, photons: 0, speckleSizePx: 4, seed: 3 };

describe('speckle displacement of a linear phase (wedge)', () => {
  // Whole-pixel shifts make the cubic interpolation of the estimator exact, so any error left is the
  // simulator's; the fractional case is limited by the estimator (Keys cubic bias ~0.01 px at 4 px speckle).
  const d = 20;
  const cases = [
    { name: 'plane wave', extra: {}, slopes: [2, -4], tol: 2e-3 },
    { name: 'plane wave, fractional', extra: {}, slopes: [2.5, -1.5], tol: 0.02 },
    { name: 'cone beam, z1 = 20 m (M = 2)', extra: { sourceM: 20 }, slopes: [2, -4], tol: 2e-3 },
    { name: 'cone beam, z1 = 40 m, 3 m diffuser–sample gap', extra: { sourceM: 40, diffuserGapM: 3 }, slopes: [2, -4], tol: 2e-3 },
  ];
  for (const c of cases) {
    it(`moves the whole pattern by u = α·d/p px, I_sample(x + u) = I_ref(x) (${c.name})`, async () => {
      const [sx, sy] = c.slopes;
      const r = await simulateXpci(
        { ...base, distanceM: d, ...c.extra, sample: { kind: 'wedge', slopeX: sx, slopeY: sy, material: { delta: DELTA, beta: 0 } } },
        quietContext(),
      );
      // α = −δ·∇t; u = α·d/p with the detector pitch p and no 1/M (Note: Angle–displacement relation)
      const expected = [(-DELTA * sx * d) / 12e-6, (-DELTA * sy * d) / 12e-6];
      expect(r.ux.data[80 * 160 + 80]).toBeCloseTo(expected[0], 5);
      expect(r.uy.data[80 * 160 + 80]).toBeCloseTo(expected[1], 5);
      expect(r.alphaX.data[80 * 160 + 80]).toBeCloseTo(-DELTA * sx, 12);
      let worst = 0;
      for (const [cx, cy] of [[60, 60], [100, 60], [60, 100], [100, 100], [80, 80]]) {
        const [u, v] = measureShift(r.reference, r.sample, cx, cy, 15);
        worst = Math.max(worst, Math.abs(u - expected[0]), Math.abs(v - expected[1]));
      }
      const m = (r.description.geometry as { magnification: number }).magnification;
      console.log(`wedge, ${c.name}: truth (u, v) = (${expected[0].toFixed(3)}, ${expected[1].toFixed(3)}) px, M = ${m}; worst measured error ${worst.toFixed(5)} px`);
      expect(worst).toBeLessThan(c.tol);
    });
  }
});

describe('speckle displacement of the sine phantom', () => {
  it('follows the ground-truth ux map (default distance, max |u| = 2 px)', async () => {
    const r = await simulateXpci({ width: 256, height: 96, photons: 0, seed: 5 }, quietContext());
    const errs: string[] = [];
    let worst = 0;
    for (let cx = 24; cx < 232; cx += 16) {
      const [u, v] = measureShift(r.reference, r.sample, cx, 48, 12);
      const truth = r.ux.data[48 * 256 + cx];
      worst = Math.max(worst, Math.abs(u - truth), Math.abs(v));
      errs.push(`${cx}: ${truth.toFixed(3)}/${u.toFixed(3)}`);
    }
    console.log(`sine phantom, column: truth/measured u (px) ${errs.join(', ')}; worst error ${worst.toFixed(4)} px`);
    expect(worst).toBeLessThan(0.05);
  });
});
