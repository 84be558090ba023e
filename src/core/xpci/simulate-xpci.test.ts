/**
 * @file End-to-end checks of `simulateXpci`: the paper's default case (figures printed), the sine
 * phantom's ground truth against −δ·A·w·cos(wx), sphere and cylinder truth, the speckle size and
 * visibility the diffuser calibration promises, Poisson statistics, seeded reproducibility, input
 * checks and cancellation. Shift relations are in simulate-shift.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { makeProgress, quietContext } from '../progress';
import { opticalIndex, wavenumberPerM } from './optics';
import { simulateXpci } from './simulate-xpci';

const at = (img: { width: number; data: Float32Array }, x: number, y: number) => img.data[y * img.width + x];

describe('simulateXpci', () => {
  it('simulates the paper case with the defaults (512×256, 12 µm, 30 keV, PMMA sine) and reports its figures', async () => {
    const t0 = performance.now();
    const r = await simulateXpci({}, quietContext());
    const ms = performance.now() - t0;
    const d = r.description as Record<string, Record<string, unknown>>;
    const m = d.measured as Record<string, number>;
    console.log(
      `default case: ${ms.toFixed(0)} ms on one core; grid ${d.geometry.grid}; d = ${(d.options.distanceM as number).toFixed(1)} m (auto); ` +
        `max |u| = ${(d.truth.maxAbsUxPx as number).toFixed(3)} px = ${(d.truth.maxAbsAlphaXurad as number).toFixed(4)} µrad; ` +
        `speckle ${m.speckleSizePx.toFixed(2)} px (target 4), visibility ${m.visibility.toFixed(3)} (target 0.2); ` +
        `diffuser SiC rms ${(d.diffuser.rmsThicknessUm as number).toFixed(2)} µm, correlation FWHM ${(d.diffuser.correlationFwhmUm as number).toFixed(1)} µm; ` +
        `mean photons ref ${m.meanReferencePhotons.toFixed(0)}, sample ${m.meanSamplePhotons.toFixed(0)}; timings ${JSON.stringify(d.timingsMs)}`,
    );
    expect([r.reference.width, r.reference.height]).toEqual([512, 256]);
    expect(d.truth.maxAbsUxPx as number).toBeCloseTo(2, 3);
    expect(d.truth.maxAbsUyPx).toBe(0);
    expect(Math.abs(m.speckleSizePx / 4 - 1)).toBeLessThan(0.1);
    expect(Math.abs(m.visibility / 0.2 - 1)).toBeLessThan(0.1);
    expect(d.geometry.angleFromDisplacement).toMatch(/α = u·p\/d/);
    expect(d.geometry.radPerPx as number).toBeCloseTo(12e-6 / (d.options.distanceM as number), 15);
  });

  it('gives the sine phantom the truth α = −δ·A·w·cos(wx), u = α·d/p, φ = −kδt', async () => {
    const r = await simulateXpci({ width: 400, height: 32, photons: 0, distanceM: 50, seed: 2 }, quietContext());
    const delta = opticalIndex('pmma', 30).delta;
    const k = wavenumberPerM(30);
    const [b, a, w] = [1000e-6, 800e-6, 1.33e-3 * 1e6];
    let worstAlpha = 0;
    let worstPhase = 0;
    for (let c = 0; c < 400; c++) {
      const x = c * 12e-6;
      const alpha = -delta * a * w * Math.cos(w * x);
      worstAlpha = Math.max(worstAlpha, Math.abs(at(r.alphaX, c, 16) - alpha) / (delta * a * w));
      worstPhase = Math.max(worstPhase, Math.abs(at(r.phase, c, 16) - -k * delta * (b + a * Math.sin(w * x))));
      expect(at(r.ux, c, 16)).toBeCloseTo((at(r.alphaX, c, 16) * 50) / 12e-6, 4);
      expect(at(r.alphaY, c, 5)).toBe(0);
    }
    console.log(`sine truth: max |α − (−δAw·cos wx)| = ${worstAlpha.toExponential(2)} of δAw = ${(delta * a * w * 1e6).toFixed(4)} µrad; max phase error ${worstPhase.toExponential(2)} rad`);
    expect(worstAlpha).toBeLessThan(1e-4);
    expect(worstPhase).toBeLessThan(1e-3);
    expect(at(r.transmission, 0, 0)).toBeCloseTo(Math.exp(-opticalIndex('pmma', 30).muPerM * b), 5);
  });

  it('gives a sphere and a cylinder symmetric refraction, φ(centre) = −2kδR and T(centre) = exp(−2μR)', async () => {
    const R = 300;
    for (const kind of ['sphere', 'cylinder'] as const) {
      const r = await simulateXpci({ width: 65, height: 65, photons: 0, distanceM: 5, sample: { kind, radiusUm: R } }, quietContext());
      const pm = opticalIndex('pmma', 30);
      expect(at(r.alphaX, 32, 32)).toBeCloseTo(0, 12);
      expect(at(r.alphaX, 20, 32)).toBeCloseTo(-at(r.alphaX, 44, 32), 12);
      expect(at(r.alphaX, 20, 32)).toBeLessThan(0); // left of the centre the thin side is further left
      if (kind === 'cylinder') expect(at(r.uy, 20, 10)).toBe(0);
      else expect(at(r.alphaY, 32, 20)).toBeCloseTo(at(r.alphaX, 20, 32), 12);
      expect(at(r.phase, 32, 32) / (-wavenumberPerM(30) * pm.delta * 2 * R * 1e-6)).toBeCloseTo(1, 3);
      expect(at(r.transmission, 32, 32)).toBeCloseTo(Math.exp(-pm.muPerM * 2 * R * 1e-6), 4);
      expect(at(r.phase, 0, 0)).toBe(0);
    }
  });

  it('delivers the requested speckle size and visibility, with and without detector blur', async () => {
    const rows: string[] = [];
    for (const c of [
      { speckleSizePx: 3, visibility: 0.15 },
      { speckleSizePx: 7, visibility: 0.3 },
      { speckleSizePx: 4, visibility: 0.2, distanceM: 1 },
      { speckleSizePx: 5, visibility: 0.2, blurPx: 1 },
    ]) {
      const r = await simulateXpci({ width: 128, height: 128, photons: 0, ...c }, quietContext());
      const m = r.description.measured as Record<string, number>;
      rows.push(`${JSON.stringify(c)} → ${m.speckleSizePx.toFixed(2)} px, V = ${m.visibility.toFixed(3)}`);
      expect(Math.abs(m.speckleSizePx / c.speckleSizePx - 1)).toBeLessThan(0.1);
      expect(Math.abs(m.visibility / c.visibility - 1)).toBeLessThan(0.1);
    }
    console.log(`speckle calibration: ${rows.join('; ')}`);
  });

  it('counts photons with Poisson statistics, independently in the two images', async () => {
    const opts = { width: 128, height: 128, distanceM: 30, seed: 4 };
    const clean = await simulateXpci({ ...opts, photons: 0 }, quietContext());
    const noisy = await simulateXpci({ ...opts, photons: 400 }, quietContext());
    let [s1, s2, cross] = [0, 0, 0];
    const n = 128 * 128;
    for (let i = 0; i < n; i++) {
      const zr = (noisy.reference.data[i] - 400 * clean.reference.data[i]) / Math.sqrt(400 * clean.reference.data[i]);
      const zs = (noisy.sample.data[i] - 400 * clean.sample.data[i]) / Math.sqrt(400 * clean.sample.data[i]);
      [s1, s2, cross] = [s1 + zr, s2 + zr * zr, cross + zr * zs];
      expect(Number.isInteger(noisy.reference.data[i])).toBe(true);
    }
    const [mean, variance, corr] = [s1 / n, s2 / n - (s1 / n) ** 2, cross / n];
    console.log(`Poisson noise, 400 photons: standardised mean ${mean.toFixed(4)}, variance ${variance.toFixed(4)}, ref–sample correlation ${corr.toFixed(4)}`);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(Math.abs(corr)).toBeLessThan(0.04);
  });

  it('reproduces images bit for bit from a seed, and changes them with it', async () => {
    const o = { width: 64, height: 64, distanceM: 20, photons: 1000 };
    const a = await simulateXpci({ ...o, seed: 11 }, quietContext());
    const b = await simulateXpci({ ...o, seed: 11 }, quietContext());
    const c = await simulateXpci({ ...o, seed: 12 }, quietContext());
    expect(Buffer.from(a.reference.data.buffer).equals(Buffer.from(b.reference.data.buffer))).toBe(true);
    expect(Buffer.from(a.sample.data.buffer).equals(Buffer.from(b.sample.data.buffer))).toBe(true);
    expect(Buffer.from(a.reference.data.buffer).equals(Buffer.from(c.reference.data.buffer))).toBe(false);
    expect(Array.from(a.ux.data)).toEqual(Array.from(c.ux.data)); // the truth does not depend on the seed
  });

  it('explains bad input', async () => {
    const q = quietContext();
    await expect(simulateXpci({ oversample: 1 }, q)).rejects.toThrow(/oversampling factor 1 must be a whole number from 2 to 8/);
    await expect(simulateXpci({ blurPx: 2, speckleSizePx: 3 }, q)).rejects.toThrow(/blur/);
    await expect(simulateXpci({ sourceM: 0.5 }, q)).rejects.toThrow(/computational grid.*give the distance/);
    await expect(simulateXpci({ distanceM: 1, sample: { kind: 'wedge', slopeX: 50 } }, q)).rejects.toThrow(/raise the oversampling/);
    await expect(simulateXpci({ energyKeV: 200 }, q)).rejects.toThrow(/8–100 keV/);
    await expect(simulateXpci({ sample: { kind: 'sine', baseUm: 100, amplitudeUm: 800 } }, q)).rejects.toThrow(/0 ≤ A ≤ b/);
  });

  it('stops when cancelled, before starting or midway', async () => {
    const pre = new AbortController();
    pre.abort();
    await expect(simulateXpci({}, quietContext(pre.signal))).rejects.toThrow(/cancelled/);
    const mid = new AbortController();
    let last = 0;
    let abortedAt = 0;
    const progress = makeProgress((f) => {
      last = f;
      if (f >= 0.3 && !abortedAt) {
        abortedAt = performance.now();
        mid.abort();
      }
    });
    await expect(simulateXpci({}, { signal: mid.signal, progress })).rejects.toMatchObject({ name: 'AbortError' });
    const latency = performance.now() - abortedAt;
    console.log(`cancelled at ${(100 * last).toFixed(0)}%, stopped ${latency.toFixed(0)} ms after the abort`);
    expect(last).toBeLessThan(0.55);
    expect(latency).toBeLessThan(1000);
  });
});
