/**
 * @file `report.export` when removing the staged files fails (node:fs/promises `rm` wrapped to throw EBUSY
 * on the temporaries): the cleanup is best effort — a finished export still succeeds, with a warning; a
 * failed PDF still reports its own error, not the cleanup's; and the printer is closed either way.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallOutput, EventName, EventPayload } from '../../shared/contract';
import { openJobStore, type JobStore } from '../jobs/store';
import { makeRestoreFixtures } from '../report/report-fixtures';
import { BinaryStore } from './binary-store';
import { dispatchCall } from './dispatch';
import { createBackend, type BackendDeps } from './handlers';
import { inProcessCompute } from './in-process-compute';

const hooks = vi.hoisted(() => ({ busy: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const rm = async (p: Parameters<typeof fs.rm>[0], o?: Parameters<typeof fs.rm>[1]) => {
    if (hooks.busy && String(p).includes('.partial-')) throw Object.assign(new Error(`EBUSY: resource busy or locked, rm '${String(p)}'`), { code: 'EBUSY', path: String(p) });
    return fs.rm(p, o);
  };
  return { ...fs, rm, default: { ...fs, rm } };
});

const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

let dir: string;
let store: JobStore;
let sr: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-report-cleanup-'));
  const fx = await makeRestoreFixtures(dir);
  store = openJobStore(join(dir, 'jobs.sqlite'));
  const j = store.createJob({ kind: 'super-resolution', params: {} });
  store.markRunning(j.id);
  sr = store.markDone(j.id, { resultDir: fx.sr }).id;
}, 120_000);
afterEach(() => {
  hooks.busy = false;
});
afterAll(async () => {
  store.close();
  await real.rm(dir, { recursive: true, force: true });
});

function call(input: unknown, extra: Partial<BackendDeps> = {}) {
  const b = createBackend({
    compute: inProcessCompute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '', resultsDir: join(dir, 'results'),
    emit: <N extends EventName>(_n: N, _p: EventPayload<N>) => {},
    ...extra,
  });
  return dispatchCall(b.handlers, 'report.export', input);
}

describe('report.export cleanup errors', () => {
  it('EBUSY removing the temporaries after a finished export: success, with a warning', async () => {
    hooks.busy = true;
    const out = join(dir, 'busy.html');
    const r = await call({ jobIds: [sr], outPath: out, pdf: false });
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    const v = r.value as CallOutput<'report.export'>;
    expect(v.htmlPath).toBe(out);
    expect(v.warnings.some((w) => /temporary files could not all be removed.*EBUSY/.test(w)), v.warnings.join('\n')).toBe(true);
    expect(existsSync(out)).toBe(true);
  }, 60_000);

  it('EBUSY removing the temporaries after a failed print: the print error is reported and the printer is closed', async () => {
    hooks.busy = true;
    let closed = 0;
    const out = join(dir, 'busy-print.html');
    const r = await call(
      { jobIds: [sr], outPath: out, pdf: true },
      { reportPrinter: async () => ({ print: async () => { throw new Error('the printer broke'); }, close: async () => void closed++ }) },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/the printer broke/);
    expect(closed).toBe(1);
    expect(existsSync(out)).toBe(true); // as documented: a failed PDF still leaves the HTML
  }, 60_000);
});
