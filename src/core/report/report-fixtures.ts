/**
 * @file Real jobs for the report tests, made with the core itself in a temp folder: a simulated speckle
 * pair ('simulate.pair') tracked with IC-GN on a 4 px grid ('track', its truth found by sha256), an X-ray
 * job ('xpci') on the wave-optics simulator with its truth maps in a separate folder (when the xpci task
 * and simulator are there; otherwise `xpci` is null and `xpciSkipped` says why), and a restoration folder
 * in the shape section-restore.ts expects (a box-blurred speckle image as input, the sharp one as output),
 * standing in until the restore job exists.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage, writeTiffFloat32, type GreyImage } from '../imageio';
import { quietContext } from '../progress';
import { writeResultFolder } from '../results/result-folder';
import { runSimulatePairTask } from '../tasks/simulate-pair-task';
import { runTrackTask } from '../tasks/track-task';

export interface ReportFixtures {
  sim: string;
  track: string;
  xpci: string | null;
  xpciTruth: string | null;
  xpciSkipped?: string;
  restore: string;
}

function boxBlur(img: GreyImage, r: number): GreyImage {
  const { width: w, height: h, data } = img;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0, n = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const xx = Math.min(w - 1, Math.max(0, x + dx)), yy = Math.min(h - 1, Math.max(0, y + dy));
      (s += data[yy * w + xx]), n++;
    }
    out[y * w + x] = s / n;
  }
  return { width: w, height: h, data: out };
}

async function makeXpci(root: string): Promise<Pick<ReportFixtures, 'xpci' | 'xpciTruth' | 'xpciSkipped'>> {
  let task: typeof import('../xpci/xpci-task');
  let sim: typeof import('../xpci/simulate-xpci');
  try {
    task = await import('../xpci/xpci-task');
    sim = await import('../xpci/simulate-xpci');
    if (typeof task.runXpciTask !== 'function' || typeof sim.simulateXpci !== 'function') throw new Error('runXpciTask or simulateXpci is not exported');
  } catch (err) {
    return { xpci: null, xpciTruth: null, xpciSkipped: `the X-ray job is skipped: ${(err as Error).message}` };
  }
  const s = await sim.simulateXpci({ width: 128, height: 96, seed: 2, photons: 20000 }, quietContext());
  const dir = join(root, 'xray');
  const truth = join(root, 'xray-truth');
  await mkdir(dir);
  await mkdir(truth);
  await writeTiffFloat32(join(dir, 'reference.tif'), s.reference);
  await writeTiffFloat32(join(dir, 'sample.tif'), s.sample);
  const maps = { alpha_x: s.alphaX, alpha_y: s.alphaY, u: s.ux, v: s.uy, phase: s.phase, transmission: s.transmission };
  for (const [name, img] of Object.entries(maps)) await writeTiffFloat32(join(truth, `${name}.tif`), img);
  const distanceM = (s.description.options as { distanceM: number }).distanceM;
  await task.runXpciTask(
    {
      refPaths: [join(dir, 'reference.tif')], samplePaths: [join(dir, 'sample.tif')], geometry: { pixelUm: 12, distanceM, energyKeV: 30 },
      options: { window: 11, search: 6 }, step: 2, threads: 0, profile: { x0: 8, y0: 48, x1: 119, y1: 48, widthPx: 3 }, outDir: join(root, 'xpci-job'),
    },
    quietContext(),
  );
  return { xpci: join(root, 'xpci-job'), xpciTruth: truth };
}

/** Makes every fixture job under `root` (an empty temp folder). */
export async function makeReportFixtures(root: string): Promise<ReportFixtures> {
  const sim = join(root, 'pair');
  const track = join(root, 'trk');
  await runSimulatePairTask({ outDir: sim, width: 160, height: 128, speckleSize: 4, noise: 'gauss:2', field: 'sine:1.5,64', seed: 3 }, quietContext());
  await runTrackTask(
    { refPaths: [join(sim, 'reference.tif')], defPaths: [join(sim, 'deformed.tif')], method: 'icgn', step: 4, strainWindow: 5, roi: { x: 8, y: 8, width: 144, height: 112 }, threads: 0, outDir: track },
    quietContext(),
  );
  const sharp = await readImage(join(sim, 'reference.tif'));
  const restore = join(root, 'restore');
  await writeResultFolder(
    restore,
    async (d) => {
      await writeTiffFloat32(join(d, 'input.tif'), boxBlur(sharp, 2));
      await writeTiffFloat32(join(d, 'restored.tif'), sharp);
    },
    (files) => ({
      kind: 'restore', appVersion: 'test', createdAt: new Date().toISOString(), method: 'fixture', task: 'deblur',
      inputs: [{ role: 'input', path: join(sim, 'reference.tif'), name: 'reference.tif', width: sharp.width, height: sharp.height, sha256: 'fixture', pixelSize: null }],
      model: { id: 'fixture-model', sha256: null }, executionProvider: 'cpu', parameters: {},
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  return { sim, track, restore, ...(await makeXpci(root)) };
}
