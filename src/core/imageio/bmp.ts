/**
 * @file A small BMP reader (the format is a header plus raw rows, so no library is needed): 1/4/8-bit
 * palette, 24-bit BGR and 32-bit BGRX or bit-field files with 8-bit masks; bottom-up or top-down rows;
 * OS/2 (12-byte) and Windows (40/52/56/108/124-byte) headers. RLE-compressed and 16-bit files are refused
 * with E_UNSUPPORTED. An 8-bit file whose palette is the identity grey ramp is reported as grey; other
 * colour becomes grey by "Note: Grey rule" (grey.ts). The 4th byte of a 32-bit BI_RGB pixel is ignored
 * (most writers leave it 0 or 255, it is not reliably alpha).
 */
import { LabError } from '../errors';
import { interleavedToGrey, paletteToGrey } from './grey';
import { densityPixelSize } from './metadata';
import type { ImageMeta, LoadedImage } from './types';

/** The header fields we use; exported for the completeness check. */
export interface BmpHeader {
  dataOffset: number;
  headerSize: number;
  width: number;
  /** rows, always positive; `topDown` says the order */
  height: number;
  topDown: boolean;
  bpp: number;
  compression: number;
  imageSize: number;
  xPpm: number;
  yPpm: number;
  colours: number;
  /** bytes per stored row (rows are padded to 4 bytes) */
  stride: number;
}

/** Parses the BMP headers; throws E_TRUNCATED when the headers themselves are cut. */
export function readBmpHeader(b: Uint8Array, name: string): BmpHeader {
  const cut = () =>
    new LabError('E_TRUNCATED', `"${name}" is a truncated BMP: it ends inside its header (${b.length} bytes).`, name);
  if (b.length < 26) throw cut();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const headerSize = dv.getUint32(14, true);
  if (b.length < 14 + Math.min(headerSize, 40)) throw cut();
  let width: number, rawHeight: number, bpp: number;
  let compression = 0, imageSize = 0, xPpm = 0, yPpm = 0, colours = 0;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    rawHeight = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
  } else if (headerSize >= 40) {
    width = dv.getInt32(18, true);
    rawHeight = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    imageSize = dv.getUint32(34, true);
    xPpm = dv.getInt32(38, true);
    yPpm = dv.getInt32(42, true);
    colours = dv.getUint32(46, true);
  } else {
    const what = `"${name}" has a BMP header of ${headerSize} bytes, which this app does not read.`;
    throw new LabError('E_UNSUPPORTED', what, name);
  }
  const height = Math.abs(rawHeight);
  if (!(width > 0 && height > 0 && width * height <= 2 ** 30)) {
    throw new LabError('E_CORRUPT', `"${name}" is a damaged BMP (image size ${width}×${rawHeight}).`, name);
  }
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  return {
    dataOffset: dv.getUint32(10, true), headerSize, width, height, topDown: rawHeight < 0, bpp, compression,
    imageSize, xPpm, yPpm, colours, stride,
  };
}

/** Byte just past the pixel data the header promises. */
export function bmpDataEnd(h: BmpHeader): number {
  return h.dataOffset + (h.compression === 1 || h.compression === 2 ? h.imageSize : h.stride * h.height);
}

