import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { ContractError } from '../../../shared/result';

// The store reaches the back end only through ../api; replace it with a scripted fake.
const fake = await vi.hoisted(async () => {
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const mem = (await import('../test/fake-lab')).installMemoryStorage();
  return {
    listeners,
    mem,
    emit: (name: string, payload: unknown) => listeners.get(name)?.forEach((l) => l(payload)),
    calls: {} as Record<string, ReturnType<typeof vi.fn>>,
  };
});
vi.mock('../api', () => {
  const names = ['watch.start', 'watch.stop', 'watch.status', 'watch.validateRules', 'watch.examples', 'jobs.list', 'jobs.retry', 'jobs.cancel', 'result.open', 'dialog.openFolder', 'image.open', 'image.close', 'app.info'];
  const lab: Record<string, unknown> = {
    on: (name: string, l: (p: unknown) => void) => {
      fake.listeners.set(name, [...(fake.listeners.get(name) ?? []), l]);
      return () => fake.listeners.set(name, (fake.listeners.get(name) ?? []).filter((x) => x !== l));
    },
  };
  for (const n of names) lab[n] = fake.calls[n] = vi.fn();
  return { lab, connection: { transport: 'browser-harness', state: () => 'open', onState: () => () => {} }, fetchFloat32: vi.fn() };
});

const { useAcquisitionStore, ACQ_HISTORY_ALL_KEY } = await import('./acquisition');
const { ACQ_SETTINGS_KEY, STARTER_RULES } = await import('../lib/acquisition');

const STOPPED = {
  running: false, folder: null, outDir: null, rulesSource: null, rulesSummary: null, startedAt: null, stoppedAt: null, folderPresent: true,
  counts: { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 }, waitingForPartner: [], queue: [],
};
const row = (jobId: number, state: string, extra = {}) => ({
  key: `job:${jobId}`, jobId, kind: 'info', rule: 'sem', inputs: [`shot_${jobId}.tif`], firstInput: `/acq/shot_${jobId}.tif`,
  state, fraction: 0, message: null, attempt: 1, error: null, outDir: null, updatedAt: '2026-11-21T12:00:00Z', ...extra,
});
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.useRealTimers();
  fake.mem.clear();
  fake.listeners.clear();
  for (const f of Object.values(fake.calls)) f.mockReset();
  fake.calls['watch.status'].mockResolvedValue(STOPPED);
  fake.calls['watch.examples'].mockResolvedValue({ examples: [{ file: '/r/sem-single.json', name: 'sem-single', description: 'SEM', text: '{"version":1}' }] });
  fake.calls['watch.validateRules'].mockResolvedValue({ ok: true, mistakes: [], summary: { description: null, rules: [{ name: 'info', type: 'single', task: 'info', text: 'every file' }] } });
  fake.calls['jobs.list'].mockResolvedValue({ jobs: [], total: 0 });
  setActivePinia(createPinia());
});

