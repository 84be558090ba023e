/**
 * @file The harness start-up after a crash (store.ts, Note: interrupted jobs): it opens a job history a
 * power cut left behind, the watch jobs are queued again, the interactive ones are failed with the
 * "Interrupted" message, and Retry through the real `jobs.retry` handler answers with what to do instead.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComputeClient } from '../core/compute/client';
import { LabError } from '../core/errors';
import { openJobStore } from '../core/jobs/store';
import { startHarness, type Harness } from './server';

// No job runs in these tests; the back end's start-up probe gets a clear refusal instead of a forked host.
const noCompute: ComputeClient = {
  async run() {
    throw new LabError('E_UNSUPPORTED', 'no compute host in this test');
  },
  async close() {},
};

let dir: string;
let harness: Harness | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-harness-recovery-'));
  await mkdir(join(dir, 'web'));
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('harness start-up after a crash', () => {
  it('requeues watch jobs, fails interactive ones, and Retry says to run them again from their workspace', async () => {
    const dataDir = join(dir, 'data');
    const before = openJobStore(join(dataDir, 'jobs.sqlite'));
    const watch = before.createJob({ kind: 'track', params: { watch: { rule: 'r', out: join(dir, 'out'), inputs: [] } } });
    before.markRunning(watch.id);
    const track = before.createJob({ kind: 'track', params: { ref: '/a.tif', cur: '/b.tif' } });
    before.markRunning(track.id);
    const stuck = before.createJob({ kind: 'sr', params: { inPath: '/sem.tif' } }); // queued by an older start-up
    before.close();

    harness = await startHarness({ port: 0, webRoot: join(dir, 'web'), dataDir, compute: noCompute });
    const { jobs, backend } = harness;
    expect(jobs.getJob(watch.id)!.state).toBe('queued');
    for (const id of [track.id, stuck.id]) {
      expect(jobs.getJob(id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Interrupted: the app stopped while this job ran \(started .+ UTC\)\. Run it again from its workspace\.$/) });
    }
    const listed = await backend.handlers['jobs.list']({ limit: 10, offset: 0, state: 'failed', origin: 'any' });
    expect(listed.jobs.map((j) => j.id).sort()).toEqual([track.id, stuck.id]);

    const err = await backend.handlers['jobs.retry']({ jobId: track.id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('E_UNSUPPORTED');
    expect((err as LabError).message).toMatch(/run it again from its workspace/);
    // Failed is final: Cancel has nothing to do, and the job stays as recovered.
    expect(await backend.handlers['jobs.cancel']({ jobId: track.id })).toEqual({ cancelled: false });
    expect(jobs.getJob(track.id)!.state).toBe('failed');
  });
});
