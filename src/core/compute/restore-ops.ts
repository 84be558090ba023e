/**
 * @file The compute host's restoration ops (registered in ops.ts): deblurring and super-resolution run the
 * core's task functions (the same ones `lab deblur` / `lab sr` and the watch engine run, so every caller
 * writes identical result folders), with progress and cancellation through the host's TaskContext; and
 * two small look-ups for the UI: a kernel spec turned into its values, and whether USRNet's 12 standard
 * kernels are available.
 */
import type { TaskContext } from '../progress';
import { runDeblurTask, type DeblurTaskParams } from '../restore/deblur/task';
import { runSrTask, type SrTaskParams } from '../restore/sr/sr-task';
import { bicubicKernel, kernels12Path, loadKernels12, parseKernelSpec, type Kernel } from '../synth/kernels';

export interface KernelPreviewInput {
  kernel: string;
  scale?: number;
}

export interface KernelPreviewOutput {
  width: number;
  height: number;
  values: number[];
  max: number;
  description: string;
}

function preview(k: Kernel): KernelPreviewOutput {
  let max = 0;
  for (const v of k.data) max = Math.max(max, v);
  return { width: k.width, height: k.height, values: Array.from(k.data), max, description: k.description };
}

/** Op `restore.kernelPreview`: the kernel a spec stands for; `bicubic` alone means the scale's bicubic kernel. */
export async function kernelPreviewOp(input: unknown): Promise<KernelPreviewOutput> {
  const { kernel, scale } = input as KernelPreviewInput;
  if (kernel.trim().toLowerCase() === 'bicubic') return preview(bicubicKernel(scale ?? 2));
  return preview(await parseKernelSpec(kernel));
}

/** Op `restore.kernels12`: where kernels_12.mat is and what its kernels are, or why it is unavailable. */
export async function kernels12Op(): Promise<{ available: boolean; path: string | null; reason: string | null; kernels: { n: number; description: string }[] }> {
  const path = kernels12Path();
  if (!path) {
    return { available: false, path: null, reason: 'kernels_12.mat was not found (set LAB_KERNELS12 to the file from the USRNet repository).', kernels: [] };
  }
  try {
    const all = await loadKernels12(path);
    const kinds = (n: number) => (n <= 4 ? 'isotropic Gaussian' : n <= 8 ? 'anisotropic Gaussian' : 'motion');
    return { available: true, path, reason: null, kernels: all.map((_k, i) => ({ n: i + 1, description: kinds(i + 1) })) };
  } catch (err) {
    return { available: false, path, reason: err instanceof Error ? err.message : String(err), kernels: [] };
  }
}

export const restoreOps = {
  'restore.deblur': async (input: unknown, ctx: TaskContext) => runDeblurTask(input as DeblurTaskParams, ctx),
  'restore.sr': async (input: unknown, ctx: TaskContext) => runSrTask(input as SrTaskParams, ctx),
  'restore.kernelPreview': async (input: unknown) => kernelPreviewOp(input),
  'restore.kernels12': async () => kernels12Op(),
};
