/**
 * @file TIFF writers for results: float32 (fields, phase maps) and 8- or 16-bit unsigned (restored images,
 * which keep their input's bit depth). One uncompressed little-endian strip, one sample per pixel,
 * min-is-black, readable by ImageJ/Fiji, tifffile, libtiff and our own reader. Float32 values are copied
 * byte for byte (NaN and negative values survive); integer values are rounded, and a NaN or a value
 * outside 0..255 / 0..65535 is an error, never clipped (a caller that wants clipping, e.g. a restoration
 * whose output overshoots, clips on purpose before writing).
 *
 * Pixel size (µm) is written the way ImageJ reads it back in µm: X/YResolution in pixels per centimetre
 * with ResolutionUnit = cm, plus an ImageJ description `unit=um` (ImageJ's FileOpener converts cm to µm
 * when the description says um). Any caller description follows the ImageJ lines.
 */
import { LabError } from '../errors';
import type { GreyImage } from './types';

/** Options shared by every writer. */
export interface WriteOptions {
  /** free text stored in the file (TIFF ImageDescription, PNG tEXt "Description") */
  description?: string;
  /** pixel pitch in µm */
  pixelSize?: { x: number; y: number };
  /** replace an existing file (default: refuse) */
  overwrite?: boolean;
}

const SOFTWARE = 'Speckle Lab';
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Checks the image shape; throws E_INVALID_INPUT naming `label`. */
export function checkImage(img: GreyImage, label: string): void {
  const { width, height, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new LabError('E_INVALID_INPUT', `Cannot write ${label}: the image size ${width}×${height} is not valid.`);
  }
  if (!(data instanceof Float32Array) || data.length !== width * height) {
    throw new LabError(
      'E_INVALID_INPUT',
      `Cannot write ${label}: the image has ${data?.length} values but ${width}×${height} needs ${width * height}.`,
    );
  }
}

function checkPixelSize(opts: WriteOptions, label: string) {
  const p = opts.pixelSize;
  if (p && !(p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y))) {
    throw new LabError('E_INVALID_INPUT', `Cannot write ${label}: pixel size ${p.x}×${p.y} µm is not a positive number.`);
  }
}

/** Closest unsigned 32-bit rational to v (relative error about 1e-9 for ordinary values). */
function toRational(v: number): [number, number] {
  const den = Math.min(0xffffffff, Math.floor(0xffffffff / Math.max(v, 1)));
  return [Math.round(v * den), den];
}

/** Encodes a float32 TIFF in memory. */
export function encodeTiffFloat32(img: GreyImage, opts: WriteOptions = {}): Uint8Array {
  return encodeTiff(img, 'float32', opts, 'the float32 TIFF');
}

/** Encodes a 16-bit unsigned TIFF in memory; throws E_INVALID_INPUT on NaN or values outside 0..65535. */
export function encodeTiff16(img: GreyImage, opts: WriteOptions = {}): Uint8Array {
  return encodeTiff(img, 'uint16', opts, 'the 16-bit TIFF');
}

/** Encodes an 8-bit unsigned TIFF in memory; throws E_INVALID_INPUT on NaN or values outside 0..255. */
export function encodeTiff8(img: GreyImage, opts: WriteOptions = {}): Uint8Array {
  return encodeTiff(img, 'uint8', opts, 'the 8-bit TIFF');
}

/** Sample types the TIFF writer can store. */
export type TiffSampleKind = 'float32' | 'uint16' | 'uint8';

