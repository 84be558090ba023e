/**
 * @file `simulate xpci` as a job: run the wave-optics speckle simulator and write a result folder —
 * reference.tif and sample.tif (photons, float32), the ground truth alpha_x.tif, alpha_y.tif (rad),
 * ux.tif, uy.tif (px), phase.tif (rad), transmission.tif, PNG previews of the two images, and
 * result.json. result.json carries the simulator's full description plus, at the top level, the
 * angle–displacement relation (`geometry`) that the phase-retrieval side must use to turn tracked
 * displacements into angles (Note: Angle–displacement relation in simulate-setup.ts).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LabError } from '../errors';
import { writePngPreview, writeTiffFloat32 } from '../imageio';
import type { TaskContext } from '../progress';
import { type ResultFile, writeResultFolder } from '../results/result-folder';
import { appVersion } from '../version';
import type { XpciSimOptions } from './simulate-setup';
import { simulateXpci } from './simulate-xpci';

export interface SimulateXpciTaskParams extends XpciSimOptions {
  outDir: string;
}

/** The truth files: name, result key, ImageDescription text. */
const TRUTH_FILES = [
  ['alpha_x.tif', 'alphaX', 'ground truth refraction angle alpha_x (rad), pixel mean, on the reference grid'],
  ['alpha_y.tif', 'alphaY', 'ground truth refraction angle alpha_y (rad), pixel mean, on the reference grid'],
  ['ux.tif', 'ux', 'ground truth speckle displacement u (px), I_sample(x+u)=I_ref(x), u = alpha*d/p'],
  ['uy.tif', 'uy', 'ground truth speckle displacement v (px), I_sample(x+u)=I_ref(x), v = alpha_y*d/p'],
  ['phase.tif', 'phase', 'ground truth sample phase -k*delta*t (rad), pixel mean'],
  ['transmission.tif', 'transmission', 'ground truth sample intensity transmission exp(-2k*beta*t), pixel mean'],
] as const;

export interface SimulateXpciTaskResult {
  outDir: string;
  files: ResultFile[];
  /** the simulator's description, as written to result.json under "simulation" */
  description: Record<string, unknown>;
}

/** Fails before the (long) simulation when the folder is already taken; writeResultFolder checks again. */
async function checkOutDir(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch {
    return; // absent (or not readable as a folder: writeResultFolder reports it)
  }
  if (names.length > 0) {
    throw new LabError('E_INVALID_INPUT', `The output folder ${resolve(outDir)} already exists and is not empty; nothing was overwritten. Choose a new folder.`, resolve(outDir));
  }
}

export async function runSimulateXpciTask(p: SimulateXpciTaskParams, ctx: TaskContext): Promise<SimulateXpciTaskResult> {
  const { outDir, ...opts } = p;
  await checkOutDir(outDir);
  const t0 = performance.now();
  const sim = await simulateXpci(opts, { signal: ctx.signal, progress: ctx.progress.sub(0, 0.85) });
  const tGen = performance.now() - t0;
  const d = sim.description as { options: Record<string, unknown>; geometry: Record<string, unknown> };
  const pixelUm = d.options.pixelUm as number;
  const pixelSize = { x: pixelUm, y: pixelUm };
  const written = await writeResultFolder(
    outDir,
    async (dir) => {
      const note = 'speckle-lab X-ray speckle simulation (wave optics); photons per pixel; convention I_sample(x+u)=I_ref(x)';
      await writeTiffFloat32(join(dir, 'reference.tif'), sim.reference, { description: `${note}; reference = diffuser only`, pixelSize });
      await writeTiffFloat32(join(dir, 'sample.tif'), sim.sample, { description: `${note}; sample = diffuser + sample`, pixelSize });
      ctx.progress.report(0.9, 'writing ground truth');
      for (const [name, key, text] of TRUTH_FILES) await writeTiffFloat32(join(dir, name), sim[key], { description: text, pixelSize });
      await writePngPreview(join(dir, 'reference.png'), sim.reference);
      await writePngPreview(join(dir, 'sample.png'), sim.sample);
      ctx.progress.report(1, 'done');
    },
    (files) => ({
      kind: 'simulate.xpci',
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      parameters: d.options,
      convention: 'I_sample(x + u) = I_ref(x); x = column (right), y = row (down); u in px; angles in rad; float32',
      geometry: {
        relation: 'alpha = u * pixelM / distanceM (rad per px = pixelM / distanceM), independent of the magnification',
        pixelUm,
        distanceM: d.options.distanceM,
        sourceM: d.options.sourceM,
        magnification: d.geometry.magnification,
        energyKeV: d.options.energyKeV,
        radPerPx: d.geometry.radPerPx,
      },
      simulation: sim.description,
      timingsMs: { generate: Math.round(tGen) },
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  return { ...written, description: sim.description };
}
