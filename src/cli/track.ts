/**
 * @file `lab track --ref R --def D --method zncc|umpa|icgn|cnn-dic|cnn-xst|cnn+icgn ... --out DIR`. Several
 * frames (UMPA multi-frame) are given as comma-separated lists of equal length to --ref and --def. The CNN
 * methods take `--model ID` (a manifest model id) and run the network in this process; for them --window is
 * the quality window (cnn-dic, cnn-xst) or the IC-GN subset (cnn+icgn), and --search does not apply.
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { runTrackTask } from '../core/tasks/track-task';
import { ALL_TRACK_METHODS } from '../core/track/kernels';
import type { AnyTrackMethod } from '../core/track/types';
import { intArg, methodTrackerOptions, roiArg, runCliTask } from './args';
import { UsageError } from './usage-error';

export async function runTrack(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ref: { type: 'string' },
      def: { type: 'string' },
      method: { type: 'string', default: 'icgn' },
      model: { type: 'string' },
      passes: { type: 'string' },
      symmetry: { type: 'string' },
      window: { type: 'string' },
      search: { type: 'string' },
      step: { type: 'string', default: '1' },
      roi: { type: 'string' },
      'strain-window': { type: 'string' },
      subpixel: { type: 'string' },
      'no-dark-field': { type: 'boolean', default: false },
      threads: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.ref || !values.def || !values.out) throw new UsageError('lab track needs --ref, --def and --out');
  const method = values.method as AnyTrackMethod;
  if (!ALL_TRACK_METHODS.includes(method)) throw new UsageError(`--method must be one of ${ALL_TRACK_METHODS.join(', ')} (got "${values.method}")`);
  const options = methodTrackerOptions(method, { ...values, noDarkField: values['no-dark-field'] });
  if (method === 'zncc' && values.subpixel) {
    if (!['gaussian', 'newton'].includes(values.subpixel)) throw new LabError('E_INVALID_INPUT', `--subpixel must be gaussian or newton (got "${values.subpixel}").`);
    options.subpixel = values.subpixel;
  }
  const refPaths = values.ref.split(',');
  const defPaths = values.def.split(',');
  if (refPaths.length !== defPaths.length) {
    throw new LabError('E_INVALID_INPUT', `--ref lists ${refPaths.length} frame(s) but --def lists ${defPaths.length}; give one sample frame per reference frame.`);
  }
  const strainWindow = intArg('--strain-window', values['strain-window'], 3, 401);

  const res = await runCliTask(values.quiet, (ctx) =>
    runTrackTask(
      {
        refPaths,
        defPaths,
        method,
        options,
        step: intArg('--step', values.step, 1, 1000)!,
        roi: roiArg(values.roi),
        strainWindow,
        threads: intArg('--threads', values.threads, 0, 256),
        outDir: values.out!,
      },
      ctx,
    ),
  );
  for (const m of res.messages) console.error(`lab: note: ${m}`);
  console.log(`wrote ${res.outDir}`);
  for (const f of res.files) console.log(`  ${f.name.padEnd(16)} ${String(f.bytes).padStart(10)} bytes`);
  return 0;
}
