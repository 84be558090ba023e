/**
 * @file Argument parsing and task running shared by the `lab` subcommands: numbers with ranges, W,H
 * sizes, ROIs, the tracker flags (window/search for every tracker; model/passes/symmetry for the CNN ones),
 * and the Ctrl+C + progress-line wrapper.
 * Each parser throws a LabError whose message quotes the flag and the bad text.
 */
import { LabError } from '../core/errors';
import { makeProgress, type TaskContext } from '../core/progress';
import { isCnnMethod } from '../core/track/kernels';
import type { AnyTrackMethod, CnnMethod } from '../core/track/types';
import { UsageError } from './usage-error';

export function intArg(flag: string, s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new LabError('E_INVALID_INPUT', `${flag} "${s}" must be a whole number from ${min} to ${max}.`);
  }
  return v;
}

/** "W,H" (or "N" for a square) in pixels, each side within [min, max]. */
export function sizeArg(flag: string, s: string, min = 16, max = 8192): [number, number] {
  const m = /^(\d+)(?:[,x×](\d+))?$/.exec(s.trim());
  if (!m) throw new LabError('E_INVALID_INPUT', `${flag} "${s}" is not W,H (for example ${flag} 512,512).`);
  const w = Number(m[1]);
  const h = m[2] ? Number(m[2]) : w;
  for (const v of [w, h]) {
    if (v < min || v > max) throw new LabError('E_INVALID_INPUT', `${flag} "${s}": each side must be ${min} to ${max} px.`);
  }
  return [w, h];
}

export function roiArg(s: string | undefined): { x: number; y: number; width: number; height: number } | undefined {
  if (s === undefined) return undefined;
  const parts = s.split(',').map(Number);
  if (parts.length !== 4 || !parts.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new LabError('E_INVALID_INPUT', `--roi "${s}" must be x,y,width,height in whole pixels (for example --roi 100,50,400,300).`);
  }
  const [x, y, width, height] = parts;
  return { x, y, width, height };
}

/** --window / --search / --no-dark-field mapped onto the method's own option names. */
export function trackerOptions(method: string, values: { window?: string; search?: string; noDarkField?: boolean }): Record<string, unknown> {
  const window = intArg('--window', values.window, 3, 401);
  if (window !== undefined && window % 2 === 0) {
    throw new LabError('E_INVALID_INPUT', `--window ${window} must be odd (2M+1) so the window has a centre pixel.`);
  }
  const search = intArg('--search', values.search, 1, 512);
  const options: Record<string, unknown> = {};
  if (window !== undefined) options[method === 'icgn' ? 'subset' : 'window'] = window;
  if (search !== undefined) options.search = search;
  if (method === 'umpa') options.darkField = !values.noDarkField;
  return options;
}

/** CLI values of the tracker flags that `lab track` and `lab xpci` share. */
export interface TrackerFlagValues {
  window?: string;
  search?: string;
  noDarkField?: boolean;
  model?: string;
  passes?: string;
  symmetry?: string;
}

/**
 * --model / --window / --passes / --symmetry mapped onto a CNN method's options (--window: the quality
 * window of cnn-dic and cnn-xst, or cnn+icgn's IC-GN subset); --search does not apply to a CNN.
 */
export function cnnTrackerOptions(method: CnnMethod, values: TrackerFlagValues): Record<string, unknown> {
  if (values.search !== undefined) throw new UsageError(`--search does not apply to ${method}: the model's trained range sets how far it sees`);
  const options: Record<string, unknown> = {};
  if (values.model !== undefined) options.model = values.model;
  // --window 0 (cnn-dic, cnn-xst): no quality map, the field alone
  if (values.window?.trim() === '0' && method !== 'cnn+icgn') return { ...cnnTrackerOptions(method, { ...values, window: undefined }), qualityWindow: 0 };
  const window = intArg('--window', values.window, 3, method === 'cnn+icgn' ? 201 : 101);
  if (window !== undefined && window % 2 === 0) {
    throw new LabError('E_INVALID_INPUT', `--window ${window} must be odd (2M+1) so the window has a centre pixel.`);
  }
  if (window !== undefined) options[method === 'cnn+icgn' ? 'subset' : 'qualityWindow'] = window;
  if (values.passes !== undefined) {
    if (method === 'cnn+icgn') throw new UsageError('--passes applies to cnn-dic and cnn-xst; cnn+icgn refines with IC-GN instead.');
    options.passes = intArg('--passes', values.passes, 1, 5);
  }
  if (values.symmetry !== undefined) {
    if (method === 'cnn+icgn') throw new UsageError('--symmetry applies to cnn-dic and cnn-xst; cnn+icgn refines with IC-GN instead.');
    options.symmetry = intArg('--symmetry', values.symmetry, 1, 8);
  }
  return options;
}

/**
 * Any method's options from the tracker flags: the CNN flags (--model, --passes, --symmetry) are refused
 * for a classical method, then cnnTrackerOptions or trackerOptions maps them.
 */
export function methodTrackerOptions(method: AnyTrackMethod, values: TrackerFlagValues): Record<string, unknown> {
  if (isCnnMethod(method)) return cnnTrackerOptions(method, values);
  for (const flag of ['model', 'symmetry', 'passes'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to the CNN methods only, not to ${method}`);
  }
  return trackerOptions(method, values);
}

/**
 * Runs a long core task from the command line: Ctrl+C cancels it (result folders are atomic, so nothing
 * half-written is left), and a one-line progress display goes to stderr when it is a terminal.
 */
export async function runCliTask<T>(quiet: boolean | undefined, run: (ctx: TaskContext) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const show = !quiet && process.stderr.isTTY;
  const progress = makeProgress((f, msg) => {
    if (show) process.stderr.write(`\r${(f * 100).toFixed(0).padStart(3)}% ${msg ?? ''}`.padEnd(60));
  });
  try {
    return await run({ signal: controller.signal, progress });
  } finally {
    if (show) process.stderr.write('\n');
    process.off('SIGINT', onSigint);
  }
}
