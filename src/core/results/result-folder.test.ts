/**
 * @file Result folders and checksums: sha256File streams (inputs over 2 GiB, a sparse file here) and
 * reports a missing file as E_NOT_FOUND naming it, and result.json's recorded size is in bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { sha256File, writeResultFolder } from './result-folder';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-result-folder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sha256File', () => {
  it('hashes a file of many read chunks as one', async () => {
    const bytes = randomBytes(3 * 65536 + 17);
    await writeFile(join(dir, 'a.bin'), bytes);
    expect(await sha256File(join(dir, 'a.bin'))).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('hashes a file larger than 2 GiB, which cannot be read into one Buffer', async () => {
    const path = join(dir, 'big.raw');
    await writeFile(path, '');
    await truncate(path, 2 ** 31 + 1); // sparse: no disk space, all zeros
    // sha256 of 2^31 + 1 zero bytes (`head -c 2147483649 /dev/zero | sha256sum`)
    expect(await sha256File(path)).toBe('b8030a8ab89280935633d8d991da3d9907c0f12e8b6fc3bfc515f4d440872b6e');
  });

  it('reports a missing file as E_NOT_FOUND naming it, not as a raw ENOENT', async () => {
    const path = join(dir, 'gone.tif');
    const err = await sha256File(path).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'E_NOT_FOUND', file: path });
    expect((err as LabError).message).toContain(path);
  });
});

describe('writeResultFolder', () => {
  it('records the size of result.json in bytes, not UTF-16 code units', async () => {
    const res = await writeResultFolder(
      join(dir, 'out'),
      async (tmp) => writeFile(join(tmp, 'a.txt'), 'a'),
      (files) => ({ kind: 'test', note: 'pixel size 0.65 µm, Δz = 3 mm, 強度', files }),
    );
    const rj = res.files.find((f) => f.name === 'result.json')!;
    expect(rj.bytes).toBe((await stat(rj.path)).size);
    expect(rj.bytes).toBe((await readFile(rj.path)).length);
  });
});
