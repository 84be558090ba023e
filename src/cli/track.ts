/**
 * @file `lab track --ref R --def D --method zncc|umpa|icgn|cnn-dic|cnn-xst|cnn+icgn ... --out DIR`. Several
 * frames (UMPA multi-frame) are given as comma-separated lists of equal length to --ref and --def. The CNN
 * methods take `--model ID` (a manifest model id) and run the network in this process; for them --window is
 * the quality window (cnn-dic, cnn-xst) or the IC-GN subset (cnn+icgn), and --search does not apply.
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { makeProgress } from '../core/progress';
import { runTrackTask } from '../core/tasks/track-task';
import { ALL_TRACK_METHODS, isCnnMethod } from '../core/track/kernels';
import type { AnyTrackMethod } from '../core/track/types';
import { UsageError } from './usage-error';

function intArg(flag: string, s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) throw new LabError('E_INVALID_INPUT', `${flag} "${s}" must be a whole number from ${min} to ${max}.`);
  return v;
}

function roiArg(s: string | undefined) {
  if (s === undefined) return undefined;
  const parts = s.split(',').map(Number);
  if (parts.length !== 4 || !parts.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new LabError('E_INVALID_INPUT', `--roi "${s}" must be x,y,width,height in whole pixels (for example --roi 100,50,400,300).`);
  }
  const [x, y, width, height] = parts;
  return { x, y, width, height };
}

export async function runTrack(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ref: { type: 'string' },
      def: { type: 'string' },
      method: { type: 'string', default: 'icgn' },
      model: { type: 'string' },
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
  const window = intArg('--window', values.window, 3, 401);
  if (window !== undefined && window % 2 === 0) throw new LabError('E_INVALID_INPUT', `--window ${window} must be odd (2M+1) so the window has a centre pixel.`);
  const search = intArg('--search', values.search, 1, 512);
  const options: Record<string, unknown> = {};
  if (values.model !== undefined && !isCnnMethod(method)) throw new UsageError(`--model applies to the CNN methods only, not to ${method}`);
  if (isCnnMethod(method)) {
    if (search !== undefined) throw new UsageError(`--search does not apply to ${method}: the model's trained range sets how far it sees`);
    if (values.model !== undefined) options.model = values.model;
    if (window) options[method === 'cnn+icgn' ? 'subset' : 'qualityWindow'] = window;
  } else if (method === 'icgn') Object.assign(options, window && { subset: window }, search && { search });
  else Object.assign(options, window && { window }, search && { search });
  if (method === 'zncc' && values.subpixel) {
    if (!['gaussian', 'newton'].includes(values.subpixel)) throw new LabError('E_INVALID_INPUT', `--subpixel must be gaussian or newton (got "${values.subpixel}").`);
    options.subpixel = values.subpixel;
  }
  if (method === 'umpa') options.darkField = !values['no-dark-field'];
  const refPaths = values.ref.split(',');
  const defPaths = values.def.split(',');
  if (refPaths.length !== defPaths.length) {
    throw new LabError('E_INVALID_INPUT', `--ref lists ${refPaths.length} frame(s) but --def lists ${defPaths.length}; give one sample frame per reference frame.`);
  }
  const strainWindow = intArg('--strain-window', values['strain-window'], 3, 401);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const show = !values.quiet && process.stderr.isTTY;
  const progress = makeProgress((f, msg) => show && process.stderr.write(`\r${(f * 100).toFixed(0).padStart(3)}% ${msg ?? ''}`.padEnd(60)));
  try {
    const res = await runTrackTask(
      {
        refPaths,
        defPaths,
        method,
        options,
        step: intArg('--step', values.step, 1, 1000)!,
        roi: roiArg(values.roi),
        strainWindow,
        threads: intArg('--threads', values.threads, 0, 256),
        outDir: values.out,
      },
      { signal: controller.signal, progress },
    );
    if (show) process.stderr.write('\n');
    for (const m of res.messages) console.error(`lab: note: ${m}`);
    console.log(`wrote ${res.outDir}`);
    for (const f of res.files) console.log(`  ${f.name.padEnd(16)} ${String(f.bytes).padStart(10)} bytes`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
