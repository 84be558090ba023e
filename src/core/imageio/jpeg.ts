/**
 * @file JPEG reading with jpeg-js (8-bit baseline and progressive, grey or YCbCr colour). A marker walk of
 * our own finds the frame header first, to report the true channel count (jpeg-js always hands back RGB)
 * and to refuse 12-bit, lossless and CMYK files with a clear message instead of a wrong picture. A file
 * must end with the EOI marker (trailing zero padding allowed): a JPEG still being written decodes "fine"
 * with grey blocks at the bottom, so a missing EOI is reported as E_TRUNCATED.
 */
import jpeg from 'jpeg-js';
import { LabError } from '../errors';
import { interleavedToGrey } from './grey';
import { densityPixelSize } from './metadata';
import type { ImageMeta, LoadedImage, PixelSize } from './types';

/** True when the bytes end with FF D9, ignoring trailing zero bytes that some writers pad with. */
export function jpegHasEoi(tail: Uint8Array): boolean {
  let end = tail.length;
  while (end > 0 && tail[end - 1] === 0) end--;
  return end >= 2 && tail[end - 2] === 0xff && tail[end - 1] === 0xd9;
}

interface Frame {
  sof: number;
  precision: number;
  components: number;
  pixelSize?: PixelSize;
}

/** Walks the markers up to the first scan. */
function readFrame(bytes: Uint8Array, name: string): Frame {
  const frame: Frame = { sof: -1, precision: 8, components: 0 };
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) throw new LabError('E_CORRUPT', `"${name}" is a damaged JPEG (no marker at byte ${p}).`, name);
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = (bytes[p + 2] << 8) | bytes[p + 3];
    const seg = bytes.subarray(p + 4, p + 2 + length);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && seg.length >= 6) {
      frame.sof = marker;
      frame.precision = seg[0];
      frame.components = seg[5];
    } else if (marker === 0xe0 && seg.length >= 12 && String.fromCharCode(...seg.subarray(0, 4)) === 'JFIF') {
      const units = seg[7];
      const x = (seg[8] << 8) | seg[9];
      const y = (seg[10] << 8) | seg[11];
      const size = units === 1 ? densityPixelSize(x, y, 25400, 'JPEG JFIF density (dpi)') :
        units === 2 ? densityPixelSize(x, y, 1e4, 'JPEG JFIF density (dots/cm)') : undefined;
      if (size) frame.pixelSize = size;
    }
    p += 2 + length;
  }
  return frame;
}

/** Decodes a JPEG held in memory. `name` is used in messages. */
export async function decodeJpeg(bytes: Uint8Array, name: string): Promise<LoadedImage> {
  if (!jpegHasEoi(bytes.subarray(Math.max(0, bytes.length - 4096)))) {
    throw new LabError(
      'E_TRUNCATED',
      `"${name}" is a truncated JPEG: it does not end with the end-of-image marker (FF D9). If it is still ` +
        'being written, wait and try again; otherwise copy it again.',
      name,
    );
  }
  const frame = readFrame(bytes, name);
  const unsupported = (what: string) =>
    new LabError(
      'E_UNSUPPORTED', `"${name}" is a ${what} JPEG, which this app does not read; save it as TIFF or PNG.`, name,
    );
  if (frame.sof < 0) throw new LabError('E_CORRUPT', `"${name}" is a damaged JPEG (no frame header).`, name);
  if (frame.precision !== 8) throw unsupported(`${frame.precision}-bit`);
  if (![0xc0, 0xc1, 0xc2].includes(frame.sof)) throw unsupported('lossless or arithmetic-coded');
  if (frame.components !== 1 && frame.components !== 3) throw unsupported(`${frame.components}-channel (CMYK?)`);

  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 4096, maxResolutionInMP: 500 });
  } catch (err) {
    throw new LabError('E_CORRUPT', `"${name}" could not be decoded as JPEG (${(err as Error).message}).`, name);
  }
  const { width, height } = decoded;
  const n = width * height;
  const grey = frame.components === 1;
  let data: Float32Array;
  let greyRule: string | undefined;
  if (grey) {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = decoded.data[3 * i];
  } else {
    ({ data, greyRule } = interleavedToGrey(decoded.data, n, 3));
  }
  const meta: ImageMeta = {
    format: 'jpeg', sampleType: 'uint8', bitsPerSample: 8, samplesPerPixel: frame.components,
    colour: grey ? 'grey' : 'rgb', pageCount: 1, compression: frame.sof === 0xc2 ? 'progressive' : 'baseline',
  };
  if (greyRule) meta.greyRule = greyRule;
  if (frame.pixelSize) meta.pixelSize = frame.pixelSize;
  return { width, height, data, meta };
}
