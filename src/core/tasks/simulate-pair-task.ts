/**
 * @file `simulate pair` as a job: generate a synthetic speckle pair with known displacement and write it
 * as a result folder (reference.tif, deformed.tif, u.tif, v.tif as float32, previews, result.json).
 * Shared by the CLI (`lab simulate pair`) and the compute host op, so both produce identical folders.
 */
import { join } from 'node:path';
import { writePngPreview, writeTiffFloat32 } from '../imageio';
import type { TaskContext } from '../progress';
import { writeResultFolder, type ResultFile } from '../results/result-folder';
import { parseFieldSpec, parseNoiseSpec, simulatePair } from '../synth';
import { appVersion } from '../version';

export interface SimulatePairTaskParams {
  outDir: string;
  width: number;
  height: number;
  speckleSize: number;
  noise: string;
  field: string;
  seed: number;
}

export async function runSimulatePairTask(
  p: SimulatePairTaskParams,
  ctx: TaskContext,
): Promise<{ outDir: string; files: ResultFile[] }> {
  // Parse first: a bad spec must fail before anything touches the disk.
  const noise = parseNoiseSpec(p.noise);
  const field = parseFieldSpec(p.field);
  const t0 = performance.now();
  const pair = await simulatePair(
    { width: p.width, height: p.height, speckleSize: p.speckleSize, noise, field, seed: p.seed },
    { signal: ctx.signal, progress: ctx.progress.sub(0, 0.85) },
  );
  const tGen = performance.now() - t0;
  return writeResultFolder(
    p.outDir,
    async (dir) => {
      const desc = 'speckle-lab synthetic pair; displacement convention I_def(x+u)=I_ref(x), pixels';
      await writeTiffFloat32(join(dir, 'reference.tif'), pair.reference, { description: desc });
      await writeTiffFloat32(join(dir, 'deformed.tif'), pair.deformed, { description: desc });
      ctx.progress.report(0.9, 'writing ground truth');
      await writeTiffFloat32(join(dir, 'u.tif'), pair.u, { description: 'ground truth u (px) on the reference grid' });
      await writeTiffFloat32(join(dir, 'v.tif'), pair.v, { description: 'ground truth v (px) on the reference grid' });
      await writePngPreview(join(dir, 'reference.png'), pair.reference);
      await writePngPreview(join(dir, 'deformed.png'), pair.deformed);
      ctx.progress.report(1, 'done');
    },
    (files) => ({
      kind: 'simulate.pair',
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      parameters: { ...p, outDir: undefined, noise, field },
      simulation: pair.description,
      convention: 'I_def(x + u) = I_ref(x); x = column (right), y = row (down); pixels; float32',
      timingsMs: { generate: Math.round(tGen) },
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
}
