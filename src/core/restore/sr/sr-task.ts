/**
 * @file `super-resolution` as a job, shared by `lab sr` and the app's compute host: read the image (and an
 * optional high-resolution reference), build the blur kernel, super-resolve by 2, 3 or 4 with USRNet, a
 * fast net or bicubic, and write the result folder atomically:
 *   sr.tif       the input's bit depth (restore/output.ts, Note: Restored output type), pixel size / s
 *   preview.png  bicubic-upscaled input | SR output, one grey mapping (restore/preview.ts)
 *   kernel.png   the blur kernel USRNet used, enlarged (synth/kernels.ts), when a kernel was used
 *   result.json  inputs with sha256, parameters, kernel, models with sha256, provider, timings, metrics
 * Metrics: PSNR/SSIM against --ref (which must be exactly s times the input's size) with s px cropped
 * from each border, as SR papers do, for the output and for the bicubic baseline ("input" in the
 * metrics block is the bicubic-upscaled input, so every result shows what the method gained over it).
 */
import { join } from 'node:path';
import { LabError } from '../../errors';
import { readImage, type LoadedImage } from '../../imageio';
import { writeFileAtomic } from '../../imageio/atomic';
import type { GreyImage } from '../../imageio/types';
import type { TaskContext } from '../../progress';
import { writeResultFolder, type ResultFile } from '../../results/result-folder';
import { type Kernel, parseKernelSpec, writeKernelPng } from '../../synth/kernels';
import { appVersion } from '../../version';
import { describeInput, fitToType, restorationMetrics, restoreVersions, writeRestoredTiff } from '../output';
import { encodeSideBySide } from '../preview';
import { providerFallbackNote } from '../../infer/provider-notes';
import { imresizeBicubic } from './bicubic';
import { type FastFamily, openFastSr, runFastSr } from './fast';
import { openUsrnet, usrnetSuperResolve } from './usrnet';

export const SR_METHODS = ['usrnet', 'espcn', 'fsrcnn', 'bicubic'] as const;
export type SrMethod = (typeof SR_METHODS)[number];
export const SR_SCALES = [2, 3, 4] as const;

export interface SrTaskParams {
  inPath: string;
  scale: number;
  method: SrMethod;
  /** kernel text form (synth/kernels.ts parseKernelSpec); USRNet only; default `bicubic:S` */
  kernel?: string;
  /** noise std in the input's grey levels; USRNet only; default 0 */
  noise?: number;
  refPath?: string;
  outDir: string;
  modelsDir?: string;
  providers?: string[];
  /** prior tile side on the output grid (USRNet) or input tile side (fast nets) */
  tile?: number;
}

export interface SrTaskResult {
  outDir: string;
  files: ResultFile[];
  messages: string[];
  provider: string | null;
  psnrDb: number | null;
}

const toF32 = (d: ArrayLike<number>) => Float32Array.from(d as ArrayLike<number>);

