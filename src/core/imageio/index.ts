/**
 * @file Public face of imageio: read any supported image into the core's grey float32 form, write results
 * (float32 and 16-bit TIFF, 8-bit PNG previews) atomically, summarise pixels, and tell whether a file that
 * may still be arriving is complete. Formats are recognised by their first bytes, never by extension.
 * Conventions: "Note: Image convention" (types.ts), "Note: Grey rule" (grey.ts), "Note: Pixel size rules"
 * (metadata.ts). Every failure is a LabError whose message names the file.
 */
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors';
import { writeFileAtomic } from './atomic';
import { decodeBmp } from './bmp';
import { statImageFile } from './complete';
import { decodeJpeg } from './jpeg';
import { decodePng } from './png';
import { sniffFormat, unknownFormatError } from './sniff';
import { decodeTiff } from './tiff';
import type { GreyImage, LoadedImage } from './types';
import { encodePngPreview, type PngPreviewOptions } from './write-png';
import { encodeTiff, type WriteOptions } from './write-tiff';

export * from './types';
export { imageStats, HISTOGRAM_BINS, type ImageStats } from './stats';
export { isImageComplete, type Completeness } from './complete';
export { encodeTiffFloat32, encodeTiff16, type WriteOptions } from './write-tiff';
export { encodePngPreview, type PngPreviewOptions } from './write-png';
export { READABLE_FORMATS, sniffFormat, type ImageFormat } from './sniff';

/** Reads the first page of an image file; format by magic bytes, not extension. Throws LabError naming the file. */
export async function readImage(path: string): Promise<LoadedImage> {
  await statImageFile(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path, { flag: 'r' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The image file "${path}" does not exist.`, path);
    throw new LabError('E_IO', `Cannot read "${path}" (${code ?? (err as Error).message}).`, path);
  }
  return decodeImage(bytes, path);
}

/** Same as readImage, from bytes; `name` is used in messages. */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<LoadedImage> {
  if (bytes.length === 0) {
    throw new LabError(
      'E_TRUNCATED',
      `"${name}" is empty (0 bytes). If it is still being written, wait and try again.`,
      name,
    );
  }
  const format = sniffFormat(bytes.subarray(0, 16));
  if (!format) throw unknownFormatError(bytes.subarray(0, 512), name);
  try {
    const img =
      format === 'tiff' ? await decodeTiff(bytes, name)
      : format === 'png' ? await decodePng(bytes, name)
      : format === 'jpeg' ? await decodeJpeg(bytes, name)
      : await decodeBmp(bytes, name);
    if (img.data.length !== img.width * img.height) throw new Error(`decoded ${img.data.length} values`);
    return img;
  } catch (err) {
    if (err instanceof LabError) throw err;
    // Decoders throw plain errors on input they choke on; anything reaching here is a file problem.
    throw new LabError(
      'E_CORRUPT',
      `"${name}" could not be decoded as ${format.toUpperCase()} (${(err as Error).message}); the file is probably damaged.`,
      name,
    );
  }
}

/**
 * Float32 TIFF (uncompressed, little-endian, 1 sample; description and pixel size as in write-tiff.ts).
 * Written to a temp name in the same folder then renamed, so a crash never leaves a half file; never
 * overwrites an existing file unless opts.overwrite.
 */
export async function writeTiffFloat32(path: string, img: GreyImage, opts: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, naming(path, () => encodeTiff(img, 'float32', opts, `"${path}"`)), opts.overwrite);
}

/** 16-bit unsigned TIFF; values are rounded; E_INVALID_INPUT naming the path for NaN or values outside 0..65535. */
export async function writeTiff16(path: string, img: GreyImage, opts: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, naming(path, () => encodeTiff(img, 'uint16', opts, `"${path}"`)), opts.overwrite);
}

/** 8-bit grey PNG preview mapping [opts.min, opts.max] (default finite min/max) to 0..255; NaN → 0. Atomic. */
export async function writePngPreview(path: string, img: GreyImage, opts: PngPreviewOptions = {}): Promise<void> {
  await writeFileAtomic(path, naming(path, () => encodePngPreview(img, opts, `"${path}"`)), opts.overwrite);
}

/** Runs an encoder, attaching the target path to its errors (encoders know only a label). */
function naming(path: string, encode: () => Uint8Array): Uint8Array {
  try {
    return encode();
  } catch (err) {
    throw err instanceof LabError && !err.file ? new LabError(err.code, err.message, path) : err;
  }
}
