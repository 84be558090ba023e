/**
 * @file Round trip through the wave-optics simulator (simulate-xpci.ts): speckle images of the PMMA sine
 * phantom t = b + A·sin(w·x), for a plane wave and for a cone beam (M = 2), go through the whole xpci job
 * (UMPA, α = u·p/d, phase by FC and LS). The retrieved α_x is compared with the analytic −δ·A·w·cos(w·x)
 * (x = X·p/M at the sample, X the detector column) and the retrieved phase with the simulator's
 * φ = −k·δ·⟨t⟩, constant removed. The cone beam is the check that neither relation hides a stray factor
 * of M: α = u·p/d carries none, the phase gradient is integrated with the sample-plane pixel p/M.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeTiffFloat32 } from '../imageio';
import { quietContext } from '../progress';
import { opticalIndex } from './optics';
import { lineProfile } from './profile';
import { simulateXpci } from './simulate-xpci';
import { runXpciTask } from './xpci-task';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-sim-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 256, H = 64, P_UM = 12, E = 30;
const [B, A, FREQ] = [1000e-6, 800e-6, 4e-3]; // m, m, 1/µm: period 1.57 mm
const w = FREQ * 1e6;

/** rms of (a − b) over pixels finite in both, with the mean difference removed when `offset`. */
function rmsDiff(a: Float32Array, b: Float32Array, offset: boolean): { rms: number; n: number; ref: number } {
  let n = 0, md = 0, mb = 0;
  for (let k = 0; k < a.length; k++) if (Number.isFinite(a[k]) && Number.isFinite(b[k])) (n++, (md += a[k] - b[k]), (mb += b[k]));
  md = offset ? md / n : 0;
  mb /= n;
  let e2 = 0, r2 = 0;
  for (let k = 0; k < a.length; k++) {
    if (!(Number.isFinite(a[k]) && Number.isFinite(b[k]))) continue;
    e2 += (a[k] - b[k] - md) ** 2;
    r2 += (b[k] - mb) ** 2;
  }
  return { rms: Math.sqrt(e2 / n), n, ref: Math.sqrt(r2 / n) };
}

describe('xpci chain against the wave-optics simulator (PMMA sine phantom)', () => {
  for (const [label, sourceM] of [['plane wave', undefined], ['cone beam, M = 2', 'auto']] as const) {
    it(`${label}: α_x = −δ·A·w·cos(w·x) and the phase come back`, async () => {
      // For M = 2 the source sits at z1 = d; the simulator picks d itself (2 px typical shift), so run
      // it once without a source to learn d, then with z1 = d.
      const base = { width: W, height: H, pixelUm: P_UM, energyKeV: E, photons: 20000, seed: 5, sample: { kind: 'sine' as const, frequencyPerUm: FREQ } };
      let sim = await simulateXpci(base, quietContext());
      const d = (sim.description.options as { distanceM: number }).distanceM;
      if (sourceM) sim = await simulateXpci({ ...base, distanceM: d, sourceM: d }, quietContext());
      const M = sourceM ? 2 : 1;
      const tag = sourceM ? 'cone' : 'plane';
      await writeTiffFloat32(join(dir, `${tag}-ref.tif`), sim.reference);
      await writeTiffFloat32(join(dir, `${tag}-sample.tif`), sim.sample);

      const geometry = { pixelUm: P_UM, distanceM: d, energyKeV: E, ...(sourceM ? { sourceM: d } : {}) };
      const runs: Record<string, Float32Array> = {};
      let alphaX: Float32Array | undefined;
      for (const integrator of ['fc', 'ls'] as const) {
        const out = join(dir, `${tag}-${integrator}`);
        const res = await runXpciTask(
          { refPaths: [join(dir, `${tag}-ref.tif`)], samplePaths: [join(dir, `${tag}-sample.tif`)], geometry, method: 'umpa', options: { window: 11, search: 4 }, step: 2, integrator, outDir: out },
          quietContext(),
        );
        expect(res.messages.filter((m) => /unusual/.test(m))).toEqual([]);
        runs[integrator] = (await readImage(join(out, 'phase.tif'))).data;
        alphaX ??= (await readImage(join(out, 'alpha_x.tif'))).data;
      }

      // analytic α at each reference pixel (centre), and the simulator's own pixel-mean truth
      const delta = opticalIndex('pmma', E).delta;
      const analytic = new Float32Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) analytic[y * W + x] = -delta * A * w * Math.cos((w * x * P_UM * 1e-6) / M);
      const ea = rmsDiff(alphaX!, analytic, false);
      const et = rmsDiff(alphaX!, sim.alphaX.data, false);
      const radPerPx = (P_UM * 1e-6) / d;
      // the profile a user would draw: along the middle row, 9 px wide
      const prof = lineProfile(alphaX!, W, H, { x0: 0, y0: H / 2, x1: W - 1, y1: H / 2, widthPx: 9 });
      let pe2 = 0, pn = 0;
      prof.value.forEach((v, k) => {
        if (!Number.isFinite(v)) return;
        pe2 += (v + delta * A * w * Math.cos((w * prof.x[k] * P_UM * 1e-6) / M)) ** 2;
        pn++;
      });
      const pRms = Math.sqrt(pe2 / pn);
      const fc = rmsDiff(runs.fc, sim.phase.data, true);
      const ls = rmsDiff(runs.ls, sim.phase.data, true);
      console.log(
        `[xpci sim] ${label}: d = ${d.toFixed(2)} m, δ = ${delta.toExponential(3)}, δ·A·w = ${(delta * A * w * 1e6).toFixed(4)} µrad = ${((delta * A * w) / radPerPx).toFixed(3)} px; ` +
          `α_x RMSE vs −δAw·cos(wx) ${(ea.rms * 1e6).toFixed(4)} µrad = ${(ea.rms / radPerPx).toFixed(4)} px (vs the pixel-mean truth ${(et.rms * 1e6).toFixed(4)} µrad) over ${ea.n} px; ` +
          `profile y = ${H / 2} (9 px band, ${pn} points) RMSE ${(pRms * 1e6).toFixed(4)} µrad = ${(pRms / radPerPx).toFixed(4)} px; ` +
          `phase (rms ${fc.ref.toFixed(1)} rad): RMSE FC ${fc.rms.toFixed(3)} rad (${((100 * fc.rms) / fc.ref).toFixed(2)}%), LS ${ls.rms.toFixed(3)} rad (${((100 * ls.rms) / ls.ref).toFixed(2)}%)`,
      );
      expect(ea.n).toBeGreaterThan(0.6 * W * H); // the rest is the tracking margin
      expect(ea.rms / radPerPx).toBeLessThan(0.15); // px
      expect(pRms / radPerPx).toBeLessThan(0.1);
      expect(ea.rms / (delta * A * w)).toBeLessThan(0.05);
      expect(fc.rms / fc.ref).toBeLessThan(0.05);
      expect(ls.rms / ls.ref).toBeLessThan(0.05);
    }, 180_000);
  }
});
