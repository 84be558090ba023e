/**
 * @file The job-store methods the watch queue added (store.ts): createJobUnlessKey as the exactly-once
 * primitive, raced by several processes on one database file; requeue (running → queued only); listOldest.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { openJobStore } from '../jobs/store';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-queue-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const blockLive = (j: { state: string }) => j.state !== 'cancelled';

describe('job store: queue methods', () => {
  it('createJobUnlessKey adds a job once per key, unless the existing ones do not block', () => {
    const store = openJobStore(join(dir, 'a.sqlite'));
    const a = store.createJobUnlessKey({ kind: 'info', params: { n: 1 }, inputKey: 'k1' }, blockLive);
    const b = store.createJobUnlessKey({ kind: 'info', params: { n: 2 }, inputKey: 'k1' }, blockLive);
    expect([a.created, b.created, b.job.id]).toEqual([true, false, a.job.id]);
    store.markCancelled(a.job.id, 'superseded');
    const c = store.createJobUnlessKey({ kind: 'info', params: { n: 3 }, inputKey: 'k1' }, blockLive);
    expect(c.created).toBe(true);
    expect(store.findByInputKey('k1').map((j) => j.state)).toEqual(['queued', 'cancelled']);
    store.close();
  });

  it('requeue moves a running job back to queued, and nothing else', () => {
    const store = openJobStore(join(dir, 'b.sqlite'));
    const j = store.createJob({ kind: 'info', params: {} });
    expect(() => store.requeue(j.id)).toThrow(LabError);
    store.markRunning(j.id);
    expect(store.requeue(j.id)).toMatchObject({ state: 'queued', startedAt: null, attempts: 1 });
    expect(store.listOldest('queued').map((x) => x.id)).toEqual([j.id]);
    store.close();
  });

  it('listOldest returns a state\'s jobs oldest first', () => {
    const store = openJobStore(join(dir, 'c.sqlite'));
    const ids = [1, 2, 3].map((n) => store.createJob({ kind: 'info', params: { n } }).id);
    store.markRunning(ids[1]);
    expect(store.listOldest('queued').map((j) => j.id)).toEqual([ids[0], ids[2]]);
    expect(store.listOldest('queued', 1).map((j) => j.id)).toEqual([ids[0]]);
    store.close();
  });

  it('several processes racing createJobUnlessKey on one database create the job exactly once', async () => {
    const db = join(dir, 'race.sqlite');
    openJobStore(db).close();
    const go = join(dir, 'go');
    const code = `const { openJobStore } = await import(${JSON.stringify(join(REPO, 'src', 'core', 'jobs', 'store.ts'))});
      const { existsSync } = await import('node:fs');
      const s = openJobStore(${JSON.stringify(db)}, { busyTimeoutMs: 20000 });
      console.log('ready');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2)); // all start together
      let created = 0;
      const from = Math.floor(Math.random() * 50); // each process walks the keys from its own start: more collisions
      for (let k = 0; k < 50; k++) created += s.createJobUnlessKey({ kind: 'info', params: {}, inputKey: 'key-' + ((k + from) % 50) }, () => true).created ? 1 : 0;
      s.close(); console.log(created);`;
    let ready = 0;
    const run = () =>
      new Promise<number>((res, rej) => {
        const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (d.toString().includes('ready') && ++ready === 4) void writeFile(go, '');
        });
        child.on('exit', (c) => (c === 0 ? res(Number(out.trim().split('\n').pop())) : rej(new Error(`child exited ${c}`))));
      });
    const created = await Promise.all([run(), run(), run(), run()]);
    const store = openJobStore(db);
    console.log(`createJobUnlessKey race: 4 processes × 50 keys, created per process ${created.join(', ')}; jobs in the database ${store.count()}`);
    expect(created.reduce((a, b) => a + b, 0)).toBe(50);
    expect(store.count()).toBe(50);
    store.close();
  });
});
