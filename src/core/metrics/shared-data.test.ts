/**
 * @file Sanity checks of the DIC Challenge ground truth in ../shared/data (skipped, saying so, where it is
 * absent): Sample 14's truth.csv parses, has one row per image column, a sine of amplitude 0.1 px as the
 * README says, and exx equal to ∂u/∂x in microstrain; the Star images have the 2000 × 501 geometry the
 * Star metrics assume. Tracking accuracy on these images is asserted by the tracker tests, with these
 * functions.
 */
import { describe, expect, it } from 'vitest';
import { SHARED, SHARED_NOTE, sharedPath } from '../../../test/shared-data';
import { readImage } from '../imageio';
import { profileErrors } from './profile';
import { STAR } from './star';
import { formatTable } from './table';
import { parseTruthCsv, type TruthLevel } from './truth-csv';

describe.skipIf(!SHARED)(`DIC Challenge ground truth ${SHARED_NOTE}`, () => {
  it('sample14/truth.csv: one row per column, u a sine of amplitude 0.1 px, exx = ∂u/∂x in µε', async () => {
    const t = await parseTruthCsv(sharedPath('dic', 'sample14', 'truth.csv'));
    const ref = await readImage(sharedPath('dic', 'sample14', 'reference.tif'));
    console.log(`truth.csv: ${t.rows} rows; reference ${ref.width} × ${ref.height}`);
    expect([ref.width, ref.height]).toEqual([2048, 589]);
    expect(t.rows).toBe(ref.width);
    const sample = [0, 101, 500, 1000, 1500, 2047];
    console.log(`\n${formatTable(sample.map((x) => ({ x, u_L1: t.u.L1[x], exx_L1: t.exx.L1[x], u_L3: t.u.L3[x], exx_L3: t.exx.L3[x], u_L5: t.u.L5[x], exx_L5: t.exx.L5[x] })))}`);
    for (const L of ['L1', 'L3', 'L5'] as TruthLevel[]) {
      const u = t.u[L];
      const exx = t.exx[L];
      let amp = 0;
      let maxStrain = 0;
      for (let x = 0; x < t.rows; x++) {
        amp = Math.max(amp, Math.abs(u[x]));
        maxStrain = Math.max(maxStrain, Math.abs(exx[x]));
      }
      // Central difference of u against exx, away from the start of the sine (x ≈ 101) and the ends; the
      // 3-digit values of u_L3 at x = 716 and 1332 (truth-csv.ts) put L3's worst case near 17 µε.
      let worst = 0;
      for (let x = 110; x < t.rows - 1; x++) worst = Math.max(worst, Math.abs(((u[x + 1] - u[x - 1]) / 2) * 1e6 - exx[x]));
      const bins = profileErrors(u, u, { bins: 8, truthStrain: exx }).bins;
      console.log(`${L}: max |u| ${amp} px, max |exx| ${maxStrain} µε, worst |Δu/Δx·1e6 − exx| ${worst.toFixed(2)} µε; local period per 256 columns: ${bins.map((b) => b.period.toFixed(0)).join(', ')} px`);
      expect(amp).toBeCloseTo(0.1, 4);
      expect(worst).toBeLessThan(0.01 * maxStrain);
      for (let x = 0; x < 100; x++) expect(u[x]).toBe(0); // the sine starts near x = 101
      // The frequency rises with x: local periods fall from bin to bin over the second half.
      const p = bins.slice(4).map((b) => b.period);
      for (let i = 1; i < p.length; i++) expect(p[i]).toBeLessThan(p[i - 1]);
    }
  });

  it('star images are 2000 × 501, the geometry of the Star truth', async () => {
    for (const set of ['star-noisy', 'star-noiseless']) {
      for (const name of ['reference.tif', 'deformed.tif']) {
        const img = await readImage(sharedPath('dic', set, name));
        console.log(`${set}/${name}: ${img.width} × ${img.height}, ${img.meta.sampleType}`);
        expect([img.width, img.height]).toEqual([STAR.width, STAR.height]);
      }
    }
  });
});
