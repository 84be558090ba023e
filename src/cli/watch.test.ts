/**
 * @file `lab watch` as a user runs it, in a child process: --once exit codes, rules mistakes, Ctrl+C
 * (SIGINT) giving running jobs back to the queue, and the crash test: killed with SIGKILL in the middle
 * of jobs (three times: just after a job starts, twice, and as one writes its results), then restarted; every input must be processed exactly once, every result folder whole,
 * no half folder left. Until src/cli/main.ts dispatches `watch`, the child runs runWatch through tsx the
 * same way bin/lab.mjs would (same process shape, same exit codes).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksums, resultFolders, specklePairBytes } from '../core/watch/testing';

const REPO = resolve(import.meta.dirname, '..', '..');
const LAB = join(REPO, 'bin', 'lab.mjs');
const WIRED = /case 'watch'/.test(readFileSync(join(REPO, 'src', 'cli', 'main.ts'), 'utf8'));
const RUNNER = `const { runWatch } = await import(${JSON.stringify(join(REPO, 'src', 'cli', 'watch.ts'))});
const { UsageError } = await import(${JSON.stringify(join(REPO, 'src', 'cli', 'usage-error.ts'))});
try { process.exitCode = await runWatch(process.argv.slice(1)); }
catch (e) { const usage = e instanceof UsageError || String(e.code).startsWith('ERR_PARSE_ARGS');
  console.error(usage ? 'lab: ' + e.message + '. Run "lab --help" for usage.' : 'lab: error: ' + e.message); process.exitCode = usage ? 2 : 1; }`;
const argv = (args: string[]) =>
  WIRED ? [LAB, 'watch', ...args] : ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', RUNNER, '--', ...args];

function labWatch(...args: string[]) {
  const r = spawnSync(process.execPath, argv(args), { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs `lab watch ... --json` and hands each event to `onEvent`, which may kill the child. */
function labWatchLive(args: string[], onEvent: (ev: Record<string, unknown>, child: ChildProcess) => void): Promise<{ code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, argv([...args, '--json']), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{')) onEvent(JSON.parse(line), child);
    }
  });
  child.stderr!.resume();
  return new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-watch-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RULES = {
  version: 1,
  rules: [{ name: 'dic', type: 'pair', reference: 'ref_(\\d+)\\.tif', sample: 'sample_(\\d+)\\.tif', task: { kind: 'track', method: 'icgn', options: { subset: 15, search: 4 }, step: 2 } }],
};

async function setup(name: string, pairs: number, size = 128, step = 2): Promise<{ acq: string; out: string; rules: string }> {
  const acq = join(dir, name, 'acq');
  await mkdir(acq, { recursive: true });
  for (let i = 1; i <= pairs; i++) {
    const p = await specklePairBytes(i, size);
    await writeFile(join(acq, `ref_${String(i).padStart(2, '0')}.tif`), p.ref);
    await writeFile(join(acq, `sample_${String(i).padStart(2, '0')}.tif`), p.def);
  }
  const rules = join(dir, name, 'rules.json');
  await writeFile(rules, JSON.stringify({ ...RULES, rules: [{ ...RULES.rules[0], task: { ...RULES.rules[0].task, step } }] }));
  return { acq, out: join(dir, name, 'out'), rules };
}

/** Every pair exactly once: one valid folder each, no leftovers, one 'done' job per input key, nothing else live. */
async function expectExactlyOnce(out: string, pairs: number): Promise<void> {
  const res = await resultFolders(out);
  expect(res.hidden.filter((h) => h.includes('.partial-'))).toEqual([]);
  expect(res.folders).toHaveLength(pairs);
  const perIndex = res.folders.map((f) => f.split('_')[1]).sort();
  expect(perIndex).toEqual(Array.from({ length: pairs }, (_, i) => String(i + 1).padStart(2, '0')));
  const db = new DatabaseSync(join(out, 'jobs.sqlite'), { readOnly: true });
  const rows = db.prepare(`SELECT state, count(*) AS n, count(DISTINCT input_key) AS keys FROM jobs GROUP BY state`).all() as { state: string; n: number; keys: number }[];
  db.close();
  expect(rows).toEqual([{ state: 'done', n: pairs, keys: pairs }]);
}

