/**
 * @file Writes one job's result folder atomically (DESIGN: "Result folders").
 *
 * Everything is written into a hidden sibling `.NAME.partial-<pid>-<time>` and renamed onto NAME at the
 * end, so a crash, a cancel or a full disk never leaves a half result under the real name. An existing
 * non-empty folder is never overwritten: the caller gets E_INVALID_INPUT naming it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LabError, toLabError } from '../errors';

export interface ResultFile {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * sha256 of a file, streamed: inputs can be larger than a Buffer (2 GiB) and larger than memory. Errors
 * are LabErrors naming the file, so a watch job can tell a file that is gone for now (E_NOT_FOUND,
 * retried) from a bug (E_INTERNAL, not retried); see "Note: watch errors" in watch/job-runner.ts.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    // 1 MiB reads: images run to hundreds of MB, and fewer system calls hash them faster.
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (err) {
    throw fsError(err, path);
  }
  return hash.digest('hex');
}

function fsError(err: unknown, path: string): LabError {
  const lab = toLabError(err);
  const errno = (err as NodeJS.ErrnoException)?.code;
  // toLabError knows only a few errnos; the others reading a file (EBUSY while the detector software
  // still holds it, EMFILE, EIO or ESTALE on a share) are the moment's trouble, not a bug.
  if (lab.code === 'E_INTERNAL' && typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno)) {
    return new LabError('E_IO', `${path} could not be read (${(err as Error).message}).`, path);
  }
  return lab;
}

async function isEmptyDir(path: string): Promise<boolean | null> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return false;
    return (await readdir(path)).length === 0;
  } catch {
    return null; // does not exist
  }
}

/**
 * Runs `fill(tmpDir)` to write the files, adds `result.json`, then renames the folder into place.
 * Returns the final folder and the files with their sha256 (result.json last).
 */
export async function writeResultFolder(
  outDir: string,
  fill: (tmpDir: string) => Promise<void>,
  resultJson: (files: ResultFile[]) => Record<string, unknown>,
): Promise<{ outDir: string; files: ResultFile[] }> {
  const target = resolve(outDir);
  const empty = await isEmptyDir(target);
  if (empty === false) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The output folder ${target} already exists and is not empty; nothing was overwritten. Choose a new folder.`,
      target,
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    const names = (await readdir(tmp)).sort();
    const files: ResultFile[] = [];
    for (const name of names) {
      const p = join(tmp, name);
      files.push({ name, path: join(target, name), sha256: await sha256File(p), bytes: (await stat(p)).size });
    }
    const json = JSON.stringify(resultJson(files), null, 2) + '\n';
    await writeFile(join(tmp, 'result.json'), json);
    if (empty === true) await rmdir(target); // an empty folder the user made for us: take its place
    await rename(tmp, target);
    const resultPath = join(target, 'result.json');
    files.push({ name: 'result.json', path: resultPath, sha256: await sha256File(resultPath), bytes: Buffer.byteLength(json) });
    return { outDir: target, files };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw toLabError(err);
  }
}