/** The encoder behind all three; `label` names the target in messages (the path, when writing a file). */
export function encodeTiff(img: GreyImage, kind: TiffSampleKind, opts: WriteOptions, label: string): Uint8Array {
  checkImage(img, label);
  checkPixelSize(opts, label);
  const { width, height, data } = img;
  const n = width * height;
  const bytesPerSample = kind === 'float32' ? 4 : kind === 'uint16' ? 2 : 1;
  const pixels = new Uint8Array(n * bytesPerSample);
  if (kind === 'float32') {
    if (HOST_LITTLE_ENDIAN) pixels.set(new Uint8Array(data.buffer, data.byteOffset, n * 4));
    else {
      const dv = new DataView(pixels.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(4 * i, data[i], true);
    }
  } else {
    const dv = new DataView(pixels.buffer);
    const max = kind === 'uint16' ? 65535 : 255;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (!(v >= 0 && v <= max)) {
        const x = i % width;
        const y = (i - x) / width;
        throw new LabError(
          'E_INVALID_INPUT',
          `Cannot write ${label}: pixel (x=${x}, y=${y}) is ${v}, outside the ${kind === 'uint16' ? 16 : 8}-bit range 0..${max}. ` +
            'Rescale the image yourself or save it as a float32 TIFF; values are never clipped silently.',
        );
      }
      if (kind === 'uint16') dv.setUint16(2 * i, Math.round(v), true);
      else pixels[i] = Math.round(v);
    }
  }
  if (8 + pixels.length + 4096 + (opts.description?.length ?? 0) * 3 > 0xffffffff) {
    throw new LabError('E_INVALID_INPUT', `Cannot write ${label}: the image is too large for a classic TIFF (4 GB).`);
  }

  let description = opts.description ?? '';
  if (opts.pixelSize) description = `ImageJ=1.11a\nunit=um\n${description}`;
  const enc = new TextEncoder();
  const descBytes = description ? enc.encode(description + '\0') : null;
  const softBytes = enc.encode(SOFTWARE + '\0');
  // Resolution: pixels per cm when a pixel size is known, else the neutral 1/1 with unit "none" (tifffile's
  // default; readers ignore it).
  const xRes = opts.pixelSize ? toRational(1e4 / opts.pixelSize.x) : [1, 1];
  const yRes = opts.pixelSize ? toRational(1e4 / opts.pixelSize.y) : [1, 1];

  type Tag = [tag: number, type: number, count: number, value: number | Uint8Array];
  const SHORT = 3, LONG = 4, RATIONAL = 5, ASCII = 2;
  const ratBytes = (r: number[]) => {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, r[0], true);
    dv.setUint32(4, r[1], true);
    return b;
  };
  const tags: Tag[] = [
    [254, LONG, 1, 0],
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 1, bytesPerSample * 8],
    [259, SHORT, 1, 1],
    [262, SHORT, 1, 1],
    ...(descBytes ? [[270, ASCII, descBytes.length, descBytes] as Tag] : []),
    [273, LONG, 1, 0], // strip offset, patched below
    [277, SHORT, 1, 1],
    [278, LONG, 1, height],
    [279, LONG, 1, pixels.length],
    [282, RATIONAL, 1, ratBytes(xRes)],
    [283, RATIONAL, 1, ratBytes(yRes)],
    [284, SHORT, 1, 1],
    [296, SHORT, 1, opts.pixelSize ? 3 : 1],
    [305, ASCII, softBytes.length, softBytes],
    [339, SHORT, 1, kind === 'float32' ? 3 : 1],
  ];
  const ifdSize = 2 + tags.length * 12 + 4;
  let extraSize = 0;
  for (const t of tags) if (t[3] instanceof Uint8Array && t[3].length > 4) extraSize += t[3].length + (t[3].length & 1);
  const dataOffset = Math.ceil((8 + ifdSize + extraSize) / 16) * 16;
  const out = new Uint8Array(dataOffset + pixels.length);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, tags.length, true);
  let extraAt = 8 + ifdSize;
  tags.forEach(([tag, type, count, value], i) => {
    const p = 10 + i * 12;
    dv.setUint16(p, tag, true);
    dv.setUint16(p + 2, type, true);
    dv.setUint32(p + 4, count, true);
    if (tag === 273) dv.setUint32(p + 8, dataOffset, true);
    else if (value instanceof Uint8Array) {
      if (value.length <= 4) out.set(value, p + 8);
      else {
        out.set(value, extraAt);
        dv.setUint32(p + 8, extraAt, true);
        extraAt += value.length + (value.length & 1); // values start on a word boundary (TIFF 6.0)
      }
    } else if (type === SHORT) dv.setUint16(p + 8, value, true);
    else dv.setUint32(p + 8, value, true);
  });
  dv.setUint32(10 + tags.length * 12, 0, true); // no next page
  out.set(pixels, dataOffset);
  return out;
}
