/**
 * @file 8-bit grey PNG previews (thumbnails, report figures). This is the one place where values are scaled
 * and clipped, on purpose: a preview is for eyes, the data stays in the float TIFF beside it. [min, max]
 * maps linearly to 0..255 (default: the finite min and max), values outside clip, NaN becomes 0, +Infinity
 * 255 and -Infinity 0; a constant image (min === max) becomes all 0. The pixel size goes into pHYs (pixels
 * per metre, rounded) and the description into a tEXt "Description" chunk.
 */
import pngjs from 'pngjs';
import { LabError } from '../errors';
import { imageStats } from './stats';
import type { GreyImage } from './types';
import { checkImage, type WriteOptions } from './write-tiff';

const { PNG } = pngjs;

/** Options of the preview writer: WriteOptions plus the value window. */
export interface PngPreviewOptions extends WriteOptions {
  min?: number;
  max?: number;
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes the preview in memory. `label` names the target in messages. */
export function encodePngPreview(img: GreyImage, opts: PngPreviewOptions = {}, label = 'the PNG preview'): Uint8Array {
  checkImage(img, label);
  const { width, height, data } = img;
  let { min, max } = opts;
  if (min === undefined || max === undefined) {
    const s = imageStats(img);
    min ??= s.min;
    max ??= s.max;
  }
  const lo = min as number;
  const hi = max as number;
  // An all-NaN image has no finite range and comes out black; a range the caller gave must make sense.
  if ((opts.min !== undefined || opts.max !== undefined) && !(lo <= hi)) {
    throw new LabError('E_INVALID_INPUT', `Cannot write ${label}: the display range [${lo}, ${hi}] is not valid.`);
  }
  const range = hi > lo && Number.isFinite(hi - lo) ? hi - lo : 0;
  const grey = Buffer.alloc(width * height);
  for (let i = 0; i < grey.length; i++) {
    const v = data[i];
    // multiply before dividing: (v - lo) * (255 / range) puts exact halves a hair below .5
    if (Number.isNaN(v) || range === 0) grey[i] = v === Infinity ? 255 : 0;
    else grey[i] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / range)));
  }
  const png = new PNG({ width, height });
  png.data = grey;
  const encoded = PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });

  const extra: Uint8Array[] = [];
  if (opts.pixelSize) {
    const phys = new Uint8Array(9);
    const dv = new DataView(phys.buffer);
    dv.setUint32(0, Math.max(1, Math.min(0xffffffff, Math.round(1e6 / opts.pixelSize.x))));
    dv.setUint32(4, Math.max(1, Math.min(0xffffffff, Math.round(1e6 / opts.pixelSize.y))));
    phys[8] = 1; // unit: metre
    extra.push(chunk('pHYs', phys));
  }
  if (opts.description) {
    // tEXt is Latin-1; anything outside it goes to an uncompressed iTXt (UTF-8) instead
    const latin = !/[^\x00-\xff]/.test(opts.description);
    const key = new TextEncoder().encode('Description');
    const body = latin
      ? Uint8Array.from(opts.description, (c) => c.charCodeAt(0))
      : new TextEncoder().encode(opts.description);
    const head = latin ? [...key, 0] : [...key, 0, 0, 0, 0, 0];
    extra.push(chunk(latin ? 'tEXt' : 'iTXt', Uint8Array.from([...head, ...body])));
  }
  if (extra.length === 0) return new Uint8Array(encoded);
  const ihdrEnd = 8 + 25; // signature + IHDR chunk; extra chunks must come before IDAT
  return new Uint8Array(Buffer.concat([encoded.subarray(0, ihdrEnd), ...extra, encoded.subarray(ihdrEnd)]));
}
