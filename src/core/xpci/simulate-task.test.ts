/**
 * @file The `simulate xpci` job writes a complete, atomic result folder: every TIFF reads back as the
 * float32 data the simulator produced (with the pixel size), result.json holds the parameters, the
 * angle–displacement relation and the file hashes, and an occupied folder is refused.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../imageio';
import { quietContext } from '../progress';
import { runSimulateXpciTask } from './simulate-task';
import { simulateXpci } from './simulate-xpci';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xpci-task-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runSimulateXpciTask', () => {
  const opts = { width: 64, height: 48, distanceM: 20, photons: 2000, seed: 9, sample: { kind: 'sphere' as const, radiusUm: 200 } };

  it('writes the images, the ground truth and result.json', async () => {
    const out = join(dir, 'run');
    const res = await runSimulateXpciTask({ outDir: out, ...opts }, quietContext());
    const names = res.files.map((f) => f.name).sort();
    expect(names).toEqual(
      ['alpha_x.tif', 'alpha_y.tif', 'phase.tif', 'reference.png', 'reference.tif', 'result.json', 'sample.png', 'sample.tif', 'transmission.tif', 'ux.tif', 'uy.tif'].sort(),
    );
    const sim = await simulateXpci(opts, quietContext());
    for (const [file, img] of [['reference.tif', sim.reference], ['sample.tif', sim.sample], ['ux.tif', sim.ux], ['alpha_y.tif', sim.alphaY], ['phase.tif', sim.phase], ['transmission.tif', sim.transmission]] as const) {
      const back = await readImage(join(out, file));
      expect([back.width, back.height]).toEqual([64, 48]);
      expect(back.meta.sampleType).toBe('float32');
      expect(back.meta.pixelSize?.x).toBeCloseTo(12, 6);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(img.data.buffer))).toBe(true);
    }
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(json.kind).toBe('simulate.xpci');
    expect(json.geometry.radPerPx).toBeCloseTo(12e-6 / 20, 15);
    expect(json.geometry.relation).toMatch(/alpha = u \* pixelM \/ distanceM/);
    expect(json.parameters.sample).toEqual({ kind: 'sphere', radiusUm: 200 });
    expect(json.simulation.truth.maxAbsUxPx).toBeGreaterThan(0);
    expect(json.files.find((f: { name: string }) => f.name === 'ux.tif').sha256).toMatch(/^[0-9a-f]{64}$/);
    console.log(`result folder: ${names.length} files; d = 20 m, max |u| = ${json.simulation.truth.maxAbsUxPx.toFixed(3)} px; warnings: ${json.simulation.warnings.length}`);
  });

  it('refuses an occupied folder and leaves no partial folder behind', async () => {
    const out = join(dir, 'run');
    await expect(runSimulateXpciTask({ outDir: out, ...opts }, quietContext())).rejects.toThrow(/already exists and is not empty/);
    const bad = join(dir, 'bad');
    await expect(runSimulateXpciTask({ outDir: bad, ...opts, oversample: 9 }, quietContext())).rejects.toThrow(/oversampling/);
    await expect(readFile(join(bad, 'result.json'))).rejects.toThrow();
  });
});
