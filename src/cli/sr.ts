/**
 * @file `lab sr --in IMG --scale 2|3|4 [--method usrnet|espcn|fsrcnn|bicubic] [--kernel K] [--noise SIGMA]
 * [--ref HR] --out DIR`: super-resolve one image with the core's `runSrTask` (restore/sr/sr-task.ts), the
 * same job the app runs. Writes sr.tif (the input's bit depth, pixel size divided by the scale),
 * preview.png, kernel.png (USRNet) and result.json into a new folder; a non-empty --out is refused.
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { SR_METHODS, type SrMethod, runSrTask } from '../core/restore/sr/sr-task';
import { intArg, runCliTask } from './args';
import { UsageError } from './usage-error';

export const SR_USAGE = `  lab sr --in IMG --scale 2|3|4 [--method usrnet|espcn|fsrcnn|bicubic] [--kernel K] [--noise SIGMA]
         [--ref HR] [--tile N] --out DIR
      Super-resolution: sr.tif (IMG's bit depth, pixel size / scale), preview.png (bicubic | result),
      kernel.png and result.json (PSNR/SSIM against --ref, which must be scale × IMG's size). usrnet
      (default) takes the blur kernel K: gauss:SIGMA, gauss:S1,S2,THETA, motion:LEN,ANGLE (px, degrees
      counter-clockwise), bicubic:S (default: the scale), kernels12:N (USRNet's 12 kernels; file from
      $LAB_KERNELS12) or a kernel image/CSV file; --noise is the noise std in IMG's grey levels.
      espcn/fsrcnn run the fast net shipped for the scale (bicubic degradation only).`;

export async function runSr(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      in: { type: 'string' },
      scale: { type: 'string' },
      method: { type: 'string', default: 'usrnet' },
      kernel: { type: 'string' },
      noise: { type: 'string' },
      ref: { type: 'string' },
      tile: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.in || !values.out || !values.scale) throw new UsageError('lab sr needs --in, --scale and --out');
  if (!['2', '3', '4'].includes(values.scale.trim())) throw new UsageError(`--scale must be 2, 3 or 4 (got "${values.scale}")`);
  const method = values.method as SrMethod;
  if (!SR_METHODS.includes(method)) throw new UsageError(`--method must be one of ${SR_METHODS.join(', ')} (got "${values.method}")`);
  for (const flag of ['kernel', 'noise'] as const) {
    if (values[flag] !== undefined && method !== 'usrnet') throw new UsageError(`--${flag} applies to --method usrnet only, not to ${method}`);
  }
  if (values.tile !== undefined && method === 'bicubic') throw new UsageError('--tile applies to the network methods only, not to bicubic');
  let noise: number | undefined;
  if (values.noise !== undefined) {
    noise = Number(values.noise);
    if (values.noise.trim() === '' || !(noise >= 0 && Number.isFinite(noise))) {
      throw new LabError('E_INVALID_INPUT', `--noise "${values.noise}" must be a number ≥ 0 (the noise std in the input's grey levels, e.g. 2.55 for 1 % of 8-bit).`);
    }
  }
  const res = await runCliTask(values.quiet, (ctx) =>
    runSrTask(
      {
        inPath: values.in!,
        scale: Number(values.scale),
        method,
        kernel: values.kernel,
        noise,
        refPath: values.ref,
        tile: intArg('--tile', values.tile, 64, 8192),
        outDir: values.out!,
      },
      ctx,
    ),
  );
  for (const m of res.messages) console.error(`lab: note: ${m}`);
  if (res.psnrDb !== null) console.log(`PSNR vs --ref ${res.psnrDb.toFixed(2)} dB (${values.scale} px border cropped)`);
  if (res.provider) console.log(`ran on ${res.provider}`);
  console.log(`wrote ${res.outDir}`);
  for (const f of res.files) console.log(`  ${f.name.padEnd(16)} ${String(f.bytes).padStart(10)} bytes`);
  return 0;
}
