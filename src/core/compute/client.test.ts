/**
 * @file The compute client against real forked hosts (Note: Host restart, client.ts): a host killed in the
 * middle of a run fails that run with a clear E_RUNTIME, the next run gets a fresh process with the state
 * the old one had been given, and a host that keeps dying is not started again until the window passes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { PROVIDERS_ENV } from '../infer/providers';
import { crashLoopRetryAfterMs, forkComputeHost, isHostStoppedError, MessageComputeClient, type ForkOptions, type HostLauncher } from './client';

const FIXTURE = fileURLToPath(new URL('./test-host.fixture.ts', import.meta.url));

/** The parent's environment without a provider order, so only a replayed `providers.set` can set one. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[PROVIDERS_ENV];
  return env;
}

const clients: MessageComputeClient[] = [];
function start(opts: ForkOptions = {}, env = cleanEnv()): MessageComputeClient {
  const c = forkComputeHost(env, { onHostCrash: () => {}, ...opts });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function failure(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}

/** Starts `test.hold` and resolves once the host is inside it. */
async function holding(c: MessageComputeClient, signal?: AbortSignal): Promise<{ run: Promise<unknown> }> {
  let started!: () => void;
  const inside = new Promise<void>((r) => (started = r));
  const run = c.run('test.hold', {}, { signal, onProgress: () => started() });
  run.catch(() => {});
  await inside;
  return { run };
}

type State = { pid: number; providers: string | null };

