/**
 * @file `lab report` as a user runs it (in-process through runReport, the function main.ts dispatches to):
 * a report of a simulated-and-tracked job with notes from a file, the refusal to overwrite without
 * --force, one line naming a folder that is not a result folder, and usage mistakes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabError } from '../core/errors';
import { quietContext } from '../core/progress';
import { runSimulatePairTask } from '../core/tasks/simulate-pair-task';
import { runTrackTask } from '../core/tasks/track-task';
import { formatValue } from '../core/report/format';
import { makeRestoreFixtures } from '../core/report/report-fixtures';
import { runReport } from './report';
import { UsageError } from './usage-error';

const HAVE_CHROMIUM = existsSync(process.env.LAB_CHROMIUM ?? '/usr/bin/chromium');
let dir: string;
let job: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-report-cli-'));
  const pair = join(dir, 'pair');
  job = join(dir, 'run-01');
  await runSimulatePairTask({ outDir: pair, width: 96, height: 80, speckleSize: 4, noise: 'poisson:5000', field: 'constant:0.4,-0.25', seed: 9 }, quietContext());
  await runTrackTask({ refPaths: [join(pair, 'reference.tif')], defPaths: [join(pair, 'deformed.tif')], method: 'icgn', step: 4, threads: 0, outDir: job }, quietContext());
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the command, returning its exit code (or the error it throws) and what it printed. */
async function lab(...args: string[]) {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
  try {
    return { code: await runReport(args), out: out.join('\n'), error: null as Error | null };
  } catch (e) {
    return { code: null, out: out.join('\n'), error: e as Error };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('lab report', () => {
  it('writes the HTML and its data folder, with notes from a file', async () => {
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'Specimen clamped at 20 °C.\nCamera: 5 MP, 50 mm lens.');
    const out = join(dir, 'report.html');
    const r = await lab(job, '--out', out, '--title', 'Shift check', '--sample', 'S-12', '--operator', 'R. Lee', '--notes', notes);
    expect(r.error).toBeNull();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*report\.html \(1 section\(s\), \d+ figures\)/);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Specimen clamped at 20 °C.<br>Camera: 5 MP, 50 mm lens.');
    expect(html).toContain('S-12');
    expect(html).toContain('run-01');
    expect(existsSync(join(dir, 'report_data', 'job1_run-01', 'u.tif'))).toBe(true);
    // The pair's truth was found by sha256 without --truth.
    expect(html).toContain('Accuracy against the ground truth');
  }, 120_000);

  it('never overwrites an existing report unless --force', async () => {
    const out = join(dir, 'again.html');
    expect((await lab(job, '--out', out)).code).toBe(0);
    const before = await readFile(out, 'utf8');
    const r = await lab(job, '--out', out, '--title', 'Changed');
    expect(r.error).toBeInstanceOf(LabError);
    expect(r.error!.message).toContain(out);
    expect(r.error!.message).toContain('--force');
    expect(await readFile(out, 'utf8')).toBe(before);
    const forced = await lab(job, '--out', out, '--title', 'Changed', '--force');
    expect(forced.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('Changed');
  }, 120_000);

  it('refuses to delete a same-named folder it did not write, even with --force', async () => {
    await mkdir(join(dir, 'mine_data'));
    await writeFile(join(dir, 'mine_data', 'precious.txt'), 'keep');
    const r = await lab(job, '--out', join(dir, 'mine.html'), '--force');
    expect(r.error?.message).toMatch(/mine_data exists and was not written by a report/);
    expect(existsSync(join(dir, 'mine_data', 'precious.txt'))).toBe(true);
  });

  it('names a bad job folder in one line and writes nothing', async () => {
    const bad = join(dir, 'not-a-job');
    await mkdir(bad);
    const out = join(dir, 'bad.html');
    for (const folder of [bad, join(dir, 'missing')]) {
      const r = await lab(job, folder, '--out', out);
      expect(r.error).toBeInstanceOf(LabError);
      expect(r.error!.message).toContain(folder);
      expect(r.error!.message).not.toContain('\n');
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'bad_data'))).toBe(false);
  });

  it('reports usage mistakes as usage errors', async () => {
    expect((await lab('--out', join(dir, 'x.html'))).error).toBeInstanceOf(UsageError);
    expect((await lab(job)).error).toBeInstanceOf(UsageError);
    expect((await lab(job, '--out', join(dir, 'x.pdf'))).error).toBeInstanceOf(UsageError);
    expect((await lab(job, '--out', join(dir, 'x.html'), '--notes', 'missing-notes.txt')).error?.message).toContain('missing-notes.txt');
  });

  it('reports real lab deblur / lab sr folders with their method and metrics', async () => {
    const fx = await makeRestoreFixtures(join(dir, 'restore'));
    const out = join(dir, 'restore.html');
    const r = await lab(fx.deblur, fx.sr, '--out', out, '--title', 'SEM');
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/wrote .*restore\.html \(2 section\(s\), 2 figures\)/);
    const html = await readFile(out, 'utf8');
    const d = JSON.parse(await readFile(join(fx.deblur, 'result.json'), 'utf8'));
    for (const needle of ['Deblurring: deblur-rl', 'Super-resolution ×2: sr-bicubic', 'Richardson–Lucy deconvolution', formatValue(d.metrics.reference.psnrDb.output)]) expect(html).toContain(needle);
    expect(existsSync(join(dir, 'restore_data', 'job1_deblur-rl', 'deblurred.tif'))).toBe(true);
    expect(existsSync(join(dir, 'restore_data', 'job2_sr-bicubic', 'inset_A_before.tif'))).toBe(true);
  }, 120_000);

  it.skipIf(!HAVE_CHROMIUM)('prints the PDF with --pdf', async () => {
    const r = await lab(job, '--out', join(dir, 'p.html'), '--pdf', join(dir, 'p.pdf'), '--title', 'With PDF');
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/pdf +.*p\.pdf \(\d+ pages\)/);
    const head = (await readFile(join(dir, 'p.pdf'))).subarray(0, 5).toString('latin1');
    expect(head).toBe('%PDF-');
  }, 120_000);
});
