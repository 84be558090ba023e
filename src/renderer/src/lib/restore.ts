/**
 * @file Pure helpers of the Restoration workspace: the methods with one-line explanations, the kernel form
 * (Gaussian, anisotropic Gaussian, motion, bicubic, the 12 standard kernels, a file) turned into the text
 * spec the core parses (synth/kernels.ts parseKernelSpec) with validation, the contract parameters of a
 * run, the persisted settings (localStorage `speckle-lab.restore`), the metrics rows of a result, and the
 * pixel-repetition enlargement that puts an SR input on its output's grid.
 */
import { z } from 'zod';
import type { CallInput } from '../../../shared/contract';
import { readVersioned } from './persist';

export type RestoreMode = 'deblur' | 'sr';
export type DeblurMethod = 'midnet' | 'nafnet' | 'richardson-lucy';
export type SrMethod = 'usrnet' | 'fsrcnn' | 'espcn' | 'bicubic';
export type SrScale = 2 | 3 | 4;
export type CompareMode = 'split' | 'side' | 'toggle';
export type KernelKind = 'gauss' | 'aniso' | 'motion' | 'bicubic' | 'kernels12' | 'file';

export interface MethodInfo<M extends string> {
  id: M;
  label: string;
  /** one line for the method picker */
  line: string;
  /** runs an ONNX model (execution provider, model id in the result) */
  model: boolean;
}

export const DEBLUR_METHODS: readonly MethodInfo<DeblurMethod>[] = [
  { id: 'midnet', label: 'MIDNet', line: 'CNN with attention gates trained on SEM images (model midnet-s); no parameters to set.', model: true },
  { id: 'nafnet', label: 'NAFNet', line: 'the same network without attention gates (model nafnet-s): the baseline MIDNet is compared with.', model: true },
  { id: 'richardson-lucy', label: 'Richardson–Lucy', line: 'classical deconvolution with a Gaussian PSF (σ estimated from the image unless given); no model, fast.', model: false },
];

export const SR_METHODS: readonly MethodInfo<SrMethod>[] = [
  { id: 'usrnet', label: 'USRNet', line: 'unfolds the physics (blur kernel, down-sampling, noise) around a learned prior: set the kernel and noise below.', model: true },
  { id: 'fsrcnn', label: 'FSRCNN', line: 'small fast network trained for bicubic down-sampling; no kernel.', model: true },
  { id: 'espcn', label: 'ESPCN', line: 'sub-pixel convolution network for bicubic down-sampling (uses the fast net installed for the scale).', model: true },
  { id: 'bicubic', label: 'Bicubic', line: 'plain bicubic interpolation (MATLAB imresize): the baseline every method is scored against.', model: false },
];

/**
 * The readable name of a restoration method id as result.json writes it (`nafnet` → NAFNet); an id this
 * renderer does not know is shown as it is.
 */
export function restoreMethodLabel(id: string): string {
  return [...DEBLUR_METHODS, ...SR_METHODS].find((m) => m.id === id)?.label ?? id;
}

export const KERNEL_KINDS: readonly { id: KernelKind; label: string; line: string }[] = [
  { id: 'gauss', label: 'Gaussian', line: 'isotropic Gaussian blur of std σ px (on the high-resolution grid)' },
  { id: 'aniso', label: 'Anisotropic Gaussian', line: 'elliptical Gaussian: σ1 along the angle θ, σ2 across it' },
  { id: 'motion', label: 'Motion', line: 'straight-line motion blur of a length in px at an angle (degrees, counter-clockwise)' },
  { id: 'bicubic', label: 'Bicubic', line: 'the kernel that makes blur + down-sampling equal bicubic resizing (the default)' },
  { id: 'kernels12', label: 'Standard kernel 1–12', line: "one of the USRNet paper's 12 test kernels (1–4 Gaussian, 5–8 anisotropic, 9–12 motion)" },
  { id: 'file', label: 'From file', line: 'a kernel image (TIFF/PNG) or CSV table on the back-end machine; normalised to sum 1' },
];