describe('compute host restart', () => {
  it('fails the run a killed host was doing, then runs the next call on a fresh host with its state', async () => {
    const c = start({ entry: FIXTURE });
    expect(await c.run('providers.set', { providers: ['cpu'] })).toEqual(['cpu']);
    const before = await c.run<State>('test.state', {});
    expect(before.providers).toBe('cpu');

    const { run } = await holding(c);
    process.kill(before.pid, 'SIGKILL');
    const err = await failure(run);
    expect(err.code).toBe('E_RUNTIME');
    expect(err.message).toMatch(/^The compute process stopped unexpectedly \(signal SIGKILL\) while this task was running\./);
    expect(err.message).toContain('The app has restarted it');

    const after = await c.run<State>('test.state', {});
    expect(after.pid).not.toBe(before.pid);
    expect(c.pid).toBe(after.pid);
    // the provider order set from Settings before the crash holds in the new host too
    expect(after.providers).toBe('cpu');

    // progress and cancellation reach the new host
    const ctl = new AbortController();
    const again = await holding(c, ctl.signal);
    ctl.abort();
    expect((await failure(again.run)).code).toBe('E_CANCELLED');
  });

  it('restarts the real host entry (the harness and CLI path) after it is killed mid-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-client-'));
    try {
      const c = start();
      let killed = false;
      const big = c.run('simulate.pair', { outDir: join(dir, 'pair'), width: 4096, height: 4096, speckleSize: 3, noise: 'none', field: 'constant:0.5,0.25', seed: 1 }, {
        onProgress: () => {
          if (killed) return;
          killed = true;
          process.kill(c.pid!, 'SIGKILL');
        },
      });
      const first = c.pid;
      const err = await failure(big);
      expect(killed).toBe(true);
      expect(err.code).toBe('E_RUNTIME');
      expect(err.message).toContain('(signal SIGKILL)');
      expect(c.pid).toBeUndefined();

      expect(await c.run('providers.set', { providers: ['cpu'] })).toEqual(['cpu']);
      expect(c.pid).toBeGreaterThan(0);
      expect(c.pid).not.toBe(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops restarting a host that died 3 times within 60 s, and starts one again once the window has passed', async () => {
    let now = 1_000_000;
    const c = start({ entry: FIXTURE, now: () => now, crashGuard: { maxCrashes: 3, windowMs: 60_000 } });
    const die = async () => failure(c.run('test.exit', { code: 134 }));

    // a death long before the others is outside the window and does not count
    expect((await die()).message).toContain('stopped unexpectedly (exit code 134)');
    now += 70_000;
    expect((await die()).message).toContain('The app has restarted it');
    now += 10_000;
    expect((await die()).message).toContain('The app has restarted it');
    now += 10_000;
    const third = await die();
    expect(third.code).toBe('E_RUNTIME');
    expect(third.message).toContain('stopped unexpectedly (exit code 134)');
    expect(third.message).toContain('stopped 3 times in the last 60 s');
    expect(third.message).not.toContain('has restarted it');

    // refused at once, with no process started; the wait counts from the oldest death in the window
    now += 20_000;
    const refused = await failure(c.run('test.state', {}));
    expect(refused.code).toBe('E_RUNTIME');
    expect(refused.message).toMatch(/stopped 3 times in the last 60 s \(last: exit code 134\), so the app is not restarting it for now\. Try again in 20 s/);
    expect(c.pid).toBeUndefined();

    // the oldest of the three deaths leaves the window: a fresh host again
    now += 20_000;
    const state = await c.run<State>('test.state', {});
    expect(state.pid).toBeGreaterThan(0);
  });

  it('close is not a crash: runs in flight are cancelled and later runs refused', async () => {
    const c = start({ entry: FIXTURE });
    const { run } = await holding(c);
    await c.close();
    expect((await failure(run)).code).toBe('E_CANCELLED');
    expect((await failure(c.run('test.state', {}))).code).toBe('E_CANCELLED');
  });

  it('close ends the process before it rejects the runs in flight, so their cleanup never races a live host', async () => {
    let stopped = false;
    const launch: HostLauncher = (onExit) => ({
      pid: 1,
      port: { onMessage: () => {}, postMessage: () => {} }, // a run that never answers
      stop: async () => {
        await new Promise((r) => setTimeout(r, 20));
        stopped = true;
        onExit('signal SIGTERM');
      },
    });
    const c = new MessageComputeClient(launch, { onHostCrash: () => {} });
    clients.push(c);
    const seen = c.run('x', {}).then(
      () => 'resolved',
      (err: LabError) => `${err.code} with the process ${stopped ? 'gone' : 'still running'}: ${err.message}`,
    );
    await c.close();
    expect(await seen).toBe('E_CANCELLED with the process gone: The task was cancelled: the compute process was shut down (the app is closing).');
  });

  it('marks a run its host died under (hostStopped) apart from a run the crash guard refused (retryAfterMs)', async () => {
    // An in-process stand-in for a host that dies on every run: no process is forked.
    const launch: HostLauncher = (onExit) => {
      let gone = false;
      const die = () => {
        if (!gone) (gone = true), onExit('signal SIGKILL');
      };
      return { pid: 1, port: { onMessage: () => {}, postMessage: () => void setTimeout(die, 1) }, stop: async () => die() };
    };
    let now = 5_000_000;
    const c = new MessageComputeClient(launch, { now: () => now, crashGuard: { maxCrashes: 3, windowMs: 60_000 }, onHostCrash: () => {} });
    clients.push(c);
    for (let k = 0; k < 3; k++) {
      const died = await failure(c.run('x', {}));
      expect(died.code).toBe('E_RUNTIME');
      expect(isHostStoppedError(died)).toBe(true);
      expect(crashLoopRetryAfterMs(died)).toBeUndefined();
      now += 5_000;
    }
    const refused = await failure(c.run('x', {}));
    expect(refused.code).toBe('E_RUNTIME');
    expect(isHostStoppedError(refused)).toBe(false);
    expect(crashLoopRetryAfterMs(refused)).toBe(45_000); // until the first death leaves the 60 s window
    expect(isHostStoppedError(new LabError('E_RUNTIME', 'The compute process stopped unexpectedly'))).toBe(false);
    await c.close();
    expect(isHostStoppedError(await failure(c.run('x', {})))).toBe(false); // closed: cancelled, not a crash
  });
});
