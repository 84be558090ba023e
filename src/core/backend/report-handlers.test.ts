/**
 * @file `report.export` through the real handlers and dispatch (contract validation included): real
 * restoration jobs (Richardson–Lucy deblurring, bicubic ×2 SR — report-fixtures.ts) registered as done
 * jobs in a job store, exported as HTML + PDF with an injected printer (headless Chromium, the harness's;
 * the printer is asked for once per export and closed afterwards) and progress events under the taskId;
 * jobs that are missing or failed, a relative path and a PDF without a printer are refused in one
 * sentence before anything is written. The heavy part runs as the `report.stage` compute op: in process
 * here, and through a real forked compute host in the last block, where progress crosses the process
 * boundary and a cancellation, during the build or during printing, leaves no file behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutput, EventName, EventPayload } from '../../shared/contract';
import { forkComputeHost, type ComputeClient, type MessageComputeClient } from '../compute/client';
import { LabError } from '../errors';
import { openJobStore, type JobStore } from '../jobs/store';
import { chromiumPrinter } from '../report/pdf';
import { makeRestoreFixtures } from '../report/report-fixtures';
import { formatValue } from '../report/format';
import { BinaryStore } from './binary-store';
import { inProcessCompute } from './in-process-compute';
import { dispatchCall } from './dispatch';
import { createBackend, type BackendDeps } from './handlers';

const CAN_PRINT = existsSync(process.env.LAB_CHROMIUM ?? '/usr/bin/chromium') && spawnSync('pdftotext', ['-v']).status === 0;

let dir: string;
let store: JobStore;
let fx: Awaited<ReturnType<typeof makeRestoreFixtures>>;
let ids: { deblur: number; sr: number; failed: number };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-report-handlers-'));
  fx = await makeRestoreFixtures(dir);
  store = openJobStore(join(dir, 'jobs.sqlite'));
  const done = (kind: string, resultDir: string) => {
    const j = store.createJob({ kind, params: {} });
    store.markRunning(j.id);
    return store.markDone(j.id, { resultDir }).id;
  };
  const f = store.createJob({ kind: 'deblur', params: {} });
  store.markRunning(f.id);
  store.markFailed(f.id, 'boom');
  ids = { deblur: done('deblur', fx.deblur), sr: done('super-resolution', fx.sr), failed: f.id };
}, 120_000);
afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function backend(extra: Partial<BackendDeps> = {}) {
  const events: { name: string; payload: unknown }[] = [];
  const b = createBackend({
    compute: inProcessCompute, jobs: store, binaries: new BinaryStore(), transport: 'browser-harness', binaryUrl: () => '', resultsDir: join(dir, 'results'),
    emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void events.push({ name, payload }),
    ...extra,
  });
  return { call: (input: unknown) => dispatchCall(b.handlers, 'report.export', input), cancel: (taskId: string) => dispatchCall(b.handlers, 'task.cancel', { taskId }), events, backend: b };
}

/** Files of the test folder named after a report (its HTML, PDF, data folder and any temporary). */
const leftovers = async (name: string) => (await readdir(dir)).filter((f) => f.includes(name));