/** Text fields of the kernel form (kept as typed, validated on use). */
export interface KernelForm {
  kind: KernelKind;
  sigma: string;
  sigma1: string;
  sigma2: string;
  theta: string;
  length: string;
  angle: string;
  n: number;
  file: string;
}

export function defaultKernelForm(): KernelForm {
  return { kind: 'gauss', sigma: '1.6', sigma1: '2', sigma2: '1', theta: '30', length: '9', angle: '0', n: 1, file: '' };
}

const num = (t: string) => (t.trim() === '' ? Number.NaN : Number(t));

/** The kernel spec of the form for this scale, or the first mistake (field name + sentence). */
export function kernelSpec(f: KernelForm, scale: SrScale): { spec: string | null; error: string | null; field: string | null } {
  const bad = (field: string, error: string) => ({ spec: null, error, field });
  const pos = (t: string, name: string, field: string, max = 20): number | { spec: null; error: string; field: string } => {
    const v = num(t);
    return v > 0 && v <= max ? v : bad(field, `${name} must be a number above 0 and at most ${max} px.`);
  };
  switch (f.kind) {
    case 'gauss': {
      const s = pos(f.sigma, 'σ', 'sigma');
      return typeof s === 'number' ? { spec: `gauss:${s}`, error: null, field: null } : s;
    }
    case 'aniso': {
      const s1 = pos(f.sigma1, 'σ1', 'sigma1');
      if (typeof s1 !== 'number') return s1;
      const s2 = pos(f.sigma2, 'σ2', 'sigma2');
      if (typeof s2 !== 'number') return s2;
      const th = num(f.theta);
      if (!Number.isFinite(th)) return bad('theta', 'θ must be an angle in degrees.');
      return { spec: `gauss:${s1},${s2},${th}`, error: null, field: null };
    }
    case 'motion': {
      const l = pos(f.length, 'The length', 'length', 60);
      if (typeof l !== 'number') return l;
      const a = num(f.angle);
      if (!Number.isFinite(a)) return bad('angle', 'The angle must be a number of degrees.');
      return { spec: `motion:${l},${a}`, error: null, field: null };
    }
    case 'bicubic':
      return { spec: `bicubic:${scale}`, error: null, field: null };
    case 'kernels12':
      return Number.isInteger(f.n) && f.n >= 1 && f.n <= 12 ? { spec: `kernels12:${f.n}`, error: null, field: null } : bad('n', 'Choose a kernel from 1 to 12.');
    case 'file':
      return f.file.trim() ? { spec: f.file.trim(), error: null, field: null } : bad('file', 'Type the path of the kernel file (image or CSV).');
  }
}

/** Noise σ in grey levels (empty = 0). */
export function parseNoise(t: string): { value: number | null; error: string | null } {
  if (t.trim() === '') return { value: 0, error: null };
  const v = Number(t);
  return v >= 0 && Number.isFinite(v) ? { value: v, error: null } : { value: null, error: 'The noise level must be a number ≥ 0 (std in the image\u2019s grey levels, e.g. 2.55 for 1 % of 8-bit).' };
}

/** Richardson–Lucy options: σ (empty = estimated) and iterations. */
export function parseRlOptions(sigma: string, iterations: string): { options: { sigma?: number; iterations?: number } | null; error: string | null; field: string | null } {
  const options: { sigma?: number; iterations?: number } = {};
  if (sigma.trim() !== '') {
    const s = Number(sigma);
    if (!(s > 0 && s <= 50)) return { options: null, error: 'σ must be a number of pixels above 0 and at most 50 (or empty: estimated from the image).', field: 'sigma' };
    options.sigma = s;
  }
  if (iterations.trim() !== '') {
    const n = Number(iterations);
    if (!Number.isInteger(n) || n < 1 || n > 1000) return { options: null, error: 'Iterations must be a whole number from 1 to 1000.', field: 'iterations' };
    options.iterations = n;
  }
  return { options, error: null, field: null };
}

