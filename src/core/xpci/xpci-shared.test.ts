/**
 * @file The xpci chain on the real X-ray speckle pair of ../shared/data/xpci/tiepy (830×192, big-endian
 * float32, 7 µm pixels, diffuser–detector 3.5 m; no ground truth). The energy is not given with the data:
 * 17 keV is assumed, which scales the phase only (α = u·p/d does not depend on it). UMPA on a 4 px grid;
 * the figures printed are the ones to quote. The plausibility checks: most points valid, the background on
 * the left (x < 120) refracts by well under 1 µrad, the sample (x > 250) by a few µrad with one sign, and
 * the phase falls monotonically across it, as the angle says it must.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED, SHARED_NOTE, sharedPath } from '../../../test/shared-data';
import { quietContext } from '../progress';
import { runXpciTask } from './xpci-task';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-real-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

describe.skipIf(!SHARED)(`xpci on the real tiepy pair ${SHARED_NOTE}`, () => {
  it('UMPA → α, phase, transmission, dark-field with plausible statistics', async () => {
    const out = join(dir, 'tiepy');
    const res = await runXpciTask(
      {
        refPaths: [sharedPath('xpci', 'tiepy', 'reference.tif')],
        samplePaths: [sharedPath('xpci', 'tiepy', 'sample.tif')],
        geometry: { pixelUm: 7, distanceM: 3.5, energyKeV: 17 },
        method: 'umpa',
        options: { window: 11, search: 8 },
        step: 4,
        profile: { x0: 10, y0: 96, x1: 819, y1: 96, widthPx: 9 },
        outDir: out,
      },
      quietContext(),
    );
    const s = res.summary as Record<string, { valid: number; mean: number; std: number; min: number; max: number }> & { validFraction: number };
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    const rows = (await readFile(join(out, 'profile.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => rows[0].indexOf(name);
    const along = (x0: number, x1: number, name: string) =>
      rows.slice(1).filter((r) => Number(r[col('x_px')]) >= x0 && Number(r[col('x_px')]) < x1).map((r) => Number(r[col(name)])).filter(Number.isFinite);
    const bg = median(along(20, 120, 'alpha_x_urad_umpa'));
    const sample = median(along(250, 800, 'alpha_x_urad_umpa'));
    const phase = along(250, 800, 'phase_rad_fc');
    console.log(
      `[xpci tiepy] UMPA window 11, search 8, step 4: valid ${(100 * s.validFraction).toFixed(1)}% of grid points; ` +
        `alpha_x ${s.alpha_x_urad.min.toFixed(1)} … ${s.alpha_x_urad.max.toFixed(1)} µrad (mean ${s.alpha_x_urad.mean.toFixed(2)}, std ${s.alpha_x_urad.std.toFixed(2)}), ` +
        `alpha_y ${s.alpha_y_urad.min.toFixed(1)} … ${s.alpha_y_urad.max.toFixed(1)} µrad (mean ${s.alpha_y_urad.mean.toFixed(2)}, std ${s.alpha_y_urad.std.toFixed(2)}); ` +
        `profile y = 96: median alpha_x background ${bg.toFixed(2)} µrad, sample ${sample.toFixed(2)} µrad; ` +
        `phase range ${(s.phase_rad.max - s.phase_rad.min).toFixed(0)} rad at the assumed 17 keV; ` +
        `transmission ${s.transmission.mean.toFixed(4)} ± ${s.transmission.std.toFixed(4)}, dark-field ${s.darkfield.mean.toFixed(3)} ± ${s.darkfield.std.toFixed(3)}; ` +
        `timings ${JSON.stringify(json.timingsMs)} ms`,
    );
    expect(s.validFraction).toBeGreaterThan(0.9);
    expect(Math.abs(bg)).toBeLessThan(1);
    expect(sample).toBeLessThan(-1);
    expect(sample).toBeGreaterThan(-10);
    // refraction towards −x all across the sample: the phase keeps falling (allowing for noise)
    let falls = 0;
    for (let k = 10; k < phase.length; k += 10) if (phase[k] < phase[k - 10]) falls++;
    expect(falls / Math.floor((phase.length - 10) / 10)).toBeGreaterThan(0.9);
    expect(Math.abs(s.transmission.mean - 1)).toBeLessThan(0.05);
  }, 120_000);
});
