/**
 * @file `deblur` as a job: read the image (and an optional sharp reference), deblur it with one method,
 * score it, and write the result folder (deblurred.tif in the input's bit depth with its pixel size,
 * preview.png input | deblurred, result.json). Shared by `lab deblur` and the app's compute host, so both
 * produce identical folders. result.json records the inputs with sha256, the method and its parameters
 * (σ as estimated, the model's normalisation), the model id and sha256 and the execution provider for the
 * CNN methods (null for Richardson–Lucy), versions, timings, and the metrics (Note: Restoration metrics,
 * restore/output.ts): sharpness of input and output always, PSNR/SSIM of both against the reference
 * when one is given, with the data range stated. The input file is only read.
 */
import { LabError } from '../../errors';
import { readImage, type LoadedImage } from '../../imageio';
import type { TaskContext } from '../../progress';
import type { ResultFile } from '../../results/result-folder';
import { describeInput, restorationMetrics, writeRestoreFolder, type RestorationMetrics } from '../output';
import { deblurImage, type DeblurOptions } from './index';

export interface DeblurTaskParams {
  inPath: string;
  /** sharp reference of the same scene and size, for PSNR/SSIM */
  refPath?: string;
  options: DeblurOptions;
  /** pixels left out at each border when scoring (default 0) */
  border?: number;
  outDir: string;
}

export interface DeblurTaskResult {
  outDir: string;
  files: ResultFile[];
  messages: string[];
  metrics: RestorationMetrics;
}

const LABELS: Record<string, string> = { midnet: 'MIDNET', nafnet: 'NAFNET', 'richardson-lucy': 'RICHARDSON-LUCY' };

export async function runDeblurTask(p: DeblurTaskParams, ctx: TaskContext): Promise<DeblurTaskResult> {
  const input = await readImage(p.inPath);
  let ref: LoadedImage | undefined;
  if (p.refPath) {
    ref = await readImage(p.refPath);
    if (ref.width !== input.width || ref.height !== input.height) {
      throw new LabError(
        'E_SIZE_MISMATCH',
        `The reference ${p.refPath} is ${ref.width}×${ref.height} but the image to deblur ${p.inPath} is ${input.width}×${input.height}; the reference must show the same field at the same size.`,
        p.refPath,
      );
    }
  }
  const t0 = performance.now();
  const res = await deblurImage(input, { ...p.options, name: p.options.name ?? p.inPath }, { signal: ctx.signal, progress: ctx.progress.sub(0, 0.9) });
  const t1 = performance.now();
  ctx.progress.report(0.92, 'scoring');
  const metrics = restorationMetrics(input, res, input.meta, ref, { border: p.border ?? 0, refName: p.refPath });
  const messages = [...res.messages];
  if (ref && (ref.meta.sampleType !== input.meta.sampleType || ref.meta.bitsPerSample !== input.meta.bitsPerSample)) {
    messages.push(
      `The reference is ${ref.meta.sampleType} (${ref.meta.bitsPerSample}-bit) but the input is ${input.meta.sampleType} (${input.meta.bitsPerSample}-bit); ` +
        'PSNR/SSIM compare raw values and are meaningful only if both use the same grey scale.',
    );
  }
  const inputs = [await describeInput('blurry', p.inPath, input)];
  if (ref && p.refPath) inputs.push(await describeInput('reference', p.refPath, ref));
  ctx.progress.report(0.95, 'writing results');
  const t2 = performance.now();
  const folder = await writeRestoreFolder(p.outDir, {
    kind: 'deblur',
    imageName: 'deblurred.tif',
    output: res,
    input,
    labels: ['INPUT', LABELS[res.method] ?? res.method.toUpperCase()],
    description: `deblurred (${res.method}${res.model ? `, model ${res.model.id}` : ''}) from ${inputs[0].name}`,
    clippedPixels: res.clippedPixels,
    record: {
      method: res.method,
      parameters: { ...res.parameters, border: p.border ?? 0 },
      inputs,
      model: res.model,
      executionProvider: res.executionProvider,
      providerAttempts: res.providerAttempts,
      psfEstimate: res.psfEstimate,
      metrics,
      messages,
      timingsMs: { ...res.timingsMs, deblur: t1 - t0, metrics: t2 - t1 },
    },
  });
  ctx.progress.report(1, 'done');
  return { outDir: folder.outDir, files: folder.files, messages, metrics };
}