// ---------- settings ----------

export const SETTINGS_KEY = 'speckle-lab.restore';
export const SETTINGS_VERSION = 1;
export const RECENT_MAX = 10;

const KernelFormSchema = z
  .object({
    kind: z.enum(['gauss', 'aniso', 'motion', 'bicubic', 'kernels12', 'file']),
    sigma: z.string(),
    sigma1: z.string(),
    sigma2: z.string(),
    theta: z.string(),
    length: z.string(),
    angle: z.string(),
    n: z.number().int().min(1).max(12),
    file: z.string(),
  })
  .catch(() => defaultKernelForm());

export const RestoreSettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).catch(SETTINGS_VERSION),
  mode: z.enum(['deblur', 'sr']).catch('deblur'),
  inPath: z.string().catch(''),
  refPath: z.string().catch(''),
  recent: z.array(z.string()).catch(() => []),
  deblur: z
    .object({ method: z.enum(['midnet', 'nafnet', 'richardson-lucy']), sigma: z.string(), iterations: z.string() })
    .catch(() => ({ method: 'midnet' as const, sigma: '', iterations: '30' })),
  sr: z
    .object({ scale: z.union([z.literal(2), z.literal(3), z.literal(4)]), method: z.enum(['usrnet', 'fsrcnn', 'espcn', 'bicubic']), noise: z.string(), kernel: KernelFormSchema })
    .catch(() => ({ scale: 2 as const, method: 'usrnet' as const, noise: '0', kernel: defaultKernelForm() })),
  compare: z.enum(['split', 'side', 'toggle']).catch('split'),
  /** split position, 0–1 of the stage width */
  split: z.number().min(0).max(1).catch(0.5),
});
export type RestoreSettings = z.infer<typeof RestoreSettingsSchema>;

export function defaultSettings(): RestoreSettings {
  return RestoreSettingsSchema.parse({});
}

export function loadSettings(storage: Pick<Storage, 'getItem'> | null): RestoreSettings {
  return RestoreSettingsSchema.parse(readVersioned(storage, SETTINGS_KEY, SETTINGS_VERSION));
}

export function saveSettings(storage: Pick<Storage, 'setItem'> | null, s: RestoreSettings): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(s));
  } catch {
    // storage full or disabled: settings simply are not remembered
  }
}

export function withRecent(list: readonly string[], path: string): string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, RECENT_MAX);
}

// ---------- run parameters ----------

export type DeblurCall = CallInput<'restore.deblur'>['params'];
export type SrCall = CallInput<'restore.sr'>['params'];

/** Contract parameters of a run from the settings, or why it cannot run (the form's first mistake). */
export function runParams(
  s: RestoreSettings,
  inPath: string,
  refPath: string | null,
): { mode: 'deblur'; params: DeblurCall; error: null } | { mode: 'sr'; params: SrCall; error: null } | { mode: RestoreMode; params: null; error: string } {
  const ref = refPath ? { refPath } : {};
  if (s.mode === 'deblur') {
    const m = s.deblur.method;
    if (m === 'richardson-lucy') {
      const o = parseRlOptions(s.deblur.sigma, s.deblur.iterations);
      if (!o.options) return { mode: 'deblur', params: null, error: o.error! };
      return { mode: 'deblur', params: { inPath, ...ref, method: m, options: o.options }, error: null };
    }
    return { mode: 'deblur', params: { inPath, ...ref, method: m, options: {} }, error: null };
  }
  const p: SrCall = { inPath, ...ref, scale: s.sr.scale, method: s.sr.method };
  if (s.sr.method === 'usrnet') {
    const k = kernelSpec(s.sr.kernel, s.sr.scale);
    if (!k.spec) return { mode: 'sr', params: null, error: k.error! };
    const n = parseNoise(s.sr.noise);
    if (n.value === null) return { mode: 'sr', params: null, error: n.error! };
    p.kernel = k.spec;
    p.noise = n.value;
  }
  return { mode: 'sr', params: p, error: null };
}

