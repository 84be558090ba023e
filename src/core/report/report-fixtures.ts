/**
 * @file Real jobs for the report tests, made with the core itself in a temp folder: a simulated speckle
 * pair ('simulate.pair') tracked with IC-GN on a 4 px grid ('track', its truth found by sha256), an X-ray
 * job ('xpci') on the wave-optics simulator with its truth maps in a separate folder (when the xpci task
 * and simulator are there; otherwise `xpci` is null and `xpciSkipped` says why), and two real restoration
 * jobs run by the same tasks as `lab deblur` / `lab sr`: an SEM-like 8-bit scene (discs and rectangles,
 * 0.01 µm pixels) blurred by a Gaussian of σ 1.8 px and deblurred by Richardson–Lucy with the sharp scene
 * as reference, and the blurred scene sampled every second pixel, super-resolved ×2 by bicubic
 * interpolation against the same reference.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTiffFloat32 } from '../imageio';
import { encodeTiff8 } from '../imageio/write-tiff';
import { quietContext } from '../progress';
import { gaussianBlur } from '../restore/deblur/richardson-lucy';
import { runDeblurTask } from '../restore/deblur/task';
import { scene } from '../restore/deblur/test-support';
import { runSrTask } from '../restore/sr/sr-task';
import { runSimulatePairTask } from '../tasks/simulate-pair-task';
import { runTrackTask } from '../tasks/track-task';

export interface ReportFixtures {
  sim: string;
  track: string;
  xpci: string | null;
  xpciTruth: string | null;
  xpciSkipped?: string;
  /** Richardson–Lucy deblurring ('deblur') with a sharp reference */
  deblur: string;
  /** bicubic ×2 super-resolution ('super-resolution') with a reference */
  sr: string;
  /** the SEM-like images: sharp reference, blurred input, half-size input */
  sem: { sharp: string; blurry: string; small: string };
}

/** The restoration jobs (Note: Restore result folders, section-restore.ts), made as `lab deblur` / `lab sr` make them. */
export async function makeRestoreFixtures(root: string): Promise<Pick<ReportFixtures, 'deblur' | 'sr' | 'sem'>> {
  const W = 160, H = 128;
  const dir = join(root, 'sem');
  await mkdir(dir, { recursive: true });
  const sharp = scene(W, H, 3);
  const blur = Float32Array.from(await gaussianBlur(sharp, W, H, 1.8), Math.round);
  const small = new Float32Array((W / 2) * (H / 2));
  for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) small[y * (W / 2) + x] = blur[2 * y * W + 2 * x];
  const sem = { sharp: join(dir, 'sharp.tif'), blurry: join(dir, 'blurry.tif'), small: join(dir, 'small.tif') };
  await writeFile(sem.sharp, encodeTiff8({ width: W, height: H, data: sharp }, { pixelSize: { x: 0.01, y: 0.01 } }));
  await writeFile(sem.blurry, encodeTiff8({ width: W, height: H, data: blur }, { pixelSize: { x: 0.01, y: 0.01 } }));
  await writeFile(sem.small, encodeTiff8({ width: W / 2, height: H / 2, data: small }, { pixelSize: { x: 0.02, y: 0.02 } }));
  const deblur = join(root, 'deblur-rl');
  const sr = join(root, 'sr-bicubic');
  await runDeblurTask({ inPath: sem.blurry, refPath: sem.sharp, options: { method: 'richardson-lucy' }, outDir: deblur }, quietContext());
  await runSrTask({ inPath: sem.small, refPath: sem.sharp, scale: 2, method: 'bicubic', outDir: sr }, quietContext());
  return { deblur, sr, sem };
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
  return { sim, track, ...(await makeRestoreFixtures(root)), ...(await makeXpci(root)) };
}
