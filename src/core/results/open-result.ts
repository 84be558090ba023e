/**
 * @file Reads a result folder back (history, re-open, reports): result.json plus every float32 map in it,
 * so a result looks exactly as it did when it was written. Only files listed in result.json are read.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LabError, toLabError } from '../errors';
import { readImage } from '../imageio';
import { summarise } from './summary';

export interface ResultMap {
  name: string;
  width: number;
  height: number;
  unit: string;
  data: Float32Array;
  stats: { min: number; max: number; mean: number; std: number; valid: number };
}

/** Units of the maps the trackers and the X-ray chain write, by file stem. */
const UNITS: Record<string, string> = {
  u: 'px', v: 'px', ux: 'px', uy: 'px', quality: '1', iterations: '1', transmission: '1', darkfield: '1',
  exx: '1', eyy: '1', exy: '1', alpha_x: 'rad', alpha_y: 'rad', phase: 'rad', thickness: 'm',
  reference: 'grey', deformed: 'grey', sample: 'grey',
};

/**
 * @param wanted which maps to read, by name without .tif (default every one). A report reads only what it
 * shows, and none at all to check a folder, so a big job's unused maps never take memory.
 */
export async function openResultFolder(dir: string, wanted: (name: string) => boolean = () => true): Promise<{ dir: string; kind: string; result: Record<string, unknown>; maps: ResultMap[] }> {
  const abs = resolve(dir);
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(await readFile(join(abs, 'result.json'), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const e = toLabError(err);
    if (e.code === 'E_NOT_FOUND') throw new LabError('E_NOT_FOUND', `${abs} is not a result folder (it has no result.json).`, abs);
    if (err instanceof SyntaxError) throw new LabError('E_CORRUPT', `${join(abs, 'result.json')} is not valid JSON: ${err.message}`, abs);
    throw e;
  }
  const files = Array.isArray(result.files) ? (result.files as { name?: unknown }[]) : [];
  const maps: ResultMap[] = [];
  for (const f of files) {
    if (typeof f.name !== 'string' || !/^[\w.-]+\.tif$/.test(f.name)) continue;
    const name = f.name.replace(/\.tif$/, '');
    if (!wanted(name)) continue;
    const img = await readImage(join(abs, f.name));
    const s = summarise(img.data);
    maps.push({ name, width: img.width, height: img.height, unit: UNITS[name] ?? '', data: img.data, stats: { min: s.min, max: s.max, mean: s.mean, std: s.std, valid: s.valid } });
  }
  return { dir: abs, kind: typeof result.kind === 'string' ? result.kind : 'unknown', result, maps };
}