describe('report.export', () => {
  it('refuses missing and failed jobs, relative paths and a PDF without a printer, writing nothing', async () => {
    const { call } = backend();
    const out = join(dir, 'refused.html');
    const cases: [unknown, RegExp][] = [
      [{ jobIds: [9999], outPath: out, pdf: false }, /Job #9999 does not exist/],
      [{ jobIds: [ids.deblur, ids.failed], outPath: out, pdf: false }, new RegExp(`Job #${ids.failed} \\(deblur\\) is failed`)],
      [{ jobIds: [ids.deblur], outPath: 'rel/report.html', pdf: false }, /full path/],
      [{ jobIds: [ids.deblur], outPath: join(dir, 'r.txt'), pdf: false }, /should end in \.html/],
      [{ jobIds: [], outPath: out, pdf: false }, /at least one done job/],
      [{ jobIds: [ids.deblur], outPath: out, pdf: true }, /PDF printing is not available/],
    ];
    for (const [input, msg] of cases) {
      const r = await call(input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(msg);
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'refused_data'))).toBe(false);
  });

  it('writes the HTML only when no PDF is asked for; the app-side overwrite hint', async () => {
    const { call } = backend();
    const out = join(dir, 'html-only.html');
    const r = await call({ jobIds: [ids.sr], outPath: out, pdf: false, title: 'HTML only' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ htmlPath: out, pdfPath: null, pages: null, sections: 1 });
    expect(await readFile(out, 'utf8')).toContain(`job #${ids.sr}`);
    const again = await call({ jobIds: [ids.sr], outPath: out, pdf: false });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toContain('Tick "Replace an existing report of that name"');
  }, 60_000);

  it('the staging call fails after the host wrote its temporaries (host died): main removes them', async () => {
    // the op ran to the end (its files staged), then the host "died" before answering
    const dying: ComputeClient = {
      run: async <T>(op: string, input: unknown, opts?: Parameters<ComputeClient['run']>[2]) => {
        await inProcessCompute.run<T>(op, input, opts);
        throw new LabError('E_RUNTIME', 'The compute process stopped unexpectedly (signal SIGKILL) while this task was running.');
      },
      close: async () => {},
    };
    const { call } = backend({ compute: dying });
    const r = await call({ jobIds: [ids.sr], outPath: join(dir, 'host-died.html'), pdf: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_RUNTIME');
    expect(await leftovers('host-died')).toEqual([]);
  }, 60_000);

  it('a printer that cannot start: the HTML and its data folder are placed, the error says why there is no PDF', async () => {
    let asked = 0;
    const { call } = backend({ reportPrinter: async () => (asked++, Promise.reject(new Error('no Chromium at /usr/bin/chromium'))) });
    const out = join(dir, 'no-printer.html');
    const r = await call({ jobIds: [ids.sr], outPath: out, pdf: true });
    expect(asked).toBe(1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/no-printer\.html and its data folder were written, but the PDF could not be made.*no Chromium at \/usr\/bin\/chromium/);
    expect(await readFile(out, 'utf8')).toContain(`job #${ids.sr}`);
    expect(existsSync(join(dir, 'no-printer_data', 'manifest.json'))).toBe(true);
    expect((await leftovers('no-printer')).sort()).toEqual(['no-printer.html', 'no-printer_data']);
  }, 60_000);

  it('shutdown waits for running tasks to settle, but only up to its bound', async () => {
    const never: ComputeClient = { run: () => new Promise(() => {}), close: async () => {} };
    const { call, backend: b } = backend({ compute: never });
    void call({ taskId: 'rep-stuck', jobIds: [ids.sr], outPath: join(dir, 'stuck.html'), pdf: false });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await b.shutdown({ waitMs: 300 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
  });

  it.skipIf(!CAN_PRINT)('prints HTML + PDF of two restoration jobs with the injected printer, progress under the taskId', async () => {
    let opened = 0, closed = 0;
    const { call, events } = backend({
      reportPrinter: async () => {
        opened++;
        const p = await chromiumPrinter();
        return { print: p.print, close: async () => void (closed++, await p.close()) };
      },
    });
    const out = join(dir, 'restore-report.html');
    const r = await call({ taskId: 'rep-1', jobIds: [ids.deblur, ids.sr], outPath: out, pdf: true, title: 'SEM restoration check', operator: 'vitest', sample: 'discs' });
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    const v = r.value as CallOutput<'report.export'>;
    expect(v).toMatchObject({ htmlPath: out, pdfPath: join(dir, 'restore-report.pdf'), dataDir: join(dir, 'restore-report_data'), sections: 2 });
    expect(v.pages).toBeGreaterThanOrEqual(3);
    expect([opened, closed]).toEqual([1, 1]);
    const progress = events.filter((e) => e.name === 'task.progress').map((e) => e.payload as { taskId: string; fraction: number });
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p) => p.taskId === 'rep-1')).toBe(true);
    expect(progress.at(-1)!.fraction).toBe(1);
    const text = execFileSync('pdftotext', ['-layout', v.pdfPath!, '-'], { encoding: 'utf8' });
    const d = JSON.parse(await readFile(join(fx.deblur, 'result.json'), 'utf8'));
    const s = JSON.parse(await readFile(join(fx.sr, 'result.json'), 'utf8'));
    for (const needle of [`job #${ids.deblur}`, `job #${ids.sr}`, 'SEM restoration check', 'Deblurring: deblur-rl', 'Super-resolution ×2: sr-bicubic',
      formatValue(d.metrics.reference.psnrDb.output), formatValue(s.metrics.reference.psnrDb.output), `Page 1 of ${v.pages}`]) {
      expect(text, needle).toContain(needle);
    }
    console.log(`[report.export] ${v.pages} pages, ${v.figures} figures, ${v.dataFiles} data files`);
  }, 120_000);
});

describe('report.export through a real forked compute host', () => {
  let host: MessageComputeClient;
  beforeAll(() => {
    host = forkComputeHost();
  });
  afterAll(() => host.close());

  /** Six sections, so that a cancellation lands while the host is still building. */
  const sixJobs = () => [ids.deblur, ids.sr, ids.deblur, ids.sr, ids.deblur, ids.sr];

  it('builds the report in the host, with progress under the taskId, the files in place', async () => {
    const { call, events } = backend({ compute: host });
    const out = join(dir, 'hosted.html');
    const r = await call({ taskId: 'rep-host', jobIds: [ids.deblur, ids.sr], outPath: out, pdf: false, title: 'Hosted' });
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ htmlPath: out, pdfPath: null, dataDir: join(dir, 'hosted_data'), sections: 2 });
    expect(await readFile(out, 'utf8')).toContain(`job #${ids.sr}`);
    expect(existsSync(join(dir, 'hosted_data', 'manifest.json'))).toBe(true);
    const progress = events.filter((e) => e.name === 'task.progress').map((e) => e.payload as { taskId: string; fraction: number; message?: string });
    expect(progress.every((p) => p.taskId === 'rep-host')).toBe(true);
    // at least the first section's report from inside the host, then the end
    expect(progress.some((p) => /^section 1 of 2/.test(p.message ?? ''))).toBe(true);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect((await leftovers('hosted')).sort()).toEqual(['hosted.html', 'hosted_data']);
  }, 120_000);

  it('cancelled while the host builds: E_CANCELLED, no report, no data folder, no temporary files; the host goes on', async () => {
    const { call, cancel, events } = backend({ compute: host, reportPrinter: async () => { throw new Error('not reached'); } });
    const out = join(dir, 'cancel-build.html');
    let cancelled = false;
    const started = new Promise<void>((resolve) => {
      const push = events.push.bind(events);
      events.push = (...items) => {
        const n = push(...items);
        if (!cancelled && items.some((e) => e.name === 'task.progress')) (cancelled = true), resolve();
        return n;
      };
    });
    const run = call({ taskId: 'rep-cancel', jobIds: sixJobs(), outPath: out, pdf: true });
    await started;
    expect(await cancel('rep-cancel')).toMatchObject({ ok: true, value: { cancelled: true } });
    const r = await run;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_CANCELLED');
    const fractions = events.filter((e) => e.name === 'task.progress').map((e) => (e.payload as { fraction: number }).fraction);
    expect(Math.max(...fractions)).toBeLessThan(0.8 * (5 / 6)); // stopped before the last section
    expect(existsSync(out)).toBe(false);
    expect(await leftovers('cancel-build')).toEqual([]);
    // the same host serves the next export
    const again = await backend({ compute: host }).call({ jobIds: [ids.sr], outPath: join(dir, 'after-cancel.html'), pdf: false });
    expect(again.ok, again.ok ? '' : again.error.message).toBe(true);
  }, 120_000);

  it('the host killed mid-export: E_RUNTIME, and main removes the temporary files the host left', async () => {
    const { call, events } = backend({ compute: host });
    const killed = new Promise<void>((resolve) => {
      const push = events.push.bind(events);
      let done = false;
      events.push = (...items) => {
        const n = push(...items);
        if (!done && items.some((e) => e.name === 'task.progress')) (done = true), process.kill(host.pid!, 'SIGKILL'), resolve();
        return n;
      };
    });
    const r = await call({ jobIds: sixJobs(), outPath: join(dir, 'host-killed.html'), pdf: false });
    await killed;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_RUNTIME');
    expect(await leftovers('host-killed')).toEqual([]);
  }, 120_000);

  it('quitting mid-export: shutdown returns once the export has settled, so closing the host then leaves no file', async () => {
    const own = forkComputeHost();
    try {
      const { call, events, backend: b } = backend({ compute: own });
      const started = new Promise<void>((resolve) => {
        const push = events.push.bind(events);
        events.push = (...items) => {
          const n = push(...items);
          if (items.some((e) => e.name === 'task.progress')) resolve();
          return n;
        };
      });
      let settled = false;
      const run = call({ taskId: 'rep-quit', jobIds: sixJobs(), outPath: join(dir, 'quit-export.html'), pdf: false }).finally(() => (settled = true));
      await started;
      await b.shutdown(); // as main does on before-quit, then it closes the host
      expect(settled).toBe(true);
      expect(await leftovers('quit-export')).toEqual([]);
      const r = await run;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('E_CANCELLED');
    } finally {
      await own.close();
    }
  }, 120_000);

  it('cancelled while main prints the PDF: nothing is placed and the staged files are removed', async () => {
    let printed = 0, closed = 0;
    let cancel!: () => Promise<unknown>;
    const { call, cancel: cancelTask } = backend({
      compute: host,
      reportPrinter: async () => ({
        print: async () => {
          printed++;
          await cancel();
          return new Uint8Array(); // never read: the cancellation is checked first
        },
        close: async () => void closed++,
      }),
    });
    cancel = () => cancelTask('rep-print');
    const out = join(dir, 'cancel-print.html');
    const r = await call({ taskId: 'rep-print', jobIds: [ids.deblur], outPath: out, pdf: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_CANCELLED');
    expect([printed, closed]).toEqual([1, 1]);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'cancel-print.pdf'))).toBe(false);
    expect(await leftovers('cancel-print')).toEqual([]);
  }, 120_000);
});
