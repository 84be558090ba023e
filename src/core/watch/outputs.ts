/**
 * @file The output side of a watch session: adopting a result folder that a crashed run already renamed
 * into place (never another job's folder of the same name: a fresh name is taken beside it), removing the
 * hidden `.NAME.partial-PID-TIME` folders a killed process left behind, and the lock that keeps two
 * watchers off one job database (see Note: watch exactly-once in dispatcher.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError, toLabError } from '../errors';
import { sha256File, type ResultFile } from '../results/result-folder';
import { resolveOptions } from '../track/track-field';
import type { AnyTrackMethod } from '../track/types';
import { jobFolderName } from './matcher';
import type { TaskSpec } from './rules';

const ResultJson = z.object({
  kind: z.string(),
  inputs: z.array(z.object({ sha256: z.string() })),
  files: z.array(z.object({ name: z.string().min(1), sha256: z.string(), bytes: z.number() })),
});

/** What a result folder must have been made from to be this job's: its task, its settings and its inputs' content. */
export interface ResultIdentity {
  kind: string;
  /** in the job's order; references come first in result.json as in the task parameters (tasks.ts) */
  inputs: { role: string; sha256: string }[];
  /** values result.json must hold, by dotted path ("method", "parameters.window"): see expectedSettings */
  settings?: ExpectedSetting[];
}

export interface ExpectedSetting {
  path: string;
  value: unknown;
}

/**
 * What result.json records of a rule's task settings, as the tasks write it (track-task.ts, xpci-task.ts,
 * restore/deblur/task.ts, restore/sr/sr-task.ts): method and the parameters with defaults filled in. A
 * folder made by the same rule name and template under other settings (zncc then umpa, another window)
 * is not this job's result. Only what the task records predictably is listed: a value missing here can
 * let a folder be adopted, a wrong value would only make the job compute its result again beside it.
 * The CNN trackers (cnn-dic, cnn-xst, cnn+icgn) are resolved the same way (resolveOptions fills in
 * CNN_DEFAULT_OPTIONS), so `parameters.model` (the model id), tile, overlap, passes, ... are compared. What
 * result.json records of how the job happened to run is not: `executionProvider` (CUDA on one start, CPU
 * after a fallback on the next is the same result), `model.sha256` and `timingsMs`.
 */
export function expectedSettings(task: TaskSpec): ExpectedSetting[] {
  const out: ExpectedSetting[] = [];
  const add = (path: string, value: unknown) => value !== undefined && out.push({ path, value });
  const tracking = (method: string, options: Record<string, unknown> | undefined) => {
    add('method', method);
    let resolved: Record<string, unknown>;
    try {
      resolved = resolveOptions(method as AnyTrackMethod, options as never) as unknown as Record<string, unknown>;
    } catch {
      resolved = options ?? {}; // an unknown method fails when run; compare what the rule says
    }
    for (const [k, v] of Object.entries(resolved)) add(`parameters.${k}`, v);
  };
  switch (task.kind) {
    case 'track':
      tracking(task.method, task.options);
      add('parameters.step', task.step);
      add('parameters.roi', task.roi ?? null);
      add('parameters.strainWindow', task.strainWindow ?? null);
      break;
    case 'xpci':
      tracking(task.method ?? 'umpa', task.options);
      add('parameters.step', task.step ?? 1);
      add('parameters.roi', task.roi ?? null);
      add('parameters.delta', task.delta ?? null);
      add('parameters.integrator', task.integrator ?? 'fc');
      add('parameters.profile', task.profile ?? null);
      add('geometry.pixelUm', task.geometry.pixelUm);
      add('geometry.distanceM', task.geometry.distanceM);
      add('geometry.energyKeV', task.geometry.energyKeV);
      add('geometry.sourceM', task.geometry.sourceM ?? null);
      break;
    case 'deblur':
      add('method', task.method);
      if (task.method === 'richardson-lucy') {
        add('parameters.iterations', task.iterations);
        if (task.sigma !== undefined) add('parameters.sigmaPx', task.sigma);
      } else {
        add('parameters.modelId', task.model);
        add('parameters.tile', task.tile);
        add('parameters.overlap', task.overlap);
      }
      break;
    case 'super-resolution':
    case 'sr':
      add('method', task.method);
      add('parameters.scale', task.scale);
      if (task.kernel !== undefined) add('parameters.kernel.spec', task.kernel);
      break;
  }
  return out;
}