describe('acquisition store', () => {
  it('starts with the info rule and persists folder, rules and options between launches', async () => {
    const a = useAcquisitionStore();
    expect(a.settings.rulesText).toBe(STARTER_RULES);
    a.setFolder('folder', '/data/acq');
    a.settings.options.stableMs = '500';
    a.setRulesText('{"version": 1}');
    await nextTick();
    const saved = JSON.parse(fake.mem.get(ACQ_SETTINGS_KEY)!);
    expect(saved).toMatchObject({ folder: '/data/acq', rulesText: '{"version": 1}', options: { stableMs: '500' } });

    setActivePinia(createPinia());
    const b = useAcquisitionStore();
    expect(b.settings.folder).toBe('/data/acq');
    expect(b.settings.options.stableMs).toBe('500');
  });

  it('follows the back end: status, examples, validation and history on start; watch.status rows, progress and activity from events', async () => {
    const a = useAcquisitionStore();
    const off = a.follow();
    await flush();
    expect(fake.calls['watch.status']).toHaveBeenCalled();
    expect(a.examples.map((e) => e.name)).toEqual(['sem-single']);
    expect(a.validation?.ok).toBe(true);
    expect(fake.calls['jobs.list']).toHaveBeenCalledWith({ limit: 50, search: undefined, state: undefined, origin: 'watch' });

    fake.emit('watch.status', { ...STOPPED, running: true, folder: '/acq', queue: [row(2, 'running'), row(1, 'done', { fraction: 1 })] });
    expect(a.running).toBe(true);
    expect(a.queue.map((q) => q.jobId)).toEqual([2, 1]);
    fake.emit('watch.event', { type: 'job-progress', jobId: 2, fraction: 0.5, message: 'writing summary' });
    expect(a.queue[0]).toMatchObject({ fraction: 0.5, message: 'writing summary' });
    fake.emit('watch.event', { type: 'file-failed', path: '/acq/bad.tif', rel: 'bad.tif', code: 'E_UNSUPPORTED', reason: 'not an image' });
    fake.emit('watch.event', { type: 'job-done', jobId: 2, kind: 'info', rule: 'sem', outDir: '/out/x', ms: 1234, adopted: false });
    expect(a.activity.map((l) => [l.text, l.bad])).toEqual([
      ['Job 2 done in 1.2 s.', false],
      ['bad.tif cannot be processed: not an image', true],
    ]);
    off();
    expect(fake.listeners.get('watch.status')).toEqual([]);
  });

  it('checks the rules as they are typed (debounced) and blocks Start while they are wrong', async () => {
    vi.useFakeTimers();
    const a = useAcquisitionStore();
    a.setFolder('folder', '/acq');
    fake.calls['watch.validateRules'].mockResolvedValue({ ok: false, mistakes: ['rules[0].task.kind: expected "track"'], summary: null });
    a.setRulesText('{"version": 1, "rules": [');
    a.setRulesText('{"version": 1, "rules": [{}]}');
    expect(a.startBlocker).toBe('Checking the rules…');
    await vi.advanceTimersByTimeAsync(300);
    expect(fake.calls['watch.validateRules']).toHaveBeenCalledTimes(1);
    expect(fake.calls['watch.validateRules']).toHaveBeenCalledWith({ text: '{"version": 1, "rules": [{}]}' });
    expect(a.validation?.mistakes).toEqual(['rules[0].task.kind: expected "track"']);
    expect(a.startBlocker).toMatch(/Fix the rules/);
    await a.loadExamples();
    a.loadExample('sem-single');
    expect(a.settings.rulesText).toBe('{"version":1}');
    expect(a.settings.example).toBe('sem-single');
  });

  it('starts with the parsed rules and options, and puts a refused start next to the field it is about', async () => {
    const a = useAcquisitionStore();
    a.setFolder('folder', '/acq');
    a.settings.options = { stableMs: '300', pollMs: '', concurrency: '2', recursive: true };
    fake.calls['watch.start'].mockResolvedValueOnce({ ...STOPPED, running: true, folder: '/acq', outDir: '/res/watch/acq' });
    expect(await a.start()).toBe(true);
    expect(fake.calls['watch.start']).toHaveBeenCalledWith({ folder: '/acq', rules: JSON.parse(STARTER_RULES), outDir: undefined, options: { stableMs: 300, concurrency: 2, recursive: true } });
    expect(a.running).toBe(true);

    fake.calls['watch.start'].mockRejectedValueOnce(new ContractError('E_NOT_FOUND', 'The folder to watch, /nope, does not exist. Create it or choose another one.', '/nope'));
    a.setFolder('folder', '/nope');
    expect(await a.start()).toBe(false);
    expect(a.folderError).toMatch(/does not exist/);
    expect(a.startError).toBeNull();

    fake.calls['watch.start'].mockRejectedValueOnce(new ContractError('E_INVALID_INPUT', 'The output folder /acq/out is inside the watched folder /acq, where …', '/acq/out'));
    expect(await a.start()).toBe(false);
    expect(a.outError).toMatch(/inside the watched folder/);
    expect(a.folderError).toBeNull();

    fake.calls['watch.start'].mockRejectedValueOnce(new ContractError('E_INVALID_INPUT', 'The rules have 1 mistake:\n  version: expected 1'));
    expect(await a.start()).toBe(false);
    expect(a.rulesStartError).toMatch(/The rules have 1 mistake/);

    a.settings.options.concurrency = '99';
    expect(a.optionErrors.concurrency).toMatch(/from 1 to 16/);
    expect(await a.start()).toBe(false);
    expect(fake.calls['watch.start']).toHaveBeenCalledTimes(4);

    a.setFolder('folder', '');
    expect(await a.start()).toBe(false);
    expect(a.folderError).toMatch(/Type the path/);
  });

  it('keeps Retry / Cancel errors in their row, and searches the history by text and state', async () => {
    vi.useFakeTimers();
    const a = useAcquisitionStore();
    fake.calls['jobs.retry'].mockRejectedValueOnce(new ContractError('E_INVALID_INPUT', 'Job 3 records a file that could not be used; replace the file.'));
    await a.retry(3, 'file:bad.tif');
    expect(a.rowErrors['file:bad.tif']).toMatch(/replace the file/);
    fake.calls['jobs.cancel'].mockResolvedValueOnce({ cancelled: false });
    await a.cancel(4);
    expect(a.rowErrors['job:4']).toMatch(/already finished/);
    fake.calls['jobs.cancel'].mockResolvedValueOnce({ cancelled: true });
    await a.cancel(4);
    expect(a.rowErrors['job:4']).toBeUndefined();

    fake.calls['jobs.list'].mockResolvedValue({ jobs: [{ id: 7, kind: 'info', state: 'done', params: {}, createdAt: '', updatedAt: '', resultDir: '/out/7', error: null }], total: 1 });
    a.setHistoryFilter('shot_00', 'done');
    await vi.advanceTimersByTimeAsync(250);
    expect(fake.calls['jobs.list']).toHaveBeenLastCalledWith({ limit: 50, search: 'shot_00', state: 'done', origin: 'watch' });
    expect(a.history.map((j) => j.id)).toEqual([7]);
    expect(a.historyTotal).toBe(1);
  });

  it('lists the watched jobs by default; "All jobs" re-lists every job with the same filters and is kept between launches', async () => {
    const a = useAcquisitionStore();
    expect(a.historyAll).toBe(false);
    await a.refreshHistory();
    expect(fake.calls['jobs.list']).toHaveBeenLastCalledWith({ limit: 50, search: undefined, state: undefined, origin: 'watch' });

    a.settings.historySearch = 'shot';
    a.settings.historyState = 'failed';
    const job = (id: number, kind: string) => ({ id, kind, state: 'failed', params: {}, createdAt: '', updatedAt: '', resultDir: null, error: 'E_IO: x' });
    fake.calls['jobs.list'].mockResolvedValueOnce({ jobs: [job(9, 'track'), job(8, 'info')], total: 12 });
    fake.calls['jobs.list'].mockClear();
    a.setHistoryAll(true);
    await flush();
    expect(fake.calls['jobs.list']).toHaveBeenCalledTimes(1);
    expect(fake.calls['jobs.list']).toHaveBeenLastCalledWith({ limit: 50, search: 'shot', state: 'failed', origin: 'any' });
    expect(a.history.map((j) => j.id)).toEqual([9, 8]);
    expect(a.historyTotal).toBe(12);
    // ticking what is already ticked asks nothing
    a.setHistoryAll(true);
    await flush();
    expect(fake.calls['jobs.list']).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fake.mem.get(ACQ_HISTORY_ALL_KEY)!)).toMatchObject({ all: true });

    setActivePinia(createPinia());
    const b = useAcquisitionStore();
    expect(b.historyAll).toBe(true);
    await b.refreshHistory();
    expect(fake.calls['jobs.list']).toHaveBeenLastCalledWith({ limit: 50, search: 'shot', state: 'failed', origin: 'any' });

    fake.calls['jobs.list'].mockResolvedValueOnce({ jobs: [job(8, 'info')], total: 1 });
    b.setHistoryAll(false);
    await flush();
    expect(fake.calls['jobs.list']).toHaveBeenLastCalledWith({ limit: 50, search: 'shot', state: 'failed', origin: 'watch' });
    expect(b.history.map((j) => j.id)).toEqual([8]);
    expect(b.historyTotal).toBe(1);
    expect(JSON.parse(fake.mem.get(ACQ_HISTORY_ALL_KEY)!)).toMatchObject({ all: false });

    // an unreadable stored choice falls back to the watched jobs
    fake.mem.set(ACQ_HISTORY_ALL_KEY, '{not json');
    setActivePinia(createPinia());
    expect(useAcquisitionStore().historyAll).toBe(false);
  });

  it('shows a result folder in its plain view, and why it could not be shown', async () => {
    const a = useAcquisitionStore();
    fake.calls['result.open'].mockResolvedValueOnce({ dir: '/out/7', kind: 'info', result: { kind: 'info' }, maps: [] });
    expect(await a.showResult('/out/7')).toBe(true);
    expect(fake.calls['result.open']).toHaveBeenLastCalledWith({ dir: '/out/7' });
    expect(a.result?.dir).toBe('/out/7');
    fake.calls['result.open'].mockRejectedValueOnce(new ContractError('E_NOT_FOUND', '/out/8 is not a result folder (it has no result.json).'));
    expect(await a.showResult('/out/8')).toBe(false);
    expect(a.result).toBeNull();
    expect(a.resultError).toMatch(/not a result folder/);
  });
});
