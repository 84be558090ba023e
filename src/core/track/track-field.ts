/**
 * @file `trackField`: the one entry point for measuring a displacement field with any method. For the
 * classical methods (see Note: Kernels and the framework, in types.ts) it validates inputs, builds the
 * grid, runs the tiles in parallel, and returns full-size maps with NaN wherever nothing trustworthy was
 * measured. The CNN methods share the input checks and then go their own way in this process (Note: CNN
 * trackers, cnn.ts), loaded on first use so that classical jobs never load ONNX Runtime.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import type { TaskContext } from '../progress';
import { buildGrid, gridToFull, roiMask, splitTiles } from './grid';
import { CNN_DEFAULT_OPTIONS, DEFAULT_OPTIONS, isCnnMethod, KERNELS } from './kernels';
import { runTiles } from './pool';
import type { AllMethodOptions, AnyTrackMethod, DisplacementField, Roi, TrackMethod } from './types';

export interface TrackRequest<M extends AnyTrackMethod = AnyTrackMethod> {
  method: M;
  /** overrides of the method's defaults (DEFAULT_OPTIONS, CNN_DEFAULT_OPTIONS) */
  options?: Partial<AllMethodOptions[M]>;
  /** grid spacing in px; 1 = dense */
  step: number;
  roi?: Roi;
  /** worker threads; 0 = in this thread; default = all cores */
  threads?: number;
  /** names used in error messages (file names, usually) */
  names?: { ref?: string; def?: string };
}

function checkFinite(img: GreyImage, label: string): void {
  let bad = 0;
  for (let k = 0; k < img.data.length; k++) if (!Number.isFinite(img.data[k])) bad++;
  if (bad) {
    throw new LabError(
      'E_INVALID_INPUT',
      `${label} has ${bad} pixel(s) that are NaN or infinite; tracking needs finite grey values. ` +
        'Replace them (for example by the local mean) before tracking.',
    );
  }
}

export function resolveOptions<M extends AnyTrackMethod>(method: M, overrides?: Partial<AllMethodOptions[M]>): AllMethodOptions[M] {
  if (isCnnMethod(method)) return { ...CNN_DEFAULT_OPTIONS[method], ...(overrides ?? {}) } as AllMethodOptions[M];
  if (!(method in KERNELS)) {
    const known = [...Object.keys(KERNELS), ...Object.keys(CNN_DEFAULT_OPTIONS)].join(', ');
    throw new LabError('E_INVALID_INPUT', `Unknown tracking method "${String(method)}"; use one of ${known}.`);
  }
  return { ...DEFAULT_OPTIONS[method as TrackMethod], ...(overrides ?? {}) } as AllMethodOptions[M];
}

export async function trackField<M extends AnyTrackMethod>(
  refs: GreyImage[],
  defs: GreyImage[],
  req: TrackRequest<M>,
  ctx: TaskContext,
): Promise<DisplacementField> {
  const t0 = performance.now();
  const opts = resolveOptions(req.method, req.options);
  if (refs.length === 0 || refs.length !== defs.length) {
    throw new LabError('E_INVALID_INPUT', `Tracking needs as many reference frames as sample frames (got ${refs.length} and ${defs.length}).`);
  }
  const { width, height } = refs[0];
  const refName = req.names?.ref ?? 'The reference image';
  const defName = req.names?.def ?? 'The deformed image';
  for (const [k, img] of [...refs, ...defs].entries()) {
    if (img.width !== width || img.height !== height) {
      const name = k === 0 ? refName : k < refs.length ? `Reference frame ${k + 1}` : k === refs.length ? defName : `Sample frame ${k - refs.length + 1}`;
      throw new LabError(
        'E_SIZE_MISMATCH',
        `${name} is ${img.width}×${img.height} but ${refName} is ${width}×${height}; both images must have the same size.`,
      );
    }
  }
  refs.forEach((img, k) => checkFinite(img, k === 0 ? refName : `Reference frame ${k + 1}`));
  defs.forEach((img, k) => checkFinite(img, k === 0 ? defName : `Sample frame ${k + 1}`));
  if (isCnnMethod(req.method)) {
    const { trackCnnMethod } = await import('./cnn-method');
    return trackCnnMethod(refs, defs, { ...req, method: req.method, options: opts as never }, ctx);
  }
  const kernel = KERNELS[req.method as TrackMethod];
  kernel.validate(opts as never, width, height);

  const grid = buildGrid(width, height, req.step, kernel.margin(opts as never), req.roi);
  const tiles = splitTiles(grid.spec);
  const tPrep = performance.now();
  const outs = await runTiles(
    { method: req.method as TrackMethod, opts: opts as never, refs, defs, grid: grid.spec, active: grid.active },
    tiles,
    { signal: ctx.signal, progress: ctx.progress.sub(0, 0.95) },
    req.threads,
  );
  const tTrack = performance.now();

  const { nx, ny } = grid.spec;
  const assemble = (pick: (o: (typeof outs)[number]) => Float32Array) => {
    const g = new Float32Array(nx * ny);
    tiles.forEach((t, k) => {
      const src = pick(outs[k]);
      for (let j = 0; j < t.nj; j++) g.set(src.subarray(j * t.ni, (j + 1) * t.ni), (t.j0 + j) * nx + t.i0);
    });
    return g;
  };
  const gridU = assemble((o) => o.u);
  const gridV = assemble((o) => o.v);
  const gridQ = assemble((o) => o.quality);
  const mask = roiMask(req.roi, width, height);
  const full = (g: Float32Array) => gridToFull(g, grid.spec, width, height, mask);
  const extra: Record<string, Float32Array> = {};
  for (const name of kernel.extraOutputs) extra[name] = full(assemble((o) => o.extra[name]));

  let measured = 0;
  let valid = 0;
  for (let k = 0; k < nx * ny; k++) {
    if (!grid.active[k]) continue;
    measured++;
    if (Number.isFinite(gridU[k]) && Number.isFinite(gridV[k])) valid++;
  }
  const messages: string[] = [];
  const share = measured ? valid / measured : 0;
  if (share < 0.5) {
    messages.push(
      `Only ${(100 * share).toFixed(1)}% of the ${measured} points gave a trustworthy measurement; the rest are NaN. ` +
        'The images may be decorrelated (large rotation, strong deformation, a different scene) or the window too small.',
    );
  } else if (share < 0.99) {
    messages.push(`${measured - valid} of ${measured} points (${(100 * (1 - share)).toFixed(1)}%) were rejected and are NaN.`);
  }
  ctx.progress.report(1, 'done');
  return {
    width,
    height,
    method: req.method,
    u: full(gridU),
    v: full(gridV),
    quality: full(gridQ),
    extra,
    grid: grid.spec,
    gridU,
    gridV,
    measured,
    valid,
    messages,
    timingsMs: {
      prepare: Math.round(tPrep - t0),
      track: Math.round(tTrack - tPrep),
      total: Math.round(performance.now() - t0),
    },
  };
}