describe('lab watch', () => {
  it('--once processes the folder and exits 0; a second run skips everything; a bad file makes it exit 1', async () => {
    const { acq, out, rules } = await setup('once', 2, 64);
    const before = await checksums(acq);
    const r = labWatch(acq, '--rules', rules, '--out', out, '--once', '--stable-ms', '100');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/ready\s+ref_01\.tif/);
    expect(r.out).toMatch(/done\s+job \d+ → dic_01_job\d+/);
    expect(r.out).toMatch(/stopped\s+done 2, skipped 0 \(already processed\), failed 0, files failed 0/);
    const again = labWatch(acq, '--rules', rules, '--out', out, '--once', '--stable-ms', '100');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/done 0, skipped 2/);
    await writeFile(join(acq, 'ref_03.tif'), 'a text file with an image name\n');
    const bad = labWatch(acq, '--rules', rules, '--out', out, '--once', '--stable-ms', '100');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/FAILED\s+ref_03\.tif: .*not an image format this app reads/);
    expect(await checksums(acq)).toEqual({ ...before, 'ref_03.tif': expect.any(String) });
  });

  it('reports every mistake of a rules file and usage errors with exit codes 1 and 2', async () => {
    const { acq } = await setup('mistakes', 0);
    const rules = join(dir, 'bad-rules.json');
    await writeFile(rules, JSON.stringify({ version: 1, rules: [{ type: 'pair', reference: 'r', sample: 's(\\d)', task: { kind: 'track', method: 'x' } }] }));
    const r = labWatch(acq, '--rules', rules, '--out', join(dir, 'o'), '--once');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The rules file ${rules} has 2 mistakes:`);
    expect(r.err).toMatch(/^ {2}rules\[0\]\.reference: needs a capture group/m);
    expect(r.err).toMatch(/^ {2}rules\[0\]\.task\.method: .*\(got "x"\)$/m);
    expect(labWatch(dir, '--out', join(dir, 'o')).code).toBe(2);
    expect(labWatch(join(dir, 'nope'), '--rules', rules, '--out', join(dir, 'o'), '--once').err).toMatch(/does not exist/);
  });

  it('Ctrl+C (SIGINT) stops cleanly: the running job goes back to the queue and the next start finishes it', async () => {
    const { out, rules, acq } = await setup('sigint', 3);
    let started = 0;
    const first = await labWatchLive([acq, '--rules', rules, '--out', out, '--stable-ms', '100'], (ev, child) => {
      if (ev.type === 'job-started' && ++started === 1) child.kill('SIGINT');
    });
    expect(first.code).toBe(130);
    const second = labWatch(acq, '--rules', rules, '--out', out, '--once', '--stable-ms', '100');
    expect(second.code, second.err).toBe(0);
    await expectExactlyOnce(out, 3);
  });

  it('killed with SIGKILL in the middle of jobs (three times) and restarted: every input processed exactly once', async () => {
    const pairs = 10;
    // 384 px with a coarse grid: quick to track, but the full-size maps take long enough to write that
    // the third kill can land inside the result folder's writing.
    const { acq, out, rules } = await setup('kill', pairs, 384, 24);
    const before = await checksums(acq);
    const args = [acq, '--rules', rules, '--out', out, '--once', '--stable-ms', '100', '--concurrency', '2'];
    const figures: string[] = [];
    for (const round of [1, 2, 3]) {
      let done = 0;
      const running = new Set<number>();
      const r = await labWatchLive(args, (ev, child) => {
        if (ev.type === 'job-done') (done++, running.delete(ev.jobId as number));
        // Round 3: as a job starts writing its result folder, to catch a half-written or unrecorded one.
        if (round === 3 && ev.type === 'job-progress' && ev.message === 'writing results' && !child.killed) {
          figures.push(`kill 3: while job ${ev.jobId} writes its results, ${running.size} running`);
          child.kill('SIGKILL');
        }
        if (round === 3) return void (ev.type === 'job-started' && running.add(ev.jobId as number));
        if (ev.type !== 'job-started') return;
        running.add(ev.jobId as number);
        // Right after a start (recorded 'running' before the event is printed): the kill lands inside a job.
        if (done >= 2 && !child.killed) {
          figures.push(`kill ${round}: after ${done} more job(s) done, ${running.size} running`);
          child.kill('SIGKILL');
        }
      });
      expect(r.signal).toBe('SIGKILL');
      const partial = (await readdir(out)).filter((n) => n.includes('.partial-')).length;
      figures[figures.length - 1] += `, ${partial} half-written .partial folder(s) left`;
    }
    let adopted = 0, restarted = 0, doneLast = 0;
    const last = await labWatchLive(args, (ev) => {
      if (ev.type === 'job-done') (doneLast++, (adopted += ev.adopted ? 1 : 0));
      if (ev.type === 'job-started' && (ev.attempt as number) > 1) restarted++;
    });
    expect(last.code).toBe(0);
    const db = new DatabaseSync(join(out, 'jobs.sqlite'), { readOnly: true });
    const starts = (db.prepare('SELECT attempts, count(*) AS n FROM jobs GROUP BY attempts').all() as { attempts: number; n: number }[]).map((r) => `${r.n}×${r.attempts}`);
    db.close();
    console.log(
      `SIGKILL test: ${pairs} pairs; ${figures.join('; ')}; final run: ${doneLast} done (${restarted} interrupted job(s) restarted, ` +
        `${adopted} finished folder(s) adopted); starts per job (count×starts): ${starts.join(', ')}`,
    );
    await expectExactlyOnce(out, pairs);
    expect(await checksums(acq)).toEqual(before);
  });
});