/** JSON text with object keys sorted, so equal settings compare equal whatever their order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** The first setting result.json records differently, as a reason; null when all agree. */
function settingsDiffer(rj: unknown, settings: ExpectedSetting[]): string | null {
  for (const s of settings) {
    let v: unknown = rj;
    for (const key of s.path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    if (canonical(v) !== canonical(s.value)) {
      const show = (x: unknown) => (x === undefined ? 'nothing' : canonical(x).slice(0, 80));
      return `was made with other settings (${s.path} ${show(v)}, this job ${show(s.value)})`;
    }
  }
  return null;
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
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    rj = ResultJson.parse(raw);
  } catch {
    return { found: 'other', why: 'has no readable result.json' };
  }
  if (taskName(rj.kind) !== taskName(job.kind)) return { found: 'other', why: `holds a "${rj.kind}" result, not "${job.kind}"` };
  const want = [...job.inputs.filter((i) => i.role === 'reference'), ...job.inputs.filter((i) => i.role !== 'reference')].map((i) => i.sha256);
  const had = rj.inputs.map((i) => i.sha256);
  if (had.length !== want.length || had.some((h, k) => h !== want[k])) return { found: 'other', why: 'was made from other input files (their sha256 differ)' };
  const differ = job.settings ? settingsDiffer(raw, job.settings) : null;
  if (differ) return { found: 'other', why: differ };
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

/** The shape of the names the default output templates give ("{rule}_{name}_job12", a fresh "..._job12-2"). */
const JOB_FOLDER_NAME = /_job\d+(?:-\d+)?$/;
/** How long a folder found not to be a result is believed before it is looked at again. */
const NOT_RESULT_TTL_MS = 5000;

/**
 * A test of top-level folder names of `root` (the output folder, here also the watched folder): true for
 * result folders, whatever rule made them (a renamed or deleted rule, another rules file), so the watcher
 * does not take their images for new ones. A folder is a result when its name has the default templates'
 * shape (`..._job<id>` or `..._job<id>-<n>`), matches `namePattern` (the current rules' own templates), or
 * holds a result.json with a "kind" and "inputs" (any template, including one with no fixed text). A result
 * folder is renamed into place whole, so its result.json is there before any file of it is seen. Answers
 * are cached (a folder that is not a result is looked at again after a few seconds): the watcher asks for
 * every path it sees.
 */
export function resultFolderCheck(root: string, namePattern?: RegExp): (name: string) => boolean {
  const known = new Map<string, boolean | number>(); // true, or when a folder was found not to be a result
  return (name) => {
    if (JOB_FOLDER_NAME.test(name) || namePattern?.test(name)) return true;
    const k = known.get(name);
    if (k === true) return true;
    if (typeof k === 'number' && Date.now() - k < NOT_RESULT_TTL_MS) return false;
    let is = false;
    try {
      const rj = JSON.parse(readFileSync(join(root, name, 'result.json'), 'utf8')) as unknown;
      is = Boolean(rj && typeof rj === 'object' && typeof (rj as { kind?: unknown }).kind === 'string' && Array.isArray((rj as { inputs?: unknown }).inputs));
    } catch {
      is = false; // none, unreadable, or not JSON: not one of ours
    }
    if (known.size > 10_000) known.clear();
    known.set(name, is || Date.now());
    return is;
  };
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
