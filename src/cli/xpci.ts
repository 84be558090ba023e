/**
 * @file `lab xpci --ref R --sample S --pixel-um P --distance-m D --energy-kev E ... --out DIR`: speckle-based
 * X-ray phase contrast from the command line: tracking, refraction angles, phase (and thickness with
 * --delta), UMPA transmission and dark-field, an optional line profile, all in one result folder
 * (core/xpci/xpci-task.ts). Several frames (UMPA multi-frame) are comma-separated lists of equal length.
 * The CNN trackers cnn-xst and cnn+icgn take the same CNN flags as `lab track` (args.ts methodTrackerOptions);
 * cnn-dic is refused (Note: xpci tracking methods, xpci-task.ts).
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import type { XpciGeometry } from '../core/xpci/geometry';
import { isXpciMethod, runXpciTask, XPCI_CNN_DIC_REASON, XPCI_METHODS, type Integrator } from '../core/xpci/xpci-task';
import { intArg, methodTrackerOptions, roiArg, runCliTask } from './args';
import { UsageError } from './usage-error';

export const XPCI_USAGE = `  lab xpci --ref R --sample S --pixel-um P --distance-m D --energy-kev E [--source-m Z]
          [--method umpa|zncc|icgn|cnn-xst|cnn+icgn] [--window N] [--search R] [--step S] [--roi x,y,w,h]
          [--no-dark-field] [--model ID] [--passes N] [--symmetry K] [--delta DELTA] [--integrator fc|ls]
          [--profile x0,y0,x1,y1[,width]] [--threads T] --out DIR
      Refraction angles alpha = u·p/d (alpha_x.tif, alpha_y.tif, rad), differential phase, phase (phase.tif,
      rad, Frankot–Chellappa or least squares), thickness.tif (m, with the decrement --delta), transmission
      and dark-field (UMPA only), profile.csv, previews and result.json. --source-m: source–sample distance
      of a cone beam (omit for a plane wave). cnn-xst: the X-ray speckle network (model cade-xst-s, shifts
      within ±1 px; --passes 1-5, --symmetry 1|4|8, --window = quality window); cnn+icgn: a CNN guess
      refined by IC-GN (--window = subset). --model ID: another manifest model for them. result.json
      records the model and execution provider.`;

function numArg(flag: string, s: string | undefined, unit: string): number | undefined {
  if (s === undefined) return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
    throw new LabError('E_INVALID_INPUT', `${flag} "${s}" is not a number${unit ? ` (${unit})` : ''}; write it like 3.5 or 2e-7.`);
  }
  return Number(s);
}

function listArg(flag: string, s: string, count: number[], example: string): number[] {
  const parts = s.split(',').map((t) => numArg(flag, t, '')!);
  if (!count.includes(parts.length)) throw new LabError('E_INVALID_INPUT', `${flag} "${s}" must be ${example}.`);
  return parts;
}

export async function runXpci(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ref: { type: 'string' },
      sample: { type: 'string' },
      'pixel-um': { type: 'string' },
      'distance-m': { type: 'string' },
      'energy-kev': { type: 'string' },
      'source-m': { type: 'string' },
      method: { type: 'string', default: 'umpa' },
      model: { type: 'string' },
      passes: { type: 'string' },
      symmetry: { type: 'string' },
      window: { type: 'string' },
      search: { type: 'string' },
      step: { type: 'string', default: '1' },
      roi: { type: 'string' },
      'no-dark-field': { type: 'boolean', default: false },
      delta: { type: 'string' },
      integrator: { type: 'string', default: 'fc' },
      profile: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const missing = ['ref', 'sample', 'pixel-um', 'distance-m', 'energy-kev', 'out'].filter((k) => values[k as keyof typeof values] === undefined);
  if (missing.length) throw new UsageError(`lab xpci needs ${missing.map((k) => `--${k}`).join(', ')}`);
  const method = values.method!;
  if (!isXpciMethod(method)) {
    const why = method === 'cnn-dic' ? `; ${XPCI_CNN_DIC_REASON}` : '';
    throw new UsageError(`--method must be one of ${XPCI_METHODS.join(', ')} (got "${method}")${why}`);
  }
  const integrator = values.integrator as Integrator;
  if (integrator !== 'fc' && integrator !== 'ls') throw new UsageError(`--integrator must be fc or ls (got "${values.integrator}")`);
  const geometry: XpciGeometry = {
    pixelUm: numArg('--pixel-um', values['pixel-um'], 'µm')!,
    distanceM: numArg('--distance-m', values['distance-m'], 'm')!,
    energyKeV: numArg('--energy-kev', values['energy-kev'], 'keV')!,
  };
  const sourceM = numArg('--source-m', values['source-m'], 'm');
  if (sourceM !== undefined) geometry.sourceM = sourceM;

  const options = methodTrackerOptions(method, {
    window: values.window,
    search: values.search,
    noDarkField: values['no-dark-field'],
    model: values.model,
    passes: values.passes,
    symmetry: values.symmetry,
  });
  const roi = roiArg(values.roi);
  let profile: { x0: number; y0: number; x1: number; y1: number; widthPx?: number } | undefined;
  if (values.profile !== undefined) {
    const [x0, y0, x1, y1, widthPx] = listArg('--profile', values.profile, [4, 5], 'x0,y0,x1,y1 or x0,y0,x1,y1,width in pixels (for example --profile 10,96,820,96,9)');
    profile = { x0, y0, x1, y1, ...(widthPx !== undefined && { widthPx }) };
  }
  const refPaths = values.ref!.split(',');
  const samplePaths = values.sample!.split(',');
  if (refPaths.length !== samplePaths.length) {
    throw new LabError('E_INVALID_INPUT', `--ref lists ${refPaths.length} frame(s) but --sample lists ${samplePaths.length}; give one sample frame per reference frame.`);
  }

  const res = await runCliTask(values.quiet, (ctx) =>
    runXpciTask(
      {
        refPaths,
        samplePaths,
        geometry,
        method,
        options,
        step: intArg('--step', values.step, 1, 1000)!,
        roi,
        delta: numArg('--delta', values.delta, ''),
        integrator,
        profile,
        threads: intArg('--threads', values.threads, 0, 256),
        outDir: values.out!,
      },
      ctx,
    ),
  );
  for (const m of res.messages) console.error(`lab: note: ${m}`);
  const ax = res.summary.alpha_x_urad as { mean: number; std: number; min: number; max: number };
  console.log(`alpha_x: mean ${ax.mean.toFixed(3)} µrad, std ${ax.std.toFixed(3)} µrad, range ${ax.min.toFixed(2)} … ${ax.max.toFixed(2)} µrad; valid ${(100 * (res.summary.validFraction as number)).toFixed(1)}%`);
  console.log(`wrote ${res.outDir}`);
  for (const f of res.files) console.log(`  ${f.name.padEnd(16)} ${String(f.bytes).padStart(10)} bytes`);
  return 0;
}