export function newTaskId(now = Date.now(), random = Math.random()): string {
  return `restore-${now.toString(36)}-${Math.floor(random * 36 ** 6).toString(36).padStart(6, '0')}`;
}

// ---------- result ----------

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** What the metrics panel shows, read from result.json exactly as written. */
export interface MetricsView {
  /** PSNR/SSIM against the reference; null without one */
  reference: null | { psnrIn: number | null; psnrOut: number | null; ssimIn: number | null; ssimOut: number | null; inputLabel: string };
  dataRange: number | null;
  dataRangeSource: string;
  border: number;
  sharpnessIn: number | null;
  sharpnessOut: number | null;
  lapVarIn: number | null;
  lapVarOut: number | null;
  provider: string | null;
  models: string[];
  method: string;
  timeMs: number | null;
  note: string | null;
}

export function metricsView(result: Record<string, unknown>): MetricsView {
  const m = obj(result.metrics);
  const ref = m.reference ? obj(m.reference) : null;
  const sh = obj(m.sharpness);
  const si = obj(sh.input);
  const so = obj(sh.output);
  const sr = result.kind === 'super-resolution';
  const models: string[] = [];
  if (result.model && typeof result.model === 'object') models.push(String(obj(result.model).id ?? ''));
  if (Array.isArray(result.models)) for (const x of result.models) models.push(String(obj(x).id ?? ''));
  const t = obj(result.timingsMs);
  const provider = typeof result.executionProvider === 'string' ? result.executionProvider : typeof result.provider === 'string' ? result.provider : null;
  return {
    reference: ref
      ? {
          psnrIn: n(obj(ref.psnrDb).input),
          psnrOut: n(obj(ref.psnrDb).output),
          ssimIn: n(obj(ref.ssim).input),
          ssimOut: n(obj(ref.ssim).output),
          inputLabel: sr ? 'bicubic' : 'input',
        }
      : null,
    dataRange: n(m.dataRange),
    dataRangeSource: typeof m.dataRangeSource === 'string' ? m.dataRangeSource : '',
    border: n(m.border) ?? 0,
    sharpnessIn: n(si.tenengrad),
    sharpnessOut: n(so.tenengrad),
    lapVarIn: n(si.laplacianVariance),
    lapVarOut: n(so.laplacianVariance),
    provider,
    models: models.filter(Boolean),
    method: typeof result.method === 'string' ? result.method : '',
    timeMs: n(t.total) ?? n(t.deblur),
    note: typeof m.note === 'string' ? m.note : null,
  };
}

/** `data` (w×h) enlarged s times by pixel repetition: every input pixel becomes an s×s block. */
export function enlarge(data: Float32Array, width: number, height: number, s: number): Float32Array {
  if (s === 1) return data;
  const W = width * s;
  const out = new Float32Array(W * height * s);
  for (let y = 0; y < height; y++) {
    const row = new Float32Array(W);
    for (let x = 0; x < width; x++) row.fill(data[y * width + x], x * s, x * s + s);
    for (let k = 0; k < s; k++) out.set(row, (y * s + k) * W);
  }
  return out;
}

/** Scale of a result: output width / input width when it is a whole number ≥ 1, else 1. */
export function scaleOf(inW: number, outW: number, inH: number, outH: number): number {
  const s = outW / inW;
  return Number.isInteger(s) && s >= 1 && outH === inH * s ? s : 1;
}

/** Fixed-point text of a metric, `—` for null. */
export function fmt(v: number | null, digits: number): string {
  return v === null ? '—' : v.toFixed(digits);
}

/** Sharpness (Tenengrad) in scientific notation, `—` for null. */
export function fmtSci(v: number | null): string {
  return v === null ? '—' : v.toExponential(3);
}
