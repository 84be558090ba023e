import { describe, expect, it } from 'vitest';
import {
  ACQ_SETTINGS_KEY,
  defaultAcqSettings,
  describeWatchEvent,
  inputsText,
  jobInputs,
  jobRule,
  loadAcqSettings,
  parseOptions,
  parseRulesText,
  STARTER_RULES,
  withProgress,
  type QueueEntry,
} from './acquisition';

const store = (v: unknown) => ({ getItem: (k: string) => (k === ACQ_SETTINGS_KEY ? JSON.stringify(v) : null) });

describe('acquisition helpers', () => {
  it('loads settings field by field, falling back to defaults for bad or foreign values', () => {
    expect(loadAcqSettings(null)).toEqual(defaultAcqSettings());
    const s = loadAcqSettings(store({ version: 1, folder: '/acq', outDir: 42, historyState: 'nonsense', options: { stableMs: '100' } }));
    expect(s.folder).toBe('/acq');
    expect(s.outDir).toBe('');
    expect(s.historyState).toBe('');
    expect(s.options).toEqual({ stableMs: '', pollMs: '', concurrency: '1', recursive: false });
    expect(loadAcqSettings(store({ version: 9, folder: '/x' })).folder).toBe('');
    expect(parseRulesText(STARTER_RULES)).toMatchObject({ version: 1 });
  });

  it('turns the option form into watch.start options, with one message per bad field', () => {
    expect(parseOptions({ stableMs: '', pollMs: '', concurrency: '1', recursive: false })).toEqual({ options: { concurrency: 1 }, errors: {} });
    expect(parseOptions({ stableMs: ' 250 ', pollMs: '1000', concurrency: '', recursive: true }).options).toEqual({ stableMs: 250, pollMs: 1000, recursive: true });
    const bad = parseOptions({ stableMs: '-1', pollMs: '10', concurrency: '1.5', recursive: false });
    expect(Object.keys(bad.errors).sort()).toEqual(['concurrency', 'pollMs', 'stableMs']);
    expect(bad.errors.pollMs).toBe('Poll interval must be a whole number from 50 to 600000.');
    expect(parseRulesText('[1]')).toBeNull();
    expect(parseRulesText('{')).toBeNull();
  });

  it('describes events in a line and applies progress to running rows only', () => {
    expect(describeWatchEvent({ type: 'job-progress', jobId: 1, fraction: 0.3 })).toBeNull();
    expect(describeWatchEvent({ type: 'job-done', jobId: 4, kind: 'info', rule: 'r', outDir: '/o', ms: 35, adopted: false })).toBe('Job 4 done in 35 ms.');
    expect(describeWatchEvent({ type: 'job-skipped', jobId: 2, kind: 'track', rule: 'r', inputs: ['a.tif', 'b.tif'], state: 'done' })).toBe('a.tif → b.tif skipped: identical inputs already done as job 2.');
    const row = (jobId: number, state: QueueEntry['state']): QueueEntry => ({
      key: `job:${jobId}`, jobId, kind: 'info', rule: 'r', inputs: [], firstInput: null, state, fraction: 0, message: null, attempt: 1, error: null, outDir: null, updatedAt: '',
    });
    const q = [row(1, 'running'), row(2, 'done')];
    expect(withProgress(q, { type: 'job-progress', jobId: 1, fraction: 0.4, message: 'm' })[0]).toMatchObject({ fraction: 0.4, message: 'm' });
    expect(withProgress(q, { type: 'job-progress', jobId: 2, fraction: 0.4 })).toBe(q);
  });

  it('reads inputs and rule out of stored job parameters', () => {
    const watchJob = { watch: { rule: 'dic', inputs: [{ rel: 'sub/ref_1.tif' }, { rel: 'sample_1.tif' }] } };
    expect(jobInputs(watchJob)).toEqual(['sub/ref_1.tif', 'sample_1.tif']);
    expect(inputsText(jobInputs(watchJob))).toBe('ref_1.tif → sample_1.tif');
    expect(jobRule(watchJob)).toBe('dic');
    expect(jobInputs({ watch: { rel: 'bad.tif' } })).toEqual(['bad.tif']);
    expect(jobInputs({ refPath: 'C:\\d\\r.tif', defPath: '/d/s.tif' })).toEqual(['C:\\d\\r.tif', '/d/s.tif']);
    expect(inputsText(['C:\\d\\r.tif'])).toBe('r.tif');
    expect(jobRule({})).toBe('');
  });
});