/** Decodes a BMP held in memory. `name` is used in messages. */
export async function decodeBmp(b: Uint8Array, name: string): Promise<LoadedImage> {
  const h = readBmpHeader(b, name);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const { width, height, bpp, stride } = h;
  const unsupported = (what: string) =>
    new LabError('E_UNSUPPORTED', `"${name}" is a ${what} BMP, which this app does not read; save it as PNG or TIFF.`, name);
  if (h.compression === 1 || h.compression === 2) throw unsupported('run-length compressed');
  if (![1, 4, 8, 24, 32].includes(bpp)) throw unsupported(`${bpp}-bit`);
  const bitfields = h.compression === 3 || h.compression === 6;
  if (h.compression !== 0 && !(bitfields && bpp === 32)) throw unsupported(`compression ${h.compression}`);
  if (bmpDataEnd(h) > b.length) {
    throw new LabError(
      'E_TRUNCATED',
      `"${name}" is a truncated BMP: its pixel data ends at byte ${bmpDataEnd(h)} but the file has only ` +
        `${b.length} bytes. If it is still being written, wait and try again.`,
      name,
    );
  }
  const n = width * height;
  const rowStart = (y: number) => h.dataOffset + (h.topDown ? y : height - 1 - y) * stride;
  let data: Float32Array;
  let greyRule: string | undefined;
  let colour: ImageMeta['colour'];
  let spp: number;
  if (bpp <= 8) {
    const entries = h.colours || 2 ** bpp;
    const entrySize = h.headerSize === 12 ? 3 : 4;
    const palStart = 14 + h.headerSize + (h.compression === 3 && h.headerSize === 40 ? 12 : 0);
    if (palStart + entries * entrySize > b.length) {
      throw new LabError('E_TRUNCATED', `"${name}" is a truncated BMP: it ends inside its palette.`, name);
    }
    const palette = new Float64Array(3 * entries);
    for (let k = 0; k < entries; k++) {
      const q = palStart + k * entrySize; // stored B, G, R
      palette[3 * k] = b[q + 2];
      palette[3 * k + 1] = b[q + 1];
      palette[3 * k + 2] = b[q];
    }
    const idx = new Uint8Array(n);
    const perByte = 8 / bpp;
    const mask = (1 << bpp) - 1;
    for (let y = 0; y < height; y++) {
      const r = rowStart(y);
      for (let x = 0; x < width; x++) {
        const byte = b[r + Math.floor(x / perByte)];
        idx[y * width + x] = (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
      }
    }
    spp = 1;
    // 8-bit BMP has no grey mode: grey images carry the identity palette k -> (k, k, k). Call those grey.
    let identity = bpp === 8;
    for (let k = 0; k < entries && identity; k++) {
      identity = palette[3 * k] === k && palette[3 * k + 1] === k && palette[3 * k + 2] === k;
    }
    if (identity) {
      data = Float32Array.from(idx);
      greyRule = undefined;
      colour = 'grey';
    } else {
      ({ data, greyRule } = paletteToGrey(idx, n, palette));
      colour = 'palette';
    }
  } else {
    // Channel byte positions within a pixel: BGR(X) unless bit-field masks say otherwise.
    let [ri, gi, bi] = [2, 1, 0];
    let alpha = false;
    if (bitfields) {
      const maskAt = 14 + 40; // masks follow the 40-byte header, or sit inside V2+ headers at the same place
      const masks = [0, 1, 2, 3].map((i) => (maskAt + 4 * i + 4 <= b.length ? dv.getUint32(maskAt + 4 * i, true) : 0));
      const pos = masks.map((m) => [0xff, 0xff00, 0xff0000, 0xff000000].indexOf(m));
      if (pos.slice(0, 3).some((p) => p < 0)) throw unsupported('bit-field layout other than 8 bits per channel');
      [ri, gi, bi] = pos;
      alpha = (h.headerSize >= 56 || h.compression === 6) && pos[3] >= 0;
    }
    const px = bpp / 8;
    const rgb = new Uint8Array(3 * n);
    for (let y = 0; y < height; y++) {
      const r = rowStart(y);
      for (let x = 0; x < width; x++) {
        const q = r + x * px;
        const o = 3 * (y * width + x);
        rgb[o] = b[q + ri];
        rgb[o + 1] = b[q + gi];
        rgb[o + 2] = b[q + bi];
      }
    }
    ({ data, greyRule } = interleavedToGrey(rgb, n, 3));
    colour = alpha ? 'rgba' : 'rgb';
    spp = alpha ? 4 : 3;
    if (alpha) greyRule += '; alpha ignored';
  }
  const meta: ImageMeta = {
    format: 'bmp', sampleType: 'uint8', bitsPerSample: bpp <= 8 ? bpp : 8, samplesPerPixel: spp, colour,
    greyRule, pageCount: 1, compression: 'none',
  };
  const size = densityPixelSize(h.xPpm, h.yPpm, 1e6, 'BMP header (pixels per metre)');
  if (size) meta.pixelSize = size;
  return { width, height, data, meta };
}
