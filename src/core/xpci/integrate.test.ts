/**
 * @file Round trips for the two phase integrators (integrate-fc.ts, integrate-ls.ts): analytic surfaces
 * Φ(x, y) with their exact point-sampled gradients, integrated back and compared after removing the free
 * constant. The figure printed and asserted is the relative RMS error rms(Φ̃ − Φ)/rms(Φ − ⟨Φ⟩) over the
 * valid pixels.
 */
import { describe, expect, it } from 'vitest';
import { fillGaps, integrateFc } from './integrate-fc';
import { integrateLs } from './integrate-ls';

type Surface = { name: string; f: (x: number, y: number) => number; fx: (x: number, y: number) => number; fy: (x: number, y: number) => number };

const gauss = (cx: number, cy: number, s: number, a = 3): Surface => {
  const e = (x: number, y: number) => a * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
  return { name: `Gaussian bump σ=${s}`, f: e, fx: (x, y) => (-(x - cx) / (s * s)) * e(x, y), fy: (x, y) => (-(y - cy) / (s * s)) * e(x, y) };
};
const sine = (px: number, py: number): Surface => {
  const wx = (2 * Math.PI) / px, wy = (2 * Math.PI) / py;
  return {
    name: `sine periods ${px}, ${py} px`,
    f: (x, y) => Math.sin(wx * x + 0.3) + 0.5 * Math.cos(wy * y - 0.2),
    fx: (x) => wx * Math.cos(wx * x + 0.3),
    fy: (_x, y) => -0.5 * wy * Math.sin(wy * y - 0.2),
  };
};
const plane: Surface = { name: 'tilted plane', f: (x, y) => 0.05 * x - 0.03 * y, fx: () => 0.05, fy: () => -0.03 };

function sample(s: Surface, w: number, h: number) {
  const phi = new Float64Array(w * h), gx = new Float32Array(w * h), gy = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      phi[y * w + x] = s.f(x, y);
      gx[y * w + x] = s.fx(x, y);
      gy[y * w + x] = s.fy(x, y);
    }
  }
  return { phi, gx, gy };
}

/** rms(est − truth, constant removed)/rms(truth − mean), over pixels where est is finite. */
function relRms(est: Float32Array, truth: Float64Array): number {
  let n = 0, md = 0, mt = 0;
  for (let k = 0; k < est.length; k++) if (Number.isFinite(est[k])) (n++, (md += est[k] - truth[k]), (mt += truth[k]));
  md /= n;
  mt /= n;
  let e2 = 0, t2 = 0;
  for (let k = 0; k < est.length; k++) {
    if (!Number.isFinite(est[k])) continue;
    e2 += (est[k] - truth[k] - md) ** 2;
    t2 += (truth[k] - mt) ** 2;
  }
  return Math.sqrt(e2 / t2);
}

function holes(w: number, h: number, gx: Float32Array, gy: Float32Array) {
  // a disc of NaN in the middle-left and a NaN border strip, like a tracker's margin
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if ((x - w * 0.3) ** 2 + (y - h * 0.5) ** 2 < (0.12 * Math.min(w, h)) ** 2 || x < 3 || y >= h - 2) gx[k] = gy[k] = Number.NaN;
    }
  }
}

const CASES: [Surface, number, number, number, number][] = [
  // surface, width, height, FC limit, LS limit (relative RMS)
  [gauss(50, 36, 9), 100, 72, 0.002, 0.002],
  [sine(40, 29), 128, 64, 0.01, 0.005],
  [plane, 96, 80, 0.01, 1e-5],
  [gauss(40, 20, 7), 101, 37, 0.005, 0.002],
];

