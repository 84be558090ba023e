/**
 * @file Rules files: which images in the watched folder make which job. A rules file is JSON,
 * `{ "version": 1, "rules": [...] }`, each rule one of
 *   pair   — reference and sample matched by equal index: `ref_(\d+)\.tif` ↔ `sample_(\d+)\.tif`;
 *   series — frames ordered by index against one reference: a fixed reference file (X-ray flat speckle
 *            reference), the first frame (DIC), or the previous frame (incremental, n−1 → n);
 *   single — every matching image is one job (info, deblur, super-resolution).
 * `track` takes every method `lab track` does: the classical zncc, umpa, icgn and the CNN trackers cnn-dic,
 * cnn-xst, cnn+icgn (their options are CNN_DEFAULT_OPTIONS', checked by the CNN method's own validator);
 * `xpci` takes the methods its task runs (xpci/xpci-task.ts XPCI_METHODS: umpa, zncc, icgn, cnn-xst, cnn+icgn;
 * not cnn-dic, Note: xpci tracking methods), with the same option checks as track rules.
 * The format is described for users in resources/rules/README.md; keep the two in step.
 * Validation reports every mistake at once, one line each, as `JSON.path: what is expected (got ...)`,
 * because a rules file is edited by hand at the instrument and a one-error-at-a-time loop is painful.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors';
import { validateIcgnRefinement } from '../track/cnn-icgn';
import { validateCnnOptions } from '../track/cnn-method';
import { CNN_DEFAULT_OPTIONS, DEFAULT_OPTIONS, isCnnMethod, KERNELS } from '../track/kernels';
import type { AnyTrackMethod } from '../track/types';
import { XPCI_CNN_DIC_REASON, XPCI_METHODS } from '../xpci/xpci-task';

/** Task names that validate but have no implementation in this version (none now; the dispatcher fails such jobs with a clear reason). */
export const RESERVED_TASKS: readonly string[] = [];
/** Placeholders an `output` name may use; {job} is required so that every job gets its own folder. */
export const OUTPUT_PLACEHOLDERS = ['rule', 'index', 'name', 'ref', 'dir', 'job'] as const;

