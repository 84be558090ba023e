/**
 * @file "Has this file finished arriving?" for the acquisition-folder watcher, answered from the format's own
 * structure and cheaply: only headers, directories and the tail are read, never the pixels.
 * TIFF: every page's directory and every strip/tile lies inside the file. PNG: the IEND chunk is there.
 * JPEG: the file ends with EOI (FF D9). BMP: the file reaches the end of the pixel data its header promises.
 * A file shorter than a format signature is "not yet"; a longer file with no known signature cannot become
 * an image by growing, so that is an E_UNSUPPORTED error rather than "not yet".
 */
import { stat } from 'node:fs/promises';
import { LabError } from '../errors';
import { bmpDataEnd, readBmpHeader } from './bmp';
import { jpegHasEoi } from './jpeg';
import { sniffFormat, SNIFF_BYTES, unknownFormatError } from './sniff';
import { withFileSource, type ByteSource } from './source';
import { checkBlockExtents, readTiffStructure } from './tiff-ifd';

export interface Completeness {
  complete: boolean;
  /** why not, in a sentence (absent when complete) */
  reason?: string;
}

const PNG_IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/** Throws E_NOT_FOUND / E_INVALID_INPUT for a missing path or a folder, like readImage. */
export async function statImageFile(path: string) {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
      throw new LabError('E_NOT_FOUND', `The image file "${path}" does not exist.`, path);
    }
    throw new LabError('E_IO', `Cannot read "${path}" (${err.code ?? err.message}).`, path);
  });
  if (st.isDirectory()) {
    throw new LabError('E_INVALID_INPUT', `"${path}" is a folder, not an image file; choose a file inside it.`, path);
  }
  return st;
}

/** See the file comment. Never modifies the file. */
export async function isImageComplete(path: string): Promise<Completeness> {
  await statImageFile(path);
  return withFileSource(path, async (src) => {
    const head = await src.read(0, Math.min(src.size, 64));
    if (src.size < SNIFF_BYTES && !sniffFormat(head)) {
      return { complete: false, reason: `"${path}" has only ${src.size} bytes so far.` };
    }
    const format = sniffFormat(head);
    if (!format) throw unknownFormatError(head, path);
    try {
      if (format === 'tiff') return await tiffComplete(src, path);
      if (format === 'png') return await pngComplete(src, path);
      if (format === 'jpeg') return await jpegComplete(src, path);
      return await bmpComplete(src, path);
    } catch (err) {
      if (err instanceof LabError && (err.code === 'E_TRUNCATED' || err.code === 'E_CORRUPT')) {
        return { complete: false, reason: err.message };
      }
      throw err;
    }
  });
}

async function tiffComplete(src: ByteSource, path: string): Promise<Completeness> {
  const s = await readTiffStructure(src, path);
  if (s.chainProblem) return { complete: false, reason: s.chainProblem };
  for (let page = 0; page < s.ifds.length; page++) await checkBlockExtents(src, s, page, path);
  return { complete: true };
}

async function pngComplete(src: ByteSource, path: string): Promise<Completeness> {
  const tail = await src.read(Math.max(0, src.size - 4096), Math.min(src.size, 4096));
  // Usually the last 12 bytes; bytes appended after IEND by some tools are tolerated.
  if (Buffer.from(tail.buffer, tail.byteOffset, tail.length).lastIndexOf(Buffer.from(PNG_IEND)) >= 0) {
    return { complete: true };
  }
  return { complete: false, reason: `"${path}" has no IEND chunk yet (${src.size} bytes).` };
}

async function jpegComplete(src: ByteSource, path: string): Promise<Completeness> {
  const tail = await src.read(Math.max(0, src.size - 4096), Math.min(src.size, 4096));
  return jpegHasEoi(tail)
    ? { complete: true }
    : { complete: false, reason: `"${path}" does not end with the JPEG end-of-image marker yet (${src.size} bytes).` };
}

async function bmpComplete(src: ByteSource, path: string): Promise<Completeness> {
  const header = readBmpHeader(await src.read(0, 64), path);
  const end = bmpDataEnd(header);
  return end <= src.size
    ? { complete: true }
    : { complete: false, reason: `"${path}" has ${src.size} of the ${end} bytes its BMP header promises.` };
}
