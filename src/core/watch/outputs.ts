/**
 * @file The output side of a watch session: adopting a result folder that a crashed run already renamed
 * into place (never another job's folder of the same name: a fresh name is taken beside it), removing the
 * hidden `.NAME.partial-PID-TIME` folders a killed process left behind, and the lock that keeps two
 * watchers off one job database (see Note: watch exactly-once in dispatcher.ts).
 */
import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError, toLabError } from '../errors';
import { sha256File, type ResultFile } from '../results/result-folder';
import { jobFolderName } from './matcher';

const ResultJson = z.object({
  kind: z.string(),
  inputs: z.array(z.object({ sha256: z.string() })),
  files: z.array(z.object({ name: z.string().min(1), sha256: z.string(), bytes: z.number() })),
});

/** What a result folder must have been made from to be this job's: its task and its inputs' content. */
export interface ResultIdentity {
  kind: string;
  /** in the job's order; references come first in result.json as in the task parameters (tasks.ts) */
  inputs: { role: string; sha256: string }[];
}

export type Adoption =
  | { found: 'none' }
  | { found: 'ours'; files: ResultFile[] }
  /** something else is there: left exactly as it is */
  | { found: 'other'; why: string };

/** result.json says "super-resolution" for rules that ask for "sr". */
const taskName = (kind: string) => (kind === 'sr' ? 'super-resolution' : kind);

/**
 * A job's result folder found already in place: the previous run got as far as the atomic rename but
 * not as far as recording 'done'. 'ours' only when result.json was made by this task from inputs with
 * this job's sha256, and every file it lists matches: job ids start again at 1 with a new job database,
 * so a folder of the same name can hold another experiment's results. 'none' for no folder (or an empty
 * one, which writeResultFolder may take).
 */
export async function adoptResultFolder(dir: string, job: ResultIdentity): Promise<Adoption> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { found: 'none' };
    if (code === 'ENOTDIR') return { found: 'other', why: 'is a file' };
    throw toLabError(err);
  }
  if (names.length === 0) return { found: 'none' };
  let rj: z.output<typeof ResultJson>;
  try {
    rj = ResultJson.parse(JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')));
  } catch {
    return { found: 'other', why: 'has no readable result.json' };
  }
  if (taskName(rj.kind) !== taskName(job.kind)) return { found: 'other', why: `holds a "${rj.kind}" result, not "${job.kind}"` };
  const want = [...job.inputs.filter((i) => i.role === 'reference'), ...job.inputs.filter((i) => i.role !== 'reference')].map((i) => i.sha256);
  const had = rj.inputs.map((i) => i.sha256);
  if (had.length !== want.length || had.some((h, k) => h !== want[k])) return { found: 'other', why: 'was made from other input files (their sha256 differ)' };
  const files: ResultFile[] = [];
  for (const f of rj.files) {
    const path = join(dir, f.name);
    // A listed file that is gone makes the folder not a whole result; other read errors are worth a retry.
    const sha = await sha256File(path).catch((err: unknown) => {
      if (err instanceof LabError && err.code === 'E_NOT_FOUND') return '';
      throw err;
    });
    if (sha !== f.sha256) return { found: 'other', why: `its ${f.name} does not match result.json` };
    files.push({ name: f.name, path, sha256: sha, bytes: f.bytes });
  }
  const rjPath = join(dir, 'result.json');
  files.push({ name: 'result.json', path: rjPath, sha256: await sha256File(rjPath), bytes: (await stat(rjPath)).size });
  return { found: 'ours', files };
}

/** Fresh names tried before giving up: more than any real output folder holds for one job. */
const MAX_FRESH_NAMES = 100;

/**
 * Where job `jobId` writes its results: its own finished folder (adopted), else the first of
 * `folder` ("..._job{job}"), "..._job{job}-2", ... that is free. A folder that is not this job's is
 * never adopted and never overwritten; `passed` lists those, for a warning.
 */
export async function resultFolderFor(
  outRoot: string,
  folder: string,
  jobId: number,
  job: ResultIdentity,
): Promise<{ dir: string; adopted: ResultFile[] | null; passed: { dir: string; why: string }[] }> {
  const passed: { dir: string; why: string }[] = [];
  for (let n = 1; n <= MAX_FRESH_NAMES; n++) {
    const dir = join(outRoot, jobFolderName(folder, jobId, n));
    const a = await adoptResultFolder(dir, job);
    if (a.found === 'ours') return { dir, adopted: a.files, passed };
    if (a.found === 'none') return { dir, adopted: null, passed };
    passed.push({ dir, why: a.why });
  }
  throw new LabError(
    'E_INVALID_INPUT',
    `The result folders ${passed[0].dir} to ${passed.at(-1)!.dir} are all taken by other results; move old results out of ${outRoot}.`,
    outRoot,
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes `.NAME.partial-PID-TIME` folders in `outDir` whose writer process is gone. Only those: they are
 * ours by construction (result-folder.ts), never user data, and a live writer's are left alone.
 */
export async function removeStalePartials(outDir: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(outDir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^\..+\.partial-(\d+)-\d+$/.exec(name);
    if (!m || (Number(m[1]) !== process.pid && pidAlive(Number(m[1])))) continue;
    await rm(join(outDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Tells this process's locks from those of an earlier process that had the same PID (containers reuse PIDs). */
const PROCESS_TOKEN = randomUUID();

/**
 * Takes `<db>.lock` for this process. A lock left by a dead process on this machine is taken over; a live
 * one (or one from another machine, whose processes we cannot see) is refused with a sentence that says
 * what to do. Returns the release function.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  const me = `${process.pid} ${hostname()} ${PROCESS_TOKEN}`;
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(`${me} ${new Date().toISOString()}\n`);
      await fh.close();
      return async () => {
        const now = await readFile(file, 'utf8').catch(() => '');
        if (now.startsWith(`${me} `)) await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toLabError(err);
    }
    const [pid, host, token] = (await readFile(file, 'utf8').catch(() => '')).split(' ');
    const alive =
      host !== undefined && host !== hostname() ? true
      : Number(pid) === process.pid ? token === PROCESS_TOKEN // another session of this very process
      : Number(pid) > 0 && pidAlive(Number(pid));
    if (alive) {
      throw new LabError(
        'E_IO',
        `Another watcher (process ${pid}${host && host !== hostname() ? ` on ${host}` : ''}) is using the job database beside ${file}. ` +
          'Stop it first, or give this one its own --out or --db; if you are sure it is gone, delete the lock file.',
        file,
      );
    }
    await unlink(file).catch(() => undefined); // stale: its process is gone
  }
  throw new LabError('E_IO', `Could not take the lock ${file}; another watcher seems to be starting at the same moment.`, file);
}
