/**
 * @file PNG reading with pngjs (1/2/4/8/16-bit; grey, grey+alpha, RGB, RGBA, palette). A chunk walk of our
 * own comes first: it reports truncation (no IEND, a chunk running past the end) with our wording, reads
 * pHYs and the Description text, and drops tRNS from grey and RGB files, because pngjs zeroes every pixel of
 * the "transparent" level, which would silently change user data. Values keep their stored scale (16-bit
 * stays 0..65535, 1-bit stays 0/1); colour becomes grey by "Note: Grey rule" (grey.ts).
 */
import pngjs from 'pngjs';
import { LabError } from '../errors';
import { interleavedToGrey } from './grey';
import { densityPixelSize } from './metadata';
import type { ImageMeta, LoadedImage } from './types';

const { PNG } = pngjs;

export interface PngChunk {
  type: string;
  /** offset of the chunk's length field */
  at: number;
  /** bytes of the chunk data (without length, type and CRC) */
  data: Uint8Array;
}

const latin1 = new TextDecoder('latin1');

/** Walks the chunks up to IEND; throws E_TRUNCATED when the file ends first, E_CORRUPT on nonsense. */
export function pngChunks(bytes: Uint8Array, name: string): PngChunk[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let p = 8;
  for (;;) {
    if (p + 8 > bytes.length) {
      throw new LabError(
        'E_TRUNCATED',
        `"${name}" is a truncated PNG: it ends after ${bytes.length} bytes without the IEND chunk that closes ` +
          'every PNG. If it is still being written, wait and try again; otherwise copy it again.',
        name,
      );
    }
    const length = dv.getUint32(p);
    const type = latin1.decode(bytes.subarray(p + 4, p + 8));
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) {
      throw new LabError('E_CORRUPT', `"${name}" is a damaged PNG (bad chunk at byte ${p}).`, name);
    }
    if (p + 12 + length > bytes.length) {
      throw new LabError(
        'E_TRUNCATED',
        `"${name}" is a truncated PNG: its ${type} chunk ends at byte ${p + 12 + length} but the file has only ` +
          `${bytes.length} bytes. If it is still being written, wait and try again.`,
        name,
      );
    }
    chunks.push({ type, at: p, data: bytes.subarray(p + 8, p + 8 + length) });
    p += 12 + length;
    if (type === 'IEND') return chunks;
  }
}

function textOf(chunks: PngChunk[], keyword: string): string | undefined {
  for (const c of chunks) {
    const z = c.data.indexOf(0);
    if (z < 0 || latin1.decode(c.data.subarray(0, z)) !== keyword) continue;
    if (c.type === 'tEXt') return latin1.decode(c.data.subarray(z + 1));
    if (c.type === 'iTXt' && c.data[z + 1] === 0) {
      // keyword \0 compressed-flag method language \0 translated-keyword \0 text (only uncompressed here)
      let q = c.data.indexOf(0, z + 3);
      q = q < 0 ? -1 : c.data.indexOf(0, q + 1);
      if (q >= 0) return new TextDecoder('utf-8').decode(c.data.subarray(q + 1));
    }
  }
  return undefined;
}

/** Decodes a PNG held in memory. `name` is used in messages. */
export async function decodePng(bytes: Uint8Array, name: string): Promise<LoadedImage> {
  const chunks = pngChunks(bytes, name);
  const ihdr = chunks[0];
  if (ihdr?.type !== 'IHDR' || ihdr.data.length < 13) {
    throw new LabError('E_CORRUPT', `"${name}" is a damaged PNG (it does not start with an IHDR chunk).`, name);
  }
  const colorType = ihdr.data[9];
  let input = bytes;
  if (colorType !== 3 && chunks.some((c) => c.type === 'tRNS')) {
    const kept = chunks.filter((c) => c.type !== 'tRNS').map((c) => bytes.subarray(c.at, c.at + 12 + c.data.length));
    const parts = [bytes.subarray(0, 8), ...kept];
    input = new Uint8Array(Buffer.concat(parts));
  }
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(input.buffer, input.byteOffset, input.byteLength), { skipRescale: true });
  } catch (err) {
    const msg = (err as Error).message;
    const code = /unexpected end|truncated|end of file/i.test(msg) ? 'E_TRUNCATED' : 'E_CORRUPT';
    throw new LabError(code, `"${name}" could not be decoded as PNG (${msg}); the file is probably damaged.`, name);
  }
  const { width, height, depth } = png;
  const n = width * height;
  const rgba = png.data as unknown as ArrayLike<number>; // Buffer (8-bit) or Uint16Array (16-bit), RGBA
  const COLOUR_OF_TYPE = ['grey', '', 'rgb', 'palette', 'grey-alpha', '', 'rgba'] as const; // PNG colour types 0..6
  const colour = COLOUR_OF_TYPE[colorType] as ImageMeta['colour'];
  const spp = [1, 0, 3, 1, 2, 0, 4][colorType];
  let data: Float32Array;
  let greyRule: string | undefined;
  if (colour === 'grey' || colour === 'grey-alpha') {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rgba[4 * i];
    if (colour === 'grey-alpha') greyRule = 'grey channel taken; alpha ignored';
  } else {
    ({ data, greyRule } = interleavedToGrey(rgba, n, 4));
    if (colour === 'palette') greyRule = `palette: looked up the colour, then ${greyRule}`;
    if (colour === 'rgba') greyRule += '; alpha ignored';
  }
  const meta: ImageMeta = {
    format: 'png', sampleType: depth === 16 ? 'uint16' : 'uint8', bitsPerSample: depth, samplesPerPixel: spp,
    colour, pageCount: 1, compression: 'deflate',
  };
  if (greyRule) meta.greyRule = greyRule;
  const phys = chunks.find((c) => c.type === 'pHYs' && c.data.length >= 9);
  if (phys && phys.data[8] === 1) {
    const dv = new DataView(phys.data.buffer, phys.data.byteOffset, 9);
    const size = densityPixelSize(dv.getUint32(0), dv.getUint32(4), 1e6, 'PNG pHYs chunk');
    if (size) meta.pixelSize = size;
  }
  const description = textOf(chunks, 'Description') ?? textOf(chunks, 'Comment');
  if (description) meta.description = description;
  return { width, height, data, meta };
}
