/**
 * @file Restoration tasks in the watched folder, end to end in-process: an SEM image that lands is
 * deblurred by a `deblur` rule (Richardson–Lucy: no model needed) and super-resolved by a
 * `super-resolution` rule (bicubic), each into a whole result folder with result.json, the restored TIFF
 * in the input's bit depth and the preview; the raw file is left untouched. Also the rule → task
 * parameter mapping and the validation of method-specific options.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../imageio';
import { encodeTiff8 } from '../imageio/write-tiff';
import { gaussianBlur } from '../restore/deblur/richardson-lucy';
import { scene } from '../restore/deblur/test-support';
import { quietContext } from '../progress';
import { validateRules } from './rules';
import { taskParams } from './tasks';
import { checksums, resultFolders, rulesOf, watchTestDirs } from './testing';

const w = watchTestDirs('lab-watch-restore-');

/** A blurred 8-bit SEM-like scene (Gaussian σ 1.5 px) as TIFF bytes. */
async function blurredSem(size = 64): Promise<Uint8Array> {
  const sharp = scene(size, size, 3);
  const blurred = await gaussianBlur(sharp, size, size, 1.5, quietContext());
  return encodeTiff8({ width: size, height: size, data: Float32Array.from(blurred, (v) => Math.round(v)) });
}

describe('restoration rules', () => {
  it('deblurs (richardson-lucy) and super-resolves (bicubic ×2) each SEM image that lands', async () => {
    await writeFile(join(w.root, 'sem_001.tif'), await blurredSem());
    const before = await checksums(w.root);
    const { s, rec } = await w.session(
      rulesOf(
        { name: 'deblur', type: 'single', match: 'sem_\\d+\\.tif', task: { kind: 'deblur', method: 'richardson-lucy', iterations: 10 } },
        { name: 'sr', type: 'single', match: 'sem_\\d+\\.tif', task: { kind: 'super-resolution', scale: 2, method: 'bicubic' } },
      ),
    );
    await s.whenIdle();
    expect(rec.of('job-failed')).toEqual([]);
    const done = rec.of('job-done');
    expect(done.map((e) => e.kind).sort()).toEqual(['deblur', 'super-resolution']);

    const db = done.find((e) => e.kind === 'deblur')!;
    const dbResult = JSON.parse(await readFile(join(db.outDir, 'result.json'), 'utf8'));
    expect(dbResult.kind).toBe('deblur');
    expect(dbResult.method).toBe('richardson-lucy');
    expect(dbResult.parameters.iterations).toBe(10);
    expect(dbResult.metrics.sharpness.output.tenengrad).toBeGreaterThan(dbResult.metrics.sharpness.input.tenengrad);
    const deblurred = await readImage(join(db.outDir, 'deblurred.tif'));
    expect([deblurred.width, deblurred.height, deblurred.meta.sampleType]).toEqual([64, 64, 'uint8']);

    const sr = done.find((e) => e.kind === 'super-resolution')!;
    const srResult = JSON.parse(await readFile(join(sr.outDir, 'result.json'), 'utf8'));
    expect(srResult.kind).toBe('super-resolution');
    expect(srResult.method).toBe('bicubic');
    const up = await readImage(join(sr.outDir, 'sr.tif'));
    expect([up.width, up.height]).toEqual([128, 128]);

    const folders = await resultFolders(w.out);
    expect(folders.folders).toHaveLength(2);
    expect(folders.hidden).toEqual([]);
    expect(await checksums(w.root)).toEqual(before); // the raw file is only read
  });

  it('maps a rule task spec to the task parameters (sr as the short name of super-resolution)', () => {
    const r = rulesOf(
      { name: 'a', type: 'single', match: '.*', task: { kind: 'deblur', method: 'richardson-lucy', sigma: 1.2 } },
      { name: 'b', type: 'single', match: '.*', task: { kind: 'sr', scale: 4, kernel: 'gauss:1.6', noise: 2 } },
      { name: 'c', type: 'single', match: '.*', task: { kind: 'deblur' } },
    );
    const input = [{ role: 'image' as const, path: '/acq/x.tif' }];
    expect(taskParams(r.rules[0].task, input, '/out/1')).toEqual({ inPath: '/acq/x.tif', options: { method: 'richardson-lucy', sigma: 1.2 }, outDir: '/out/1' });
    expect(taskParams(r.rules[1].task, input, '/out/2')).toEqual({ inPath: '/acq/x.tif', scale: 4, method: 'usrnet', kernel: 'gauss:1.6', noise: 2, outDir: '/out/2' });
    expect(taskParams(r.rules[2].task, input, '/out/3')).toEqual({ inPath: '/acq/x.tif', options: { method: 'midnet' }, outDir: '/out/3' });
  });

  it('reports options that do not belong to the chosen method, and a bad scale', () => {
    const v = validateRules({
      version: 1,
      rules: [
        { name: 'a', type: 'single', match: '.*', task: { kind: 'deblur', method: 'midnet', sigma: 1 } },
        { name: 'b', type: 'single', match: '.*', task: { kind: 'super-resolution', scale: 2, method: 'bicubic', kernel: 'gauss:1' } },
        { name: 'c', type: 'single', match: '.*', task: { kind: 'super-resolution', scale: 5 } },
        { name: 'd', type: 'pair', reference: 'r(\\d)', sample: 's(\\d)', task: { kind: 'deblur' } },
      ],
    });
    expect(v.ok ? [] : v.mistakes).toEqual([
      'rules[0].task.sigma: applies to method "richardson-lucy" only, not to "midnet"',
      'rules[1].task.kernel: applies to method "usrnet" only; "bicubic" assumes bicubic down-sampling',
      'rules[2].task.scale: expected 2, 3 or 4 (got 5)',
      'rules[3].task.kind: "deblur" takes one image per job; use a "single" rule',
    ]);
  });
});
