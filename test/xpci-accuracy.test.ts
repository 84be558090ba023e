/**
 * @file Issue figure: the paper's PMMA sine phantom (b = 1000 µm, A = 800 µm, w = 1.33e-3 µm⁻¹, 30 keV,
 * 12 µm pixels) through the wave-optics simulator, then every classical tracker through the X-ray chain.
 * Reports, per method, the α_x error against the analytic −δ·A·w·cos(w·x) in µrad and the displacement
 * error in px against the simulator's truth. The seed paper reports displacement RMSE 0.0410 (CNN), 0.0437
 * (UMPA) and 0.0430 px (ZNCC); the simulator chooses d so the phantom moves the speckle by about 2 px.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeTiffFloat32 } from '../src/core/imageio';
import { fieldErrors, formatTable } from '../src/core/metrics';
import { quietContext } from '../src/core/progress';
import { simulateXpci, type XpciSimResult } from '../src/core/xpci/simulate-xpci';
import { runXpciTask } from '../src/core/xpci/xpci-task';
import type { TrackMethod } from '../src/core/track/types';

let dir: string;
let sim: XpciSimResult;
let distanceM: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-acc-'));
  sim = await simulateXpci({ seed: 3 }, quietContext());
  distanceM = (sim.description.options as { distanceM: number }).distanceM;
  await writeTiffFloat32(join(dir, 'reference.tif'), sim.reference);
  await writeTiffFloat32(join(dir, 'sample.tif'), sim.sample);
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sine phantom through the X-ray chain, every method', () => {
  it('IC-GN beats the paper, ZNCC and UMPA are reported beside it', async () => {
    const rows: Record<string, string | number>[] = [];
    const rmse: Record<string, number> = {};
    const runs: [TrackMethod, Record<string, number>][] = [
      ['icgn', { subset: 21 }],
      ['zncc', { window: 21, search: 4 }],
      ['umpa', { window: 21, search: 4 }],
      ['umpa', { window: 11, search: 4 }],
    ];
    for (const [method, options] of runs) {
      const outDir = join(dir, `${method}-${Object.values(options)[0]}`);
      await runXpciTask(
        { refPaths: [join(dir, 'reference.tif')], samplePaths: [join(dir, 'sample.tif')], geometry: { pixelUm: 12, distanceM, energyKeV: 30 }, method, options, step: 2, outDir },
        quietContext(),
      );
      const [u, v, ax] = await Promise.all(['u', 'v', 'alpha_x'].map((n) => readImage(join(outDir, `${n}.tif`))));
      const e = fieldErrors({ u: u.data, v: v.data }, { u: sim.ux.data, v: sim.uy.data });
      const ea = fieldErrors({ u: ax.data, v: ax.data }, { u: sim.alphaX.data, v: sim.alphaX.data });
      const label = `${method} ${Object.entries(options).map(([k, val]) => `${k} ${val}`).join(', ')}`;
      rmse[label] = e.rmse.u;
      rows.push({ method: label, 'u RMSE px': e.rmse.u, 'u bias px': e.bias.u, 'v RMSE px': e.rmse.v, 'α_x RMSE µrad': ea.rmse.u * 1e6, valid: `${e.nValid}/${e.n}` });
      expect(e.nValid / e.n).toBeGreaterThan(0.7);
    }
    console.log(`\nSine phantom, d = ${distanceM.toFixed(1)} m, 512×256, 10 000 photons/px\n${formatTable(rows)}`);
    expect(rmse['icgn subset 21']).toBeLessThan(0.041);
    expect(rmse['zncc window 21, search 4']).toBeLessThan(0.06);
  }, 600_000);
});
