/**
 * @file Opening an image for viewing: decode, checksum and statistics in one pass over the file, so the
 * renderer gets everything it shows (info panel, histogram, provenance) from one call.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LabError, toLabError } from '../errors';
import { decodeImage, imageStats, type ImageMeta } from '../imageio';

export interface OpenedImageData {
  path: string;
  width: number;
  height: number;
  data: Float32Array;
  meta: ImageMeta;
  stats: ReturnType<typeof imageStats>;
  sha256: string;
  sizeBytes: number;
}

export async function openImageFile(path: string): Promise<OpenedImageData> {
  const abs = resolve(path);
  let bytes: Uint8Array;
  try {
    const s = await stat(abs);
    if (s.isDirectory()) throw new LabError('E_INVALID_INPUT', `${abs} is a folder, not an image file.`, abs);
    bytes = new Uint8Array(await readFile(abs));
  } catch (err) {
    throw toLabError(err);
  }
  const img = await decodeImage(bytes, abs);
  return {
    path: abs,
    width: img.width,
    height: img.height,
    data: img.data,
    meta: img.meta,
    stats: imageStats(img),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.byteLength,
  };
}