const Pattern = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression (${(err as Error).message})` });
  }
});
/** A pattern whose first capture group (or a group named "index") is the frame/pair index. */
const IndexPattern = Pattern.refine((s) => { try { return new RegExp(`${s}|`).exec('')!.length > 1; } catch { return true; } }, {
  message: 'needs a capture group for the index, e.g. "sample_(\\d+)\\.tif"',
});
const Int = (min: number, max: number) => z.number().int().min(min).max(max);
const Roi = z.strictObject({ x: Int(0, 1e6), y: Int(0, 1e6), width: Int(1, 1e6), height: Int(1, 1e6) });
/** What the xpci task runs (xpci-task.ts XPCI_METHODS); cnn-dic is refused with its reason. */
const Method = z.enum(XPCI_METHODS, {
  error: (iss) => (iss.input === 'cnn-dic' ? `${XPCI_CNN_DIC_REASON}; expected ${XPCI_METHODS.map((m) => `"${m}"`).join(', ')}` : undefined),
});
/** What the track task runs (`lab track --method`): the classical kernels and the CNN trackers. */
const TrackMethod = z.enum(['zncc', 'umpa', 'icgn', 'cnn-dic', 'cnn-xst', 'cnn+icgn']);
/**
 * The CNN trackers that measure every pixel whatever the grid step (cnn.ts: "the grid step N was not
 * used"); cnn+icgn's step is the grid of its IC-GN refinement, as icgn's.
 */
const DENSE_METHODS: readonly string[] = ['cnn-dic', 'cnn-xst'];
/** The default grid step of a track rule: 1 for the dense CNN methods, 8 for the others. */
export function defaultTrackStep(method: string): number {
  return DENSE_METHODS.includes(method) ? 1 : 8;
}
const Options = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

const TrackTask = z
  .strictObject({
    kind: z.literal('track'),
    /** zncc, umpa, icgn, or a CNN tracker: cnn-dic (dicnet-s, DIC ±16 px), cnn-xst (cade-xst-s, X-ray speckle ±1 px), cnn+icgn */
    method: TrackMethod,
    /** method options (window/subset, search, ...; CNN: model, tile, overlap, passes, ...); omitted ones take the method's defaults */
    options: Options.optional(),
    /** grid step in px; default 8, and 1 for cnn-dic and cnn-xst, which measure every pixel (only 1 is allowed there) */
    step: Int(1, 1024).optional(),
    roi: Roi.optional(),
    /** strain window in px (odd); omitted = no strain maps */
    strainWindow: Int(3, 401).refine((n) => n % 2 === 1, 'must be odd').optional(),
  })
  .transform((t) => ({ ...t, step: t.step ?? defaultTrackStep(t.method) }));
/** X-ray phase contrast (xpci/xpci-task.ts): tracking, then refraction angles, phase and attenuation signals. */
const XpciTask = z.strictObject({
  kind: z.literal('xpci'),
  /** tracking method: umpa (default), zncc, icgn, cnn-xst (cade-xst-s, X-ray speckle ±1 px) or cnn+icgn; not cnn-dic */
  method: Method.optional(),
  /** method options, as in track rules (CNN: model, tile, overlap, passes, ...) */
  options: Options.optional(),
  /** grid step in px, default 1 (cnn-xst measures every pixel: only 1 is allowed there) */
  step: Int(1, 1024).optional(),
  roi: Roi.optional(),
  geometry: z.strictObject({
    /** detector pixel pitch, µm */
    pixelUm: z.number().positive(),
    /** sample-to-detector distance, m */
    distanceM: z.number().positive(),
    /** photon energy, keV */
    energyKeV: z.number().positive(),
    /** source-to-sample distance for a cone beam, m; omitted = plane wave */
    sourceM: z.number().positive().optional(),
  }),
  /** refractive-index decrement of the sample material: adds thickness.tif */
  delta: z.number().positive().optional(),
  /** phase integrator: Frankot–Chellappa (default) or least squares */
  integrator: z.enum(['fc', 'ls']).optional(),
  /** line profile in detector pixels */
  profile: z.strictObject({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number(), widthPx: Int(1, 1000).optional() }).optional(),
});
const InfoTask = z.strictObject({ kind: z.literal('info'), preview: z.boolean().default(true) });
/** SEM deblurring (restore/deblur/task.ts): the same options as `lab deblur`. */
const DeblurTask = z.strictObject({
  kind: z.literal('deblur'),
  /** midnet (default), nafnet, or richardson-lucy (classical, no model) */
  method: z.enum(['midnet', 'nafnet', 'richardson-lucy']).default('midnet'),
  /** richardson-lucy: Gaussian PSF σ in px; omitted = estimated from each image */
  sigma: z.number().gt(0).max(50).optional(),
  /** richardson-lucy: iterations (default 30) */
  iterations: Int(1, 1000).optional(),
  /** CNN methods: model id (default midnet-s / nafnet-s), largest tile side and tile overlap in px */
  model: z.string().min(1).optional(),
  tile: Int(64, 8192).optional(),
  overlap: Int(4, 1024).optional(),
});
/** Super-resolution (restore/sr/sr-task.ts): the same options as `lab sr`. */
const srShape = {
  scale: z.union([z.literal(2), z.literal(3), z.literal(4)], { error: 'expected 2, 3 or 4' }),
  /** usrnet (default), fsrcnn, espcn or bicubic */
  method: z.enum(['usrnet', 'fsrcnn', 'espcn', 'bicubic']).default('usrnet'),
  /** usrnet: blur kernel (gauss:S, gauss:S1,S2,THETA, motion:LEN,ANGLE, bicubic:S, kernels12:N, or a kernel file) */
  kernel: z.string().min(1).optional(),
  /** usrnet: noise std in the image's grey levels */
  noise: z.number().min(0).optional(),
  tile: Int(64, 8192).optional(),
};
const SrTask = z.strictObject({ kind: z.literal('super-resolution'), ...srShape });
/** `sr` is accepted as a short name of `super-resolution`. */
const SrShortTask = z.strictObject({ kind: z.literal('sr'), ...srShape });
export const TaskSchema = z.discriminatedUnion('kind', [TrackTask, XpciTask, InfoTask, DeblurTask, SrTask, SrShortTask], {
  error: `expected "track", "xpci", "info", "deblur" or "super-resolution" (or "sr")`,
});

const common = {
  /** used in output folder names and logs; letters, digits, - and _ */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _ (at most 64), starting with a letter or digit').optional(),
  description: z.string().optional(),
  /** output folder name template, e.g. "{rule}_{index}_job{job}" */
  output: z.string().min(1).optional(),
  /** patterns ignore letter case (default true: instruments write .TIF and .tif alike) */
  ignoreCase: z.boolean().default(true),
  task: TaskSchema,
};
const PairRule = z.strictObject({ type: z.literal('pair'), reference: IndexPattern, sample: IndexPattern, ...common });
const SeriesRule = z.strictObject({
  type: z.literal('series'),
  mode: z.enum(['fixed-reference', 'first-frame', 'incremental']),
  /** fixed-reference mode: the reference file's name pattern */
  reference: Pattern.optional(),
  frames: IndexPattern,
  /** first-frame mode: the reference frame's index (default: the lowest index in the folder) */
  referenceIndex: Int(0, Number.MAX_SAFE_INTEGER).optional(),
  ...common,
});
const SingleRule = z.strictObject({ type: z.literal('single'), match: Pattern, ...common });
/**
 * The method's own option checks (the kernel's `validate` as trackField runs them; for the CNN trackers
 * `validateCnnOptions`, and cnn+icgn's IC-GN settings by IC-GN's `validate`) on a rule's options
 * over the defaults, so that a rule that every job would fail on is refused when it is written. The
 * image size is not known yet, so it is taken as unbounded: checks that depend on it (window plus search
 * larger than the image) still happen when a job runs. Each option is checked alone over the defaults,
 * to name the option at fault and report every bad one at once; then all together.
 */
function methodOptionMistakes(method: AnyTrackMethod, options: Record<string, unknown>): { option?: string; message: string }[] {
  const check = (opts: Record<string, unknown>): string | null => {
    try {
      if (isCnnMethod(method)) {
        const all = { ...CNN_DEFAULT_OPTIONS[method], ...opts } as Record<string, unknown>;
        validateCnnOptions(method, all);
        // the IC-GN refinement's own checks, as trackCnnIcgn runs them before the network
        if (method === 'cnn+icgn') validateIcgnRefinement(all as never, Infinity, Infinity);
      } else {
        KERNELS[method].validate({ ...DEFAULT_OPTIONS[method], ...opts } as never, Infinity, Infinity);
      }
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const out: { option?: string; message: string }[] = [];
  for (const [k, v] of Object.entries(options)) {
    const message = check({ [k]: v });
    if (message) out.push({ option: k, message });
  }
  if (out.length === 0) {
    const message = check(options);
    if (message) out.push({ message });
  }
  return out;
}

const Rule = z
  .discriminatedUnion('type', [PairRule, SeriesRule, SingleRule], { error: 'expected "pair", "series" or "single"' })
  .superRefine((r, ctx) => {
    const two = r.task.kind === 'track' || r.task.kind === 'xpci';
    if (r.type === 'single' && two) {
      ctx.addIssue({ code: 'custom', path: ['task', 'kind'], message: `"${r.task.kind}" needs a reference and a sample image; use a "pair" or "series" rule` });
    }
    if (r.type !== 'single' && !two) {
      ctx.addIssue({ code: 'custom', path: ['task', 'kind'], message: `"${r.task.kind}" takes one image per job; use a "single" rule` });
    }
    if (r.type === 'series' && (r.mode === 'fixed-reference') !== (r.reference !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['reference'], message: r.mode === 'fixed-reference' ? 'required in "fixed-reference" mode: the reference file name pattern' : `only allowed in "fixed-reference" mode (mode "${r.mode}" takes its reference from the frames)` });
    }
    if (r.type === 'series' && r.referenceIndex !== undefined && r.mode !== 'first-frame') {
      ctx.addIssue({ code: 'custom', path: ['referenceIndex'], message: 'only allowed in "first-frame" mode' });
    }
    if (r.task.kind === 'deblur' && r.task.method !== 'richardson-lucy') {
      for (const k of ['sigma', 'iterations'] as const) {
        if (r.task[k] !== undefined) ctx.addIssue({ code: 'custom', path: ['task', k], message: `applies to method "richardson-lucy" only, not to "${r.task.method}"` });
      }
    }
    if (r.task.kind === 'deblur' && r.task.method === 'richardson-lucy') {
      for (const k of ['model', 'tile', 'overlap'] as const) {
        if (r.task[k] !== undefined) ctx.addIssue({ code: 'custom', path: ['task', k], message: 'applies to the CNN methods (midnet, nafnet) only, not to "richardson-lucy"' });
      }
    }
    if ((r.task.kind === 'super-resolution' || r.task.kind === 'sr') && r.task.method !== 'usrnet') {
      for (const k of ['kernel', 'noise'] as const) {
        if (r.task[k] !== undefined) ctx.addIssue({ code: 'custom', path: ['task', k], message: `applies to method "usrnet" only; "${r.task.method}" assumes bicubic down-sampling` });
      }
    }
    if (r.task.kind === 'track' || r.task.kind === 'xpci') {
      const method: AnyTrackMethod = r.task.method ?? 'umpa'; // xpci's default
      const defaults = (isCnnMethod(method) ? CNN_DEFAULT_OPTIONS[method] : DEFAULT_OPTIONS[method]) as unknown as Record<string, unknown>;
      const allowed = Object.keys(defaults);
      const typed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r.task.options ?? {})) {
        const want = typeof defaults[k];
        if (!allowed.includes(k)) ctx.addIssue({ code: 'custom', path: ['task', 'options', k], message: `not an option of ${method}; expected one of ${allowed.join(', ')}` });
        else if (typeof v !== want) ctx.addIssue({ code: 'custom', path: ['task', 'options', k], message: `expected a ${want}` });
        else typed[k] = v;
      }
      for (const m of methodOptionMistakes(method, typed)) {
        const who = r.name ? `rule "${r.name}": ` : '';
        ctx.addIssue({ code: 'custom', path: ['task', 'options', ...(m.option ? [m.option] : [])], message: `${who}${m.message}` });
      }
    }
    if ((r.task.kind === 'track' || r.task.kind === 'xpci') && DENSE_METHODS.includes(r.task.method ?? 'umpa') && (r.task.step ?? 1) !== 1) {
      ctx.addIssue({ code: 'custom', path: ['task', 'step'], message: `${r.task.method} measures every pixel (grid step 1); remove "step" or set it to 1` });
    }
    if (r.output !== undefined) {
      const used = [...r.output.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
      const bad = used.filter((u) => !(OUTPUT_PLACEHOLDERS as readonly string[]).includes(u));
      if (bad.length) ctx.addIssue({ code: 'custom', path: ['output'], message: `unknown placeholder {${bad[0]}}; expected ${OUTPUT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` });
      if (!used.includes('job')) ctx.addIssue({ code: 'custom', path: ['output'], message: 'must contain {job}, so that every job gets its own result folder' });
      if (/[/\\:]/.test(r.output) || r.output.startsWith('.')) {
        ctx.addIssue({ code: 'custom', path: ['output'], message: 'is one folder name: no "/", "\\" or ":", and not starting with "."' });
      }
    }
  });

export const RulesFileSchema = z
  .strictObject({
    version: z.literal(1, { error: 'expected 1 (the only rules format version this app reads)' }),
    description: z.string().optional(),
    rules: z.array(Rule).min(1, 'expected at least one rule'),
  })
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.rules.forEach((r, i) => {
      const name = ruleName(r, i);
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `"${name}" is already the name of rules[${seen.get(name)}]; names must be unique` });
      seen.set(name, i);
    });
  });

export type RulesFile = z.output<typeof RulesFileSchema>;
export type Rule = RulesFile['rules'][number];
export type TaskSpec = Rule['task'];

export function ruleName(r: { name?: string }, i: number): string {
  return r.name ?? `rule${i + 1}`;
}

/** `rules[0].task.method` from zod's path array. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(top level)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Checks parsed JSON; returns the rules or the mistakes, one line each. */
export function validateRules(json: unknown): { ok: true; rules: RulesFile } | { ok: false; mistakes: string[] } {
  const r = RulesFileSchema.safeParse(json);
  if (r.success) return { ok: true, rules: r.data };
  const mistakes = r.error.issues.map((i) => {
    const got = valueAt(json, i.path);
    const show = i.code === 'invalid_value' || i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_format';
    const gotText = show && got !== undefined ? ` (got ${JSON.stringify(got)?.slice(0, 60)})` : '';
    return `${jsonPath(i.path)}: ${i.message}${gotText}`;
  });
  return { ok: false, mistakes: [...new Set(mistakes)] };
}

/** Reads and validates a rules file; LabError E_NOT_FOUND / E_INVALID_INPUT naming the file and every mistake. */
export async function loadRules(path: string): Promise<RulesFile> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The rules file ${file} does not exist.`, file);
    throw new LabError('E_IO', `The rules file ${file} cannot be read (${code ?? (err as Error).message}).`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad on Windows likes to add a BOM
  } catch (err) {
    throw new LabError('E_INVALID_INPUT', `The rules file ${file} is not valid JSON: ${(err as Error).message}.`, file);
  }
  const v = validateRules(json);
  if (v.ok) return v.rules;
  const n = v.mistakes.length;
  throw new LabError(
    'E_INVALID_INPUT',
    `The rules file ${file} has ${n} mistake${n > 1 ? 's' : ''}:\n${v.mistakes.map((m) => `  ${m}`).join('\n')}`,
    file,
  );
}
