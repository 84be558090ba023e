/**
 * @file Rules files: the shipped examples validate; every mistake is reported at once with its JSON path
 * and what was expected; loadRules names the file; reserved task names validate.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { loadRules, validateRules } from './rules';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', '..', 'resources', 'rules');

const pair = (task: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  rules: [{ type: 'pair', reference: 'ref_(\\d+)\\.tif', sample: 'sample_(\\d+)\\.tif', task, ...extra }],
});

describe('rules files', () => {
  it('accepts every example in resources/rules', async () => {
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['dic-cnn-pairs.json', 'dic-first-frame.json', 'dic-pairs.json', 'sem-deblur.json', 'sem-single.json', 'sem-super-resolution.json', 'xray-fixed-reference.json']);
    for (const f of files) {
      const r = await loadRules(join(EXAMPLES, f));
      expect(r.rules.length, f).toBeGreaterThan(0);
    }
  });

  it('fills defaults: step 8, ignoreCase true, info preview true', () => {
    const v = validateRules(pair({ kind: 'track', method: 'zncc' }));
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.rules.rules[0]).toMatchObject({ ignoreCase: true, task: { step: 8 } });
  });

  it('reports each mistake on its own line with the JSON path and what is expected', () => {
    const v = validateRules({
      version: 2,
      rules: [
        { type: 'pair', reference: 'ref_\\d+\\.tif', sample: 'sample_(\\d+', task: { kind: 'track', method: 'ncc', step: 0 } },
        { type: 'series', mode: 'first-frame', frames: 'f_(\\d+)\\.tif', reference: 'x.tif', task: { kind: 'track', method: 'zncc', options: { windw: 21 } } },
        { type: 'single', match: '.*', task: { kind: 'track', method: 'zncc' }, output: '{rule}_{nam}' },
        { type: 'cluster' },
        { type: 'single', match: '.*', task: { kind: 'info' }, output: '../{name}_{job}' },
        { type: 'single', match: '.*', refrence: 'x', task: { kind: 'info' } },
      ],
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const text = v.mistakes.join('\n');
    console.log(`rules validation, ${v.mistakes.length} lines:\n${text}`);
    expect(text).toMatch(/^version: .*expected 1.* \(got 2\)$/m);
    expect(text).toMatch(/^rules\[0\]\.reference: needs a capture group for the index/m);
    expect(text).toMatch(/^rules\[0\]\.sample: not a valid regular expression/m);
    expect(text).toMatch(/^rules\[0\]\.task\.method: .*"zncc"\|"umpa"\|"icgn".*\(got "ncc"\)$/m);
    expect(text).toMatch(/^rules\[0\]\.task\.step: .*>=1/m);
    expect(text).toMatch(/^rules\[1\]\.reference: only allowed in "fixed-reference" mode/m);
    expect(text).toMatch(/^rules\[1\]\.task\.options\.windw: not an option of zncc; expected one of window, search/m);
    expect(text).toMatch(/^rules\[2\]\.task\.kind: "track" needs a reference and a sample image; use a "pair" or "series" rule$/m);
    expect(text).toMatch(/^rules\[2\]\.output: unknown placeholder \{nam\}/m);
    expect(text).toMatch(/^rules\[2\]\.output: must contain \{job\}/m);
    expect(text).toMatch(/^rules\[3\]\.type: expected "pair", "series" or "single" \(got "cluster"\)$/m);
    expect(text).toMatch(/^rules\[4\]\.output: is one folder name: no "\/"/m);
    expect(text).toMatch(/^rules\[5\]: Unrecognized key: "refrence"$/m);
    for (const line of v.mistakes) expect(line).not.toContain('\n');
  });

  it('rejects duplicate rule names and single-image tasks in pair rules', () => {
    const v = validateRules({
      version: 1,
      rules: [
        { name: 'a', type: 'single', match: '.*', task: { kind: 'info' } },
        { name: 'a', type: 'pair', reference: 'r(\\d)', sample: 's(\\d)', task: { kind: 'info' } },
      ],
    });
    expect(v.ok ? [] : v.mistakes).toEqual([
      'rules[1].task.kind: "info" takes one image per job; use a "single" rule',
      'rules[1].name: "a" is already the name of rules[0]; names must be unique',
    ]);
  });

  it('validates the restoration tasks deblur and super-resolution (alias sr) on single rules', () => {
    for (const task of [{ kind: 'deblur' }, { kind: 'deblur', method: 'richardson-lucy', iterations: 20 }, { kind: 'super-resolution', scale: 2 }, { kind: 'sr', scale: 3, method: 'usrnet', kernel: 'gauss:1.6' }]) {
      expect(validateRules({ version: 1, rules: [{ type: 'single', match: '.*', task }] }).ok).toBe(true);
    }
  });

  it('accepts an xpci task with geometry in physical units, and reports what is missing or misspelt', () => {
    const ok = validateRules(pair({ kind: 'xpci', geometry: { pixelUm: 0.65, distanceM: 0.5, energyKeV: 17.5 }, integrator: 'ls', delta: 1e-6 }));
    expect(ok.ok).toBe(true);
    const bad = validateRules(pair({ kind: 'xpci', geometry: { pixelUm: -1, distanceM: 0.5 }, options: { subset: 21 }, phase: 'fc' }));
    expect(bad.ok ? [] : bad.mistakes).toEqual([
      'rules[0].task.geometry.pixelUm: Too small: expected number to be >0',
      'rules[0].task.geometry.energyKeV: Invalid input: expected number, received undefined',
      'rules[0].task: Unrecognized key: "phase"',
    ]);
    const opt = validateRules(pair({ kind: 'xpci', geometry: { pixelUm: 1, distanceM: 1, energyKeV: 20 }, options: { subset: 21 } }));
    expect(opt.ok ? [] : opt.mistakes).toEqual(['rules[0].task.options.subset: not an option of umpa; expected one of window, search, darkField']);
  });

  it('runs the tracking method\'s own option checks, so a rule every job would fail on is refused with its name and option', () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['zncc', { window: 4 }, 'window', /The ZNCC window 4 is not an odd whole number/],
      ['zncc', { window: -5 }, 'window', /The ZNCC window -5 /],
      ['zncc', { window: 1e9 }, 'window', /The ZNCC window 1000000000 /],
      ['umpa', { window: 2.5 }, 'window', /The UMPA window 2.5 /],
      ['umpa', { search: -5 }, 'search', /The UMPA search radius -5 /],
      ['zncc', { search: 2.5 }, 'search', /The ZNCC search radius 2.5 /],
      ['zncc', { search: -3 }, 'search', /The ZNCC search radius -3 /],
      ['zncc', { subpixel: 'nope' }, 'subpixel', /sub-pixel estimator "nope" is unknown/],
      ['zncc', { minQuality: 7 }, 'minQuality', /minimum quality 7 is not a correlation coefficient/],
      ['icgn', { subset: 4 }, 'subset', /IC-GN subset size 4/],
      ['icgn', { search: 1e9 }, 'search', /IC-GN search radius 1000000000/],
    ];
    for (const [method, options, option, message] of cases) {
      const v = validateRules(pair({ kind: 'track', method, options }, { name: 'dic' }));
      expect(v.ok ? [] : v.mistakes, JSON.stringify(options)).toHaveLength(1);
      const line = v.ok ? '' : v.mistakes[0];
      expect(line.startsWith(`rules[0].task.options.${option}: rule "dic": `), line).toBe(true);
      expect(line).toMatch(message);
    }
    // every bad option at once, in an xpci task (umpa by default) too
    const xpci = validateRules(pair({ kind: 'xpci', geometry: { pixelUm: 1, distanceM: 1, energyKeV: 20 }, options: { window: 4, search: 0 } }));
    expect((xpci.ok ? [] : xpci.mistakes).map((m) => m.split(':')[0])).toEqual(['rules[0].task.options.window', 'rules[0].task.options.search']);
    // sound options, and options whose limit depends on the image size, are left to run time
    expect(validateRules(pair({ kind: 'track', method: 'zncc', options: { window: 31, search: 500, subpixel: 'newton', minQuality: -1 } })).ok).toBe(true);
    expect(validateRules(pair({ kind: 'track', method: 'icgn', options: { subset: 41, search: 64, tolerance: 0.01 } })).ok).toBe(true);
  });

  it('takes the CNN trackers in track rules: dense ones default to step 1 and refuse another step; xpci takes cnn-xst and cnn+icgn, not cnn-dic', () => {
    const task = (t: Record<string, unknown>) => {
      const v = validateRules(pair(t));
      return v.ok ? v.rules.rules[0].task : v.mistakes;
    };
    expect(task({ kind: 'track', method: 'cnn-dic' })).toEqual({ kind: 'track', method: 'cnn-dic', step: 1 });
    expect(task({ kind: 'track', method: 'cnn-xst', step: 1, strainWindow: 9 })).toEqual({ kind: 'track', method: 'cnn-xst', step: 1, strainWindow: 9 });
    expect(task({ kind: 'track', method: 'cnn+icgn' })).toEqual({ kind: 'track', method: 'cnn+icgn', step: 8 }); // the IC-GN grid, as icgn's
    expect(task({ kind: 'track', method: 'cnn+icgn', step: 2, options: { model: 'dicnet-s', subset: 31, tile: 512, overlap: 32 } })).toMatchObject({ step: 2 });
    expect(task({ kind: 'track', method: 'cnn-dic', options: { model: 'dicnet-s', tile: 512, passes: 1, symmetry: 1, qualityWindow: 21 } })).toMatchObject({ step: 1 });
    expect(task({ kind: 'track', method: 'cnn-dic', step: 8 })).toEqual(['rules[0].task.step: cnn-dic measures every pixel (grid step 1); remove "step" or set it to 1']);
    const geometry = { pixelUm: 1, distanceM: 1, energyKeV: 20 };
    expect(task({ kind: 'xpci', method: 'cnn-xst', geometry })).toEqual({ kind: 'xpci', method: 'cnn-xst', geometry });
    expect(task({ kind: 'xpci', method: 'cnn-xst', step: 1, geometry, options: { model: 'cade-xst-s', passes: 2, symmetry: 4, qualityWindow: 21, tile: 512 } })).toMatchObject({ method: 'cnn-xst', step: 1 });
    expect(task({ kind: 'xpci', method: 'cnn+icgn', step: 2, geometry, options: { model: 'cade-xst-s', subset: 21 } })).toMatchObject({ method: 'cnn+icgn', step: 2 });
    expect(task({ kind: 'xpci', method: 'cnn-xst', step: 4, geometry })).toEqual(['rules[0].task.step: cnn-xst measures every pixel (grid step 1); remove "step" or set it to 1']);
    const dic = task({ kind: 'xpci', method: 'cnn-dic', geometry }) as string[];
    expect(dic).toHaveLength(1);
    expect(dic[0]).toMatch(/^rules\[0\]\.task\.method: xpci does not run cnn-dic: its model dicnet-s is trained for DIC speckle shifts up to ±16 px .*use cnn-xst, or cnn\+icgn/);
    expect(dic[0]).toContain('expected "umpa", "zncc", "icgn", "cnn-xst", "cnn+icgn" (got "cnn-dic")');
    // CNN option checks in xpci rules are the track rules' (the CNN method's own validator)
    const xo = validateRules(pair({ kind: 'xpci', method: 'cnn-xst', geometry, options: { passes: 0, search: 5 } }, { name: 'xst' }));
    expect(xo.ok ? [] : xo.mistakes).toEqual([
      'rules[0].task.options.search: not an option of cnn-xst; expected one of model, tile, overlap, qualityWindow, passes, symmetry',
      expect.stringMatching(/^rules\[0\]\.task\.options\.passes: rule "xst": The number of CNN passes 0 must be a whole number from 1 to 5/),
    ]);
    const ncc = task({ kind: 'track', method: 'ncc' });
    expect(ncc).toEqual(['rules[0].task.method: Invalid option: expected one of "zncc"|"umpa"|"icgn"|"cnn-dic"|"cnn-xst"|"cnn+icgn" (got "ncc")']);
  });

  it('checks CNN options with the CNN method\'s own validator: every bad one listed with rule and option', () => {
    const v = validateRules(pair({ kind: 'track', method: 'cnn-xst', options: { passes: 0, symmetry: 3, smooth: 2, model: 12, tile: 32, qualityWindow: 14 } }, { name: 'xst' }));
    const lines = v.ok ? [] : v.mistakes;
    console.log(`CNN option mistakes:\n${lines.join('\n')}`);
    expect(lines).toEqual([
      'rules[0].task.options.smooth: not an option of cnn-xst; expected one of model, tile, overlap, qualityWindow, passes, symmetry',
      'rules[0].task.options.model: expected a string',
      expect.stringMatching(/^rules\[0\]\.task\.options\.passes: rule "xst": The number of CNN passes 0 must be a whole number from 1 to 5/),
      expect.stringMatching(/^rules\[0\]\.task\.options\.symmetry: rule "xst": The symmetry averaging 3 must be 1 \(off\), 4 \(flips\) or 8/),
      expect.stringMatching(/^rules\[0\]\.task\.options\.tile: rule "xst": The CNN tile size 32 must be a whole number of pixels from 64 to 8192/),
      expect.stringMatching(/^rules\[0\]\.task\.options\.qualityWindow: rule "xst": The quality window 14 must be an odd whole number/),
    ]);
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['cnn-dic', { model: 'Dicnet S' }, 'model', /The model "Dicnet S" of cnn-dic must be a model id from models\/manifest\.json, e\.g\. "dicnet-s"/],
      ['cnn-dic', { overlap: 2 }, 'overlap', /The CNN tile overlap 2 must be 0 \(chosen from the model\)/],
      ['cnn-xst', { passes: 2.5 }, 'passes', /The number of CNN passes 2\.5 /],
      ['cnn+icgn', { subset: 4 }, 'subset', /IC-GN subset size 4/],
      ['cnn+icgn', { minZncc: 3 }, 'minZncc', /minZncc|ZNCC/],
    ];
    for (const [method, options, option, message] of cases) {
      const r = validateRules(pair({ kind: 'track', method, options }, { name: 'dic' }));
      expect(r.ok ? [] : r.mistakes, JSON.stringify(options)).toHaveLength(1);
      const line = r.ok ? '' : r.mistakes[0];
      expect(line.startsWith(`rules[0].task.options.${option}: rule "dic": `), line).toBe(true);
      expect(line).toMatch(message);
    }
    // options of another method are named as such
    const other = validateRules(pair({ kind: 'track', method: 'cnn+icgn', options: { passes: 2, window: 21 } }));
    expect((other.ok ? [] : other.mistakes).map((m) => m.split(':')[0])).toEqual(['rules[0].task.options.passes', 'rules[0].task.options.window']);
  });

  it('loadRules names the file: missing, not JSON, wrong content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-rules-'));
    const err = async (p: string) => loadRules(p).then(() => null, (e: LabError) => e);
    const missing = await err(join(dir, 'nope.json'));
    expect(missing?.code).toBe('E_NOT_FOUND');
    expect(missing?.message).toContain(join(dir, 'nope.json'));
    await writeFile(join(dir, 'bad.json'), '{ "version": 1, "rules": [ }');
    const notJson = await err(join(dir, 'bad.json'));
    expect(notJson?.message).toMatch(/bad\.json is not valid JSON/);
    await writeFile(join(dir, 'wrong.json'), '\uFEFF{ "version": 1, "rules": [] }');
    const wrong = await err(join(dir, 'wrong.json'));
    expect(wrong?.message).toBe(`The rules file ${join(dir, 'wrong.json')} has 1 mistake:\n  rules: expected at least one rule`);
  });
});
