/**
 * @file A watch session whose jobs run in a compute host that an image kills (out of memory): the real
 * MessageComputeClient (crash guard included) over an in-process fake host, so no process is forked. One
 * poison image must not fail the jobs queued behind it (Note: compute host deaths, job-runner.ts).
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageComputeClient, type HostLauncher } from '../compute/client';
import type { HostReply, HostRequest } from '../compute/protocol';
import { computeRunTask, type WatchTaskInput } from '../compute/watch-ops';
import { quietContext } from '../progress';
import { isRetryableFailure } from './job-runner';
import { validateRules } from './rules';
import { runTaskInProcess } from './tasks';
import { tinyTiff, watchTestDirs } from './testing';

const w = watchTestDirs('lab-watch-oom-');

/** A host that runs `watch.task` in this process, and "dies" (exits with SIGKILL) on any image named bad*. */
function fakeHostLauncher(deaths: string[]): HostLauncher {
  return (onExit) => {
    let listener: (m: unknown) => void = () => {};
    let gone = false;
    const reply = (m: HostReply) => queueMicrotask(() => !gone && listener(m));
    return {
      pid: 4242,
      port: {
        onMessage: (l) => (listener = l),
        postMessage: (raw) => {
          const m = raw as HostRequest;
          if (m.type !== 'run' || gone) return;
          const { kind, params } = m.input as WatchTaskInput;
          const name = basename(String(params.path));
          if (name.startsWith('bad')) {
            deaths.push(name);
            gone = true;
            setTimeout(() => onExit('signal SIGKILL'), 5);
            return;
          }
          runTaskInProcess(kind, params, quietContext()).then(
            (value) => reply({ type: 'done', runId: m.runId, ok: true, value }),
            (err: Error) => reply({ type: 'done', runId: m.runId, ok: false, error: { code: 'E_INTERNAL', message: err.message } }),
          );
        },
      },
      stop: async () => {
        if (!gone) onExit('exit code 0');
        gone = true;
      },
    };
  };
}

describe('watch jobs in a compute host that an image kills', () => {
  it('fails only the images that kill the host (after one more try), waits out the crash guard, and runs every other job', async () => {
    const rules = validateRules({ version: 1, rules: [{ name: 'i', type: 'single', match: '.*\\.tif', task: { kind: 'info', preview: false } }] });
    if (!rules.ok) throw new Error('rules');
    for (const n of ['bad1', 'bad2', 'a', 'b', 'c', 'd']) await writeFile(join(w.root, `${n}.tif`), tinyTiff(n.charCodeAt(n.length - 1)));
    const deaths: string[] = [];
    // 3 deaths within 1.5 s stop the client from starting a host until the oldest leaves the window.
    const client = new MessageComputeClient(fakeHostLauncher(deaths), { crashGuard: { maxCrashes: 3, windowMs: 1500 }, onHostCrash: () => {} });
    w.afterSessions(() => client.close());
    const { s, rec } = await w.session(rules.rules, { runTask: computeRunTask(client), stableMs: 50, maxBackoffMs: 200, maxAttempts: 4, concurrency: 1 });
    await rec.until(() => rec.of('job-done').length + rec.of('job-failed').length === 6, 20_000);
    await s.whenIdle();

    const failed = rec.of('job-failed');
    expect(failed.map((f) => f.inputs[0]).sort()).toEqual(['bad1.tif', 'bad2.tif']);
    for (const f of failed) {
      expect(f.permanent).toBe(true);
      expect(f.reason).toContain(`The compute process stopped while processing ${f.inputs[0]}`);
      expect(f.reason).toMatch(/out of memory/);
      expect(isRetryableFailure(s.store.getJob(f.jobId)!)).toBe(false); // not run again by the next session
    }
    // each poison image killed the host twice: its first run and one more try, no more
    expect(deaths.sort()).toEqual(['bad1.tif', 'bad1.tif', 'bad2.tif', 'bad2.tif']);
    expect(rec.of('job-done')).toHaveLength(4);
    // the guard did refuse runs (3 deaths in its window), and the refused jobs waited rather than failed
    const refusals = rec.of('job-retry').filter((r) => /^The compute process stopped \d+ times/.test(r.reason));
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) expect(r.delayMs).toBeGreaterThan(100);
  }, 30_000);
});