describe('phase integrators: analytic round trips', () => {
  for (const [s, w, h, fcLimit, lsLimit] of CASES) {
    it(`${s.name} on ${w}×${h}: FC and LS recover Φ`, () => {
      const { phi, gx, gy } = sample(s, w, h);
      const fc = integrateFc(gx, gy, w, h);
      const ls = integrateLs(gx, gy, w, h);
      const eFc = relRms(fc.phase, phi);
      const eLs = relRms(ls.phase, phi);
      console.log(`[integrate] ${s.name} ${w}×${h}: relative RMS FC ${(100 * eFc).toFixed(3)}%, LS ${(100 * eLs).toFixed(4)}% (CG ${ls.iterations} it, residual ${ls.relativeResidual.toExponential(1)})`);
      expect(eFc).toBeLessThan(fcLimit);
      expect(eLs).toBeLessThan(lsLimit);
      expect(ls.converged).toBe(true);
      // the constant: zero mean over valid pixels
      expect(Math.abs(fc.phase.reduce((a, b) => a + b, 0) / fc.phase.length)).toBeLessThan(1e-5);
    });
  }

  it('handles NaN gaps: filled for FC, masked equations for LS, NaN restored', () => {
    const w = 100, h = 72;
    const { phi, gx, gy } = sample(gauss(60, 36, 10), w, h);
    holes(w, h, gx, gy);
    const fc = integrateFc(gx, gy, w, h);
    const ls = integrateLs(gx, gy, w, h);
    for (const r of [fc, ls]) {
      for (let k = 0; k < w * h; k++) expect(Number.isNaN(r.phase[k])).toBe(Number.isNaN(gx[k]));
    }
    const eFc = relRms(fc.phase, phi), eLs = relRms(ls.phase, phi);
    console.log(`[integrate] Gaussian with NaN disc + border (${fc.filled} px filled): relative RMS FC ${(100 * eFc).toFixed(3)}%, LS ${(100 * eLs).toFixed(4)}% (${ls.iterations} CG it)`);
    expect(eFc).toBeLessThan(0.03);
    expect(eLs).toBeLessThan(0.002);
  });

  it('both LS preconditioners reach the same answer; spectral in far fewer iterations', () => {
    const w = 100, h = 72;
    const { phi, gx, gy } = sample(sine(33, 50), w, h);
    holes(w, h, gx, gy);
    const s = integrateLs(gx, gy, w, h);
    const j = integrateLs(gx, gy, w, h, { preconditioner: 'jacobi' });
    const es = relRms(s.phase, phi), ej = relRms(j.phase, phi);
    console.log(`[integrate] LS sine with gaps: spectral ${s.iterations} it (rel. RMS ${(100 * es).toFixed(4)}%), Jacobi ${j.iterations} it (${(100 * ej).toFixed(4)}%)`);
    expect(s.converged && j.converged).toBe(true);
    expect(s.iterations * 5).toBeLessThan(j.iterations);
    expect(Math.abs(es - ej)).toBeLessThan(1e-4);
  });

  it('tilted plane with gaps: LS exact, FC close', () => {
    const w = 90, h = 60;
    const { phi, gx, gy } = sample(plane, w, h);
    holes(w, h, gx, gy);
    const eFc = relRms(integrateFc(gx, gy, w, h).phase, phi);
    const eLs = relRms(integrateLs(gx, gy, w, h).phase, phi);
    console.log(`[integrate] tilted plane with gaps: relative RMS FC ${(100 * eFc).toFixed(3)}%, LS ${(100 * eLs).toFixed(5)}%`);
    expect(eLs).toBeLessThan(1e-5);
    expect(eFc).toBeLessThan(0.01);
  });

  it('fills gaps by growing rings of neighbour means; all-NaN input stays NaN', () => {
    const gx = new Float32Array([1, Number.NaN, Number.NaN, 3]);
    const gy = new Float32Array([0, 0, 0, 0]);
    const f = fillGaps(gx, gy, 4, 1);
    expect(Array.from(f.gx)).toEqual([1, 1, 3, 3]);
    expect(f.filled).toBe(2);
    const nan = new Float32Array(16).fill(Number.NaN);
    expect(integrateFc(nan, nan, 4, 4).phase.every(Number.isNaN)).toBe(true);
    expect(integrateLs(nan, nan, 4, 4).phase.every(Number.isNaN)).toBe(true);
  });

  it('rejects mismatched sizes with a sentence', () => {
    expect(() => integrateFc(new Float32Array(6), new Float32Array(5), 3, 2)).toThrow(/have 6 and 5 values but a 3×2 image needs 6/);
  });
});
