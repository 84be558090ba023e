/**
 * @file Writes a file so that readers only ever see nothing or the whole file: the bytes go to a hidden temp
 * name in the same folder (same file system, so the final step is atomic), are flushed to disk, then take
 * their final name. Without `overwrite` the final step is a hard link, which fails if the name exists even
 * when another process created it a moment ago; on file systems without hard links (FAT, some shares) it
 * falls back to check-then-rename. Errors name the target path, never the temp name.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LabError } from '../errors';

function fsError(err: unknown, path: string): LabError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = (err as Error)?.message ?? String(err);
  if (code === 'ENOSPC') {
    return new LabError('E_IO', `Could not write "${path}": the disk is full. Nothing was overwritten.`, path);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LabError('E_IO', `Could not write "${path}": permission denied (${code}).`, path);
  }
  return new LabError('E_IO', `Could not write "${path}" (${why}).`, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `bytes` to `path` atomically; refuses an existing `path` unless `overwrite`. */
export async function writeFileAtomic(path: string, bytes: Uint8Array, overwrite = false): Promise<void> {
  const dir = dirname(path);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) {
    throw new LabError('E_NOT_FOUND', `Cannot write "${path}": the folder "${dir}" does not exist.`, path);
  }
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) {
    throw new LabError('E_INVALID_INPUT', `Cannot write "${path}": a folder of that name exists.`, path);
  }
  const refuse = () =>
    new LabError('E_INVALID_INPUT', `"${path}" already exists; choose another name or allow overwriting.`, path);
  if (target && !overwrite) throw refuse();

  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let tmpExists = false;
  try {
    const fh = await open(tmp, 'wx');
    tmpExists = true;
    try {
      await fh.writeFile(bytes);
      await fh.sync(); // the rename must not reach the disk before the data does
    } finally {
      await fh.close();
    }
    if (overwrite) {
      await rename(tmp, path);
      tmpExists = false;
      return;
    }
    try {
      await link(tmp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw refuse();
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      if (await exists(path)) throw refuse();
      await rename(tmp, path);
      tmpExists = false;
    }
  } catch (err) {
    throw err instanceof LabError ? err : fsError(err, path);
  } finally {
    if (tmpExists) await unlink(tmp).catch(() => undefined);
  }
}
