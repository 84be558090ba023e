/**
 * @file Pairing by the rules, without files: pair by equal index (numeric, per sub-folder), the three
 * series modes, single, case, and the result folder names (Note: watch pairing in matcher.ts).
 */
import { describe, expect, it } from 'vitest';
import { outputTemplate, RuleMatcher, type JobSpec } from './matcher';
import { validateRules } from './rules';

const TRACK = { kind: 'track', method: 'zncc' };

function matcher(rules: unknown[]): RuleMatcher {
  const v = validateRules({ version: 1, rules });
  if (!v.ok) throw new Error(v.mistakes.join('\n'));
  return new RuleMatcher(v.rules);
}

let n = 0;
const file = (rel: string, sha = `${++n}`.padStart(64, '0')) => ({ path: `/w/${rel}`, rel, sha256: sha, size: 10 });
const names = (specs: JobSpec[]) => specs.map((s) => s.inputs.map((i) => i.file.rel).join(' > '));

describe('RuleMatcher', () => {
  it('pairs reference and sample by equal index, in any order, numerically and per sub-folder', () => {
    const m = matcher([{ type: 'pair', reference: 'ref_(\\d+)\\.tif', sample: 'sample_(\\d+)\\.tif', task: TRACK }]);
    expect(m.accepts('ref_1.tif')).toBe(true);
    expect(m.accepts('REF_1.TIF')).toBe(true); // ignoreCase by default
    expect(m.accepts('notes.txt')).toBe(false);
    expect(names(m.ready(file('sample_002.tif')))).toEqual([]);
    expect(names(m.ready(file('ref_1.tif')))).toEqual([]);
    expect(names(m.ready(file('ref_2.tif')))).toEqual(['ref_2.tif > sample_002.tif']);
    expect(names(m.ready(file('a/sample_1.tif')))).toEqual([]); // other sub-folder: no partner yet
    expect(names(m.ready(file('sample_01.tif')))).toEqual(['ref_1.tif > sample_01.tif']);
    // replacing the reference re-forms the pair with the new content
    expect(names(m.ready(file('ref_2.tif')))).toEqual(['ref_2.tif > sample_002.tif']);
    expect(m.unmatched()).toEqual(['a/sample_1.tif']);
  });

  it('series fixed-reference: frames wait for the reference; a later reference applies to later frames only', () => {
    const m = matcher([{ type: 'series', mode: 'fixed-reference', reference: 'flat\\.tif', frames: 'img_(\\d+)\\.tif', task: TRACK }]);
    expect(names(m.ready(file('img_1.tif')))).toEqual([]);
    expect(names(m.ready(file('img_2.tif')))).toEqual([]);
    expect(names(m.ready(file('flat.tif')))).toEqual(['flat.tif > img_1.tif', 'flat.tif > img_2.tif']);
    expect(names(m.ready(file('img_3.tif')))).toEqual(['flat.tif > img_3.tif']);
    const newFlat = file('flat.tif');
    expect(names(m.ready(newFlat))).toEqual([]);
    const s = m.ready(file('img_4.tif'));
    expect(s[0].inputs[0].file.sha256).toBe(newFlat.sha256);
  });

  it('series first-frame: the lowest index seen is the reference, even when it becomes ready last', () => {
    const m = matcher([{ type: 'series', mode: 'first-frame', frames: 'f_(\\d+)\\.tif', task: TRACK }]);
    for (const i of [0, 1, 2]) m.seen(`f_${i}.tif`);
    expect(names(m.ready(file('f_2.tif')))).toEqual([]);
    expect(names(m.ready(file('f_1.tif')))).toEqual([]);
    expect(names(m.ready(file('f_0.tif')))).toEqual(['f_0.tif > f_2.tif', 'f_0.tif > f_1.tif']);
    m.seen('f_3.tif');
    expect(names(m.ready(file('f_3.tif')))).toEqual(['f_0.tif > f_3.tif']);
  });

  it('series first-frame with referenceIndex', () => {
    const m = matcher([{ type: 'series', mode: 'first-frame', referenceIndex: 5, frames: 'f_(\\d+)\\.tif', task: TRACK }]);
    expect(names(m.ready(file('f_4.tif')))).toEqual([]);
    expect(names(m.ready(file('f_005.tif')))).toEqual(['f_005.tif > f_4.tif']);
  });

  it('series incremental: n−1 → n with the nearest lower index, whichever arrives first', () => {
    const m = matcher([{ type: 'series', mode: 'incremental', frames: 'f_(\\d+)\\.tif', task: TRACK }]);
    for (const i of [1, 2, 4]) m.seen(`f_${i}.tif`);
    expect(names(m.ready(file('f_2.tif')))).toEqual([]);
    expect(names(m.ready(file('f_4.tif')))).toEqual(['f_2.tif > f_4.tif']);
    expect(names(m.ready(file('f_1.tif')))).toEqual(['f_1.tif > f_2.tif']);
  });

  it('single: one job per image; a file may feed several rules', () => {
    const m = matcher([
      { name: 'info', type: 'single', match: '.*\\.tif', task: { kind: 'info' } },
      { name: 'p', type: 'pair', reference: 'r(\\d)\\.tif', sample: 's(\\d)\\.tif', task: TRACK },
    ]);
    expect(m.ready(file('r1.tif')).map((s) => s.rule.name)).toEqual(['info']);
    expect(m.ready(file('s1.tif')).map((s) => s.rule.name)).toEqual(['info', 'p']);
  });

  it('patterns with "/" match the path below the watched folder', () => {
    const m = matcher([{ type: 'single', match: 'scan_\\d+/img_(\\d+)\\.tif', task: { kind: 'info' } }]);
    expect(m.accepts('scan_1/img_3.tif')).toBe(true);
    expect(m.accepts('img_3.tif')).toBe(false);
  });

  it('names result folders from the template, safe for any file system', () => {
    const m = matcher([
      { name: 'dic', type: 'pair', reference: 'ref (\\d+)\\.tif', sample: 'smp (\\d+)\\.tif', task: TRACK },
      { name: 'sem', type: 'single', match: '(.*)\\.png', task: { kind: 'info' }, output: '{dir}-{name}-{job}' },
    ]);
    m.ready(file('run 1/ref 007.tif'));
    expect(outputTemplate(m.ready(file('run 1/smp 7.tif'))[0])).toBe('dic_7_job{job}');
    expect(outputTemplate(m.ready(file('a/b/x:y.png'))[0])).toBe('a_b-x_y-{job}');
  });
});
