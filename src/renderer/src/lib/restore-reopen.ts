/**
 * @file What the Restoration form held when a result folder was made, read back from its result.json, so a
 * reopened result puts its mode, method and options back in the options panel. The fields come from the
 * core's writers: `deblur` (core/restore/deblur/task.ts: `method`, `parameters.{sigmaPx, sigmaSource,
 * iterations}` for Richardson–Lucy, `inputs[]` with roles blurry / reference) and `super-resolution`
 * (core/restore/sr/sr-task.ts: `method`, `parameters.{scale, kernel.spec, noise.greyLevels}`, `inputs[]` with
 * roles input / reference); both name the restored file in `output.file`.
 */
import type { DeblurMethod, KernelForm, RestoreMode, SrMethod, SrScale } from './restore';
import { DEBLUR_METHODS, SR_METHODS } from './restore';

export interface RestoreRunForm {
  mode: RestoreMode;
  /** deblur mode: the method, and for Richardson–Lucy σ ('' = it was estimated) and iterations as typed */
  deblur: { method: DeblurMethod; sigma: string | null; iterations: string | null } | null;
  /** SR mode: scale and method; kernel and noise only for USRNet (the other methods take none) */
  sr: { scale: SrScale; method: SrMethod; noise: string | null; kernel: Partial<KernelForm> | null } | null;
  /** the image that was restored, and the reference it was scored against (null: none) */
  inPath: string;
  refPath: string | null;
  /** the restored image's file name in the folder */
  outputFile: string;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The kernel form fields of a kernel spec as sr-task records it (synth/kernels.ts parseKernelSpec syntax:
 * gauss:S, gauss:S1,S2,θ, motion:L,A, bicubic:S, kernels12:N, otherwise a file path).
 */
export function kernelFormOfSpec(spec: string): Partial<KernelForm> {
  const m = /^(gauss|motion|bicubic|kernels12):(.*)$/.exec(spec.trim());
  const parts = m ? m[2].split(',').map((t) => t.trim()) : [];
  if (m?.[1] === 'gauss' && parts.length === 1) return { kind: 'gauss', sigma: parts[0] };
  if (m?.[1] === 'gauss' && parts.length === 3) return { kind: 'aniso', sigma1: parts[0], sigma2: parts[1], theta: parts[2] };
  if (m?.[1] === 'motion' && parts.length === 2) return { kind: 'motion', length: parts[0], angle: parts[1] };
  if (m?.[1] === 'bicubic') return { kind: 'bicubic' };
  if (m?.[1] === 'kernels12' && /^\d+$/.test(parts[0] ?? '')) return { kind: 'kernels12', n: Number(parts[0]) };
  return { kind: 'file', file: spec.trim() };
}

/** The form of a restoration's result.json; null when the folder is not a restoration or lacks its input. */
export function restoreFormFromResult(result: Record<string, unknown>): RestoreRunForm | null {
  const kind = result.kind;
  if (kind !== 'deblur' && kind !== 'super-resolution') return null;
  const inputs = Array.isArray(result.inputs) ? result.inputs.map(obj) : [];
  const pathOf = (roles: string[]) => {
    const i = inputs.find((x) => typeof x.role === 'string' && roles.includes(x.role));
    return typeof i?.path === 'string' ? i.path : null;
  };
  const inPath = pathOf(kind === 'deblur' ? ['blurry', 'input'] : ['input']);
  const outputFile = obj(result.output).file;
  if (!inPath || typeof outputFile !== 'string' || !outputFile) return null;
  const common = { inPath, refPath: pathOf(['reference']), outputFile };
  const p = obj(result.parameters);

  if (kind === 'deblur') {
    const method = DEBLUR_METHODS.find((m) => m.id === result.method)?.id;
    if (!method) return null;
    if (method !== 'richardson-lucy') return { mode: 'deblur', deblur: { method, sigma: null, iterations: null }, sr: null, ...common };
    const sigma = num(p.sigmaPx);
    const iterations = num(p.iterations);
    return {
      mode: 'deblur',
      deblur: {
        method,
        // an estimated σ goes back as "estimate" (empty), so running again estimates it again
        sigma: p.sigmaSource === 'given' && sigma !== null ? String(sigma) : '',
        iterations: iterations !== null ? String(iterations) : null,
      },
      sr: null,
      ...common,
    };
  }

  const method = SR_METHODS.find((m) => m.id === result.method)?.id;
  const scale = num(p.scale);
  if (!method || (scale !== 2 && scale !== 3 && scale !== 4)) return null;
  if (method !== 'usrnet') return { mode: 'sr', deblur: null, sr: { scale, method, noise: null, kernel: null }, ...common };
  const spec = obj(p.kernel).spec;
  const noise = num(obj(p.noise).greyLevels);
  return {
    mode: 'sr',
    deblur: null,
    sr: { scale, method, noise: noise !== null ? String(noise) : null, kernel: typeof spec === 'string' ? kernelFormOfSpec(spec) : null },
    ...common,
  };
}
