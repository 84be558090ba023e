/**
 * @file `track` as a job: read the reference and deformed (or sample) images, measure the displacement
 * field with a classical or a CNN method (the CNN's session runs in this process), optionally derive
 * strain, and write the result folder (u.tif, v.tif, quality.tif, method extras, strain maps, preview.png,
 * result.json). Shared by `lab track` and the compute host, so the CLI and the app produce identical
 * folders. result.json also records the model (id, and the sha256 its bytes were verified against) and the
 * execution provider that ran it, for the CNN methods (null for the classical ones).
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LabError } from '../errors';
import { readImage, writeTiffFloat32, type LoadedImage } from '../imageio';
import type { TaskContext } from '../progress';
import { encodeRgbaPng, montage, robustRange } from '../render/colormap';
import { sha256File, writeResultFolder, type ResultFile } from '../results/result-folder';
import { summarise } from '../results/summary';
import { computeStrain } from '../track/strain';
import { resolveOptions, trackField } from '../track/track-field';
import { trackerRoi, type RoiSpec } from '../track/roi-region';
import type { AllMethodOptions, AnyTrackMethod } from '../track/types';
import { appVersion } from '../version';

export interface TrackTaskParams {
  refPaths: string[];
  defPaths: string[];
  method: AnyTrackMethod;
  options?: Partial<AllMethodOptions[AnyTrackMethod]>;
  step: number;
  /** a rectangle or a region of polygons (Note: ROI shapes, in src/shared/contract.ts); recorded as given */
  roi?: RoiSpec;
  /** strain window in px (odd); omitted = no strain */
  strainWindow?: number;
  threads?: number;
  outDir: string;
}

async function readFrames(paths: string[]): Promise<LoadedImage[]> {
  if (paths.length === 0) throw new LabError('E_INVALID_INPUT', 'No input image was given.');
  return Promise.all(paths.map((p) => readImage(p)));
}

export async function runTrackTask(p: TrackTaskParams, ctx: TaskContext): Promise<{ outDir: string; files: ResultFile[]; messages: string[] }> {
  const refs = await readFrames(p.refPaths);
  const defs = await readFrames(p.defPaths);
  const roi = trackerRoi(p.roi, refs[0].width, refs[0].height);
  const field = await trackField(
    refs,
    defs,
    { method: p.method, options: p.options, step: p.step, roi, threads: p.threads, names: { ref: p.refPaths[0], def: p.defPaths[0] } },
    { signal: ctx.signal, progress: ctx.progress.sub(0, 0.85) },
  );
  const strain = p.strainWindow ? computeStrain(field.u, field.v, field.width, field.height, { window: p.strainWindow }) : null;
  const inputs = await Promise.all(
    [...p.refPaths.map((f) => ['reference', f]), ...p.defPaths.map((f) => ['deformed', f])].map(async ([role, f], k) => {
      const img = k < refs.length ? refs[k] : defs[k - refs.length];
      return { role, path: f, name: basename(f), width: img.width, height: img.height, sha256: await sha256File(f), pixelSize: img.meta.pixelSize ?? null };
    }),
  );
  ctx.progress.report(0.9, 'writing results');
  const maps: Record<string, Float32Array> = { u: field.u, v: field.v, quality: field.quality, ...field.extra };
  if (strain) Object.assign(maps, { exx: strain.exx, eyy: strain.eyy, exy: strain.exy });

  const res = await writeResultFolder(
    p.outDir,
    async (dir) => {
      const { width, height } = field;
      for (const [name, data] of Object.entries(maps)) {
        await writeTiffFloat32(join(dir, `${name}.tif`), { width, height, data }, { description: `${name} (${p.method}); NaN = not measured`, pixelSize: refs[0].meta.pixelSize });
      }
      const panel = (data: Float32Array) => ({ values: data, map: 'viridis' as const, range: robustRange(data) });
      const m = montage(width, height, [panel(field.u), panel(field.v)]);
      await writeFile(join(dir, 'preview.png'), encodeRgbaPng(m.width, m.height, m.rgba));
    },
    (files: ResultFile[]) => ({
      kind: 'track',
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      method: p.method,
      parameters: { ...resolveOptions(p.method, p.options), step: p.step, roi: p.roi ?? null, strainWindow: p.strainWindow ?? null },
      convention: 'I_def(x + u) = I_ref(x); x = column (right), y = row (down); pixels; NaN = not measured',
      inputs,
      model: field.modelId ? { id: field.modelId, sha256: field.modelSha256 ?? null } : null,
      executionProvider: field.provider ?? null,
      grid: field.grid,
      points: { measured: field.measured, valid: field.valid },
      summary: Object.fromEntries(Object.entries(maps).map(([k, v]) => [k, summarise(v)])),
      messages: field.messages,
      preview: 'preview.png: u (left) and v (right), viridis, 1st–99th percentile range, dark grey = NaN',
      timingsMs: field.timingsMs,
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  ctx.progress.report(1, 'done');
  return { ...res, messages: field.messages };
}