export async function runSrTask(p: SrTaskParams, ctx: TaskContext): Promise<SrTaskResult> {
  const t0 = performance.now();
  if (!SR_METHODS.includes(p.method)) throw new LabError('E_INVALID_INPUT', `The super-resolution method "${p.method}" is not one of ${SR_METHODS.join(', ')}.`);
  if (!(SR_SCALES as readonly number[]).includes(p.scale)) throw new LabError('E_INVALID_INPUT', `The scale ${p.scale} must be 2, 3 or 4.`);
  const s = p.scale;
  const usesKernel = p.method === 'usrnet';
  if (!usesKernel && p.kernel !== undefined) {
    throw new LabError('E_INVALID_INPUT', `A blur kernel applies to --method usrnet only; ${p.method} assumes bicubic down-sampling.`);
  }
  if (!usesKernel && p.noise !== undefined && p.noise !== 0) {
    throw new LabError('E_INVALID_INPUT', `A noise level applies to --method usrnet only, not to ${p.method}.`);
  }
  const input = await readImage(p.inPath);
  const ref: LoadedImage | null = p.refPath ? await readImage(p.refPath) : null;
  if (ref && (ref.width !== input.width * s || ref.height !== input.height * s)) {
    throw new LabError(
      'E_SIZE_MISMATCH',
      `The reference "${p.refPath}" is ${ref.width}×${ref.height} but the ×${s} result of "${p.inPath}" (${input.width}×${input.height}) is ${input.width * s}×${input.height * s}; give the high-resolution image of the same scene at exactly ${s}× the input size.`,
      p.refPath,
    );
  }
  const kernel: Kernel | null = usesKernel ? await parseKernelSpec(p.kernel ?? `bicubic:${s}`) : null;
  const tRead = performance.now();
  ctx.progress.report(0.02, 'read');

  const bic = imresizeBicubic(input.data, input.width, input.height, s);
  const bicubic: GreyImage = { width: bic.width, height: bic.height, data: toF32(bic.data) };
  const messages: string[] = [];
  const models: { id: string; sha256: string; task: string }[] = [];
  let provider: string | null = null;
  let out: GreyImage;
  let details: Record<string, unknown> = {};
  const label = `"${p.inPath}"`;
  const work = ctx.progress.sub(0.03, 0.9);
  if (p.method === 'usrnet') {
    const m = await openUsrnet({ modelsDir: p.modelsDir, providers: p.providers });
    const r = await usrnetSuperResolve(m, input, input.meta, kernel!, s, p.noise ?? 0, { signal: ctx.signal, progress: work }, { tile: p.tile, label });
    out = { width: r.width, height: r.height, data: r.data };
    provider = r.provider;
    models.push(...[m.prior.entry, m.hypa.entry].map((e) => ({ id: e.id, sha256: e.sha256, task: e.task })));
    details = {
      iterations: r.alphas.length,
      alphas: r.alphas,
      betas: r.betas,
      noise: { greyLevels: p.noise ?? 0, unitScale: r.sigma01 },
      normalisation: r.applied,
      tilesPerIteration: r.tilesPerIteration,
      timingsMs: { dataStep: Math.round(r.timingsMs.dataStep), prior: Math.round(r.timingsMs.prior) },
    };
    const fallback = providerFallbackNote('USRNet', provider, m.prior.created.tried);
    if (fallback) messages.push(fallback);
  } else if (p.method === 'bicubic') {
    out = bicubic;
  } else {
    const m = await openFastSr(p.method as FastFamily, s, { modelsDir: p.modelsDir, providers: p.providers });
    if (!m.entry.id.startsWith(p.method)) messages.push(`--method ${p.method}: no ${p.method} net for ×${s} is installed; used the fast net "${m.entry.id}" instead.`);
    const r = await runFastSr(m, input, input.meta, s, { signal: ctx.signal, progress: work }, { tile: p.tile, label });
    out = { width: r.width, height: r.height, data: r.data };
    provider = r.provider;
    const fallback = providerFallbackNote(`Model "${m.entry.id}"`, provider, m.created.tried);
    if (fallback) messages.push(fallback);
    models.push({ id: m.entry.id, sha256: m.entry.sha256, task: m.entry.task });
    details = { normalisation: r.applied, tiles: r.tiles };
  }
  const tInfer = performance.now();
  ctx.progress.report(0.92, 'writing results');

  const fitted = fitToType(out.data, input.meta);
  const output: GreyImage = { width: out.width, height: out.height, data: fitted.data };
  const bicFitted: GreyImage = { ...bicubic, data: fitToType(bicubic.data, input.meta).data };
  const metrics = restorationMetrics(bicFitted, output, input.meta, ref ?? undefined, { border: s, refName: p.refPath });
  const ps = input.meta.pixelSize;
  const pixelSize = ps ? { x: ps.x / s, y: ps.y / s } : null;
  const inputs = [await describeInput('input', p.inPath, input)];
  if (ref) inputs.push(await describeInput('reference', p.refPath!, ref));
  let written: Awaited<ReturnType<typeof writeRestoredTiff>> | null = null;

  const res = await writeResultFolder(
    p.outDir,
    async (dir) => {
      written = await writeRestoredTiff(join(dir, 'sr.tif'), output, input.meta, {
        pixelSize,
        description: `super-resolution ×${s} (${p.method}${models.length ? `: ${models.map((m) => m.id).join(' + ')}` : ''}) of ${input.meta.format} ${p.inPath}`,
      });
      await writeFileAtomic(join(dir, 'preview.png'), encodeSideBySide(bicFitted, output, { labels: [`BICUBIC X${s}`, `${p.method.toUpperCase()} X${s}`] }));
      if (kernel) await writeKernelPng(join(dir, 'kernel.png'), kernel);
    },
    (files: ResultFile[]) => ({
      kind: 'super-resolution',
      appVersion: appVersion(),
      versions: restoreVersions(),
      createdAt: new Date().toISOString(),
      method: p.method,
      parameters: {
        scale: s,
        kernel: kernel ? { spec: p.kernel ?? `bicubic:${s}`, description: kernel.description, width: kernel.width, height: kernel.height } : null,
        degradation: kernel ? 'y = (x ⊗ k)↓s + n: circular convolution with k, then every s-th pixel from (0, 0)' : 'bicubic down-sampling (MATLAB imresize)',
        ...details,
      },
      inputs,
      models,
      provider,
      messages,
      metrics: { ...metrics, note: `"input" = the bicubic-upscaled input (baseline); ${s} px cropped from each border` },
      timingsMs: { read: Math.round(tRead - t0), superResolve: Math.round(tInfer - tRead), total: Math.round(performance.now() - t0) },
      output: {
        file: 'sr.tif',
        width: output.width,
        height: output.height,
        sampleType: written!.kind,
        bitsPerSample: written!.bitsPerSample,
        pixelSize: written!.pixelSize,
        clippedPixels: fitted.clipped,
        note: 'integer inputs: clipped to the type range and rounded; float inputs: float32, unclipped',
      },
      preview: 'preview.png: bicubic-upscaled input (left) | super-resolved (right), one linear grey mapping: the left panel\'s min–max',
      kernelPreview: kernel ? 'kernel.png: the blur kernel, each kernel pixel a square block, black = 0, white = its maximum' : null,
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  ctx.progress.report(1, 'done');
  return { outDir: res.outDir, files: res.files, messages, provider, psnrDb: metrics.reference?.psnrDb.output ?? null };
}
