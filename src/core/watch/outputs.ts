/**
 * @file The output side of a watch session: adopting a result folder that a crashed run already renamed
 * into place, removing the hidden `.NAME.partial-PID-TIME` folders a killed process left behind, and the
 * lock that keeps two watchers off one job database (see Note: watch exactly-once in dispatcher.ts).
 */
import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError, toLabError } from '../errors';
import { sha256File, type ResultFile } from '../results/result-folder';

const ResultJsonFiles = z.object({ files: z.array(z.object({ name: z.string().min(1), sha256: z.string(), bytes: z.number() })) });

/**
 * A job's result folder found already in place: the previous run got as far as the atomic rename but
 * not as far as recording 'done'. Returns its files (each checked against the sha256 in result.json), or
 * null when there is no folder (or an empty one). Throws when the folder holds something else.
 */
export async function adoptResultFolder(dir: string): Promise<ResultFile[] | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw toLabError(err);
  }
  if (names.length === 0) return null;
  const bad = (why: string) =>
    new LabError('E_INVALID_INPUT', `The result folder ${dir} already exists but ${why}; it was left untouched. Move it aside to process this job again.`, dir);
  let listed: z.output<typeof ResultJsonFiles>;
  try {
    listed = ResultJsonFiles.parse(JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')));
  } catch {
    throw bad('has no readable result.json');
  }
  const files: ResultFile[] = [];
  for (const f of listed.files) {
    const path = join(dir, f.name);
    const sha = await sha256File(path).catch(() => '');
    if (sha !== f.sha256) throw bad(`its ${f.name} does not match result.json`);
    files.push({ name: f.name, path, sha256: sha, bytes: f.bytes });
  }
  const rj = join(dir, 'result.json');
  files.push({ name: 'result.json', path: rj, sha256: await sha256File(rj), bytes: (await stat(rj)).size });
  return files;
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
