/**
 * @file Writes one job's result folder atomically (DESIGN: "Result folders").
 *
 * Everything is written into a hidden sibling `.NAME.partial-<pid>-<time>` and renamed onto NAME at the
 * end, so a crash, a cancel or a full disk never leaves a half result under the real name. An existing
 * non-empty folder is never overwritten: the caller gets E_INVALID_INPUT naming it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LabError, toLabError } from '../errors';

export interface ResultFile {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
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
    files.push({ name: 'result.json', path: resultPath, sha256: await sha256File(resultPath), bytes: json.length });
    return { outDir: target, files };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw toLabError(err);
  }
}
