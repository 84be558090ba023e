/**
 * @file `lab deblur --in IMG [--method midnet|nafnet|richardson-lucy] [--ref SHARP] --out DIR`: deblur one
 * SEM image with the core's `runDeblurTask` (restore/deblur/task.ts), the same job the app runs. Writes
 * deblurred.tif (the input's bit depth and pixel size), preview.png and result.json into a new folder;
 * a non-empty --out is refused. CNN methods take `--model ID`, `--tile`, `--overlap`; Richardson–Lucy
 * takes `--sigma` (PSF σ in px, default: estimated) and `--iterations`.
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { DEBLUR_METHODS, type DeblurMethod, type DeblurOptions } from '../core/restore/deblur/index';
import { runDeblurTask } from '../core/restore/deblur/task';
import { intArg, runCliTask } from './args';
import { UsageError } from './usage-error';

export const DEBLUR_USAGE = `  lab deblur --in IMG [--method midnet|nafnet|richardson-lucy] [--ref SHARP] [--model ID] [--tile N]
             [--overlap N] [--sigma S] [--iterations N] [--border N] --out DIR
      Deblurs an SEM image: deblurred.tif (same bit depth and pixel size as IMG), preview.png (input |
      deblurred) and result.json (sharpness of input and output; PSNR/SSIM against --ref, same size, when
      given). midnet (default) and nafnet run the models midnet-s / nafnet-s; richardson-lucy deconvolves
      with a Gaussian PSF of σ --sigma px, estimated from the image when omitted.`;

export async function runDeblur(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      in: { type: 'string' },
      ref: { type: 'string' },
      method: { type: 'string', default: 'midnet' },
      model: { type: 'string' },
      tile: { type: 'string' },
      overlap: { type: 'string' },
      sigma: { type: 'string' },
      iterations: { type: 'string' },
      border: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.in || !values.out) throw new UsageError('lab deblur needs --in and --out');
  const method = values.method as DeblurMethod;
  if (!DEBLUR_METHODS.includes(method)) throw new UsageError(`--method must be one of ${DEBLUR_METHODS.join(', ')} (got "${values.method}")`);
  const cnn = method !== 'richardson-lucy';
  for (const flag of ['model', 'tile', 'overlap'] as const) {
    if (values[flag] !== undefined && !cnn) throw new UsageError(`--${flag} applies to the CNN methods (midnet, nafnet) only, not to ${method}`);
  }
  for (const flag of ['sigma', 'iterations'] as const) {
    if (values[flag] !== undefined && cnn) throw new UsageError(`--${flag} applies to richardson-lucy only, not to ${method}`);
  }
  const options: DeblurOptions = { method };
  if (values.model !== undefined) options.modelId = values.model;
  options.tile = intArg('--tile', values.tile, 64, 8192);
  options.overlap = intArg('--overlap', values.overlap, 4, 1024);
  options.iterations = intArg('--iterations', values.iterations, 1, 1000);
  if (values.sigma !== undefined) {
    const s = Number(values.sigma);
    if (values.sigma.trim() === '' || !(s > 0 && s <= 50)) throw new LabError('E_INVALID_INPUT', `--sigma "${values.sigma}" must be a number of pixels above 0 and at most 50.`);
    options.sigma = s;
  }
  for (const k of Object.keys(options) as (keyof DeblurOptions)[]) if (options[k] === undefined) delete options[k];

  const res = await runCliTask(values.quiet, (ctx) =>
    runDeblurTask(
      { inPath: values.in!, refPath: values.ref, options, border: intArg('--border', values.border, 0, 1000) ?? 0, outDir: values.out! },
      ctx,
    ),
  );
  for (const m of res.messages) console.error(`lab: note: ${m}`);
  const m = res.metrics;
  const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(d) : String(v));
  if (m.reference) {
    console.log(
      `PSNR ${f(m.reference.psnrDb.input)} → ${f(m.reference.psnrDb.output)} dB, SSIM ${f(m.reference.ssim.input, 4)} → ${f(m.reference.ssim.output, 4)} ` +
        `(data range ${m.dataRange})`,
    );
  }
  console.log(`sharpness (Tenengrad) ${m.sharpness.input.tenengrad.toExponential(3)} → ${m.sharpness.output.tenengrad.toExponential(3)}`);
  console.log(`wrote ${res.outDir}`);
  for (const file of res.files) console.log(`  ${file.name.padEnd(16)} ${String(file.bytes).padStart(10)} bytes`);
  return 0;
}
