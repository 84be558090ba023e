/**
 * @file A small TIFF directory (IFD) walker: header, the chain of pages, tag values and the strip/tile
 * extents. Pixel decoding is geotiff's job (see tiff.ts); this exists for what geotiff does not give us
 * cheaply and with our error wording: counting pages, checking that every strip lies inside the file (a file
 * still being written, or cut short by a copy, says E_TRUNCATED with the byte numbers instead of decoding
 * garbage), and reading vendor tags without loading pixels. Classic TIFF and BigTIFF, either byte order.
 */
import { LabError } from '../errors';
import type { ByteSource } from './source';

/** One directory entry; the value lives at `valueAt` (inside the entry when it fits). */
export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  valueAt: number;
  byteLength: number;
}

export interface TiffIfd {
  offset: number;
  entries: Map<number, TiffEntry>;
}

export interface TiffStructure {
  littleEndian: boolean;
  bigTiff: boolean;
  /** every page's directory, first page first */
  ifds: TiffIfd[];
  /** why the page chain stopped early (a later directory beyond the end of the file), if it did */
  chainProblem?: string;
}

/** Bytes per value of each TIFF field type (1 BYTE ... 18 IFD8). */
const TYPE_SIZE: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};
/** A corrupt chain can point back at itself; real stacks are far below this. */
const MAX_PAGES = 200_000;
const MAX_ENTRIES = 4096;

export const TAG = {
  width: 256, height: 257, bitsPerSample: 258, compression: 259, photometric: 262, description: 270,
  stripOffsets: 273, samplesPerPixel: 277, rowsPerStrip: 278, stripByteCounts: 279, xResolution: 282,
  yResolution: 283, planarConfig: 284, resolutionUnit: 296, software: 305, colorMap: 320, tileWidth: 322,
  tileLength: 323, tileOffsets: 324, tileByteCounts: 325, extraSamples: 338, sampleFormat: 339,
  zeissSem: 34118, feiSfeg: 34680, feiHelios: 34682,
} as const;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function truncated(name: string, what: string, end: number, size: number): LabError {
  return new LabError(
    'E_TRUNCATED',
    `"${name}" is truncated: ${what} ends at byte ${end} but the file has only ${size} bytes. ` +
      'If it is still being written, wait and try again; otherwise copy it again from the instrument.',
    name,
  );
}

async function readExact(src: ByteSource, offset: number, length: number, name: string, what: string) {
  if (offset < 0 || offset + length > src.size) throw truncated(name, what, offset + length, src.size);
  return src.read(offset, length);
}

/** Reads the header and every page's directory (entries only; values are read on demand). */
export async function readTiffStructure(src: ByteSource, name: string): Promise<TiffStructure> {
  const head = await readExact(src, 0, Math.min(16, src.size), name, 'the TIFF header');
  if (head.length < 8) throw truncated(name, 'the TIFF header', 8, src.size);
  const littleEndian = head[0] === 0x49;
  const dv = view(head);
  const version = dv.getUint16(2, littleEndian);
  const bigTiff = version === 43;
  let first: number;
  if (bigTiff) {
    if (head.length < 16) throw truncated(name, 'the BigTIFF header', 16, src.size);
    if (dv.getUint16(4, littleEndian) !== 8) {
      throw new LabError('E_CORRUPT', `"${name}" has a BigTIFF header with an unknown offset size.`, name);
    }
    first = Number(dv.getBigUint64(8, littleEndian));
  } else {
    first = dv.getUint32(4, littleEndian);
  }
  if (first === 0) throw new LabError('E_CORRUPT', `"${name}" is a TIFF without any image directory.`, name);

  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  let offset = first;
  let chainProblem: string | undefined;
  while (offset !== 0 && ifds.length < MAX_PAGES && !seen.has(offset)) {
    seen.add(offset);
    try {
      const { ifd, next } = await readIfd(src, offset, littleEndian, bigTiff, name, ifds.length);
      ifds.push(ifd);
      offset = next;
    } catch (err) {
      // The first page must be whole; a broken link further on still lets the first page be read.
      if (ifds.length === 0) throw err;
      chainProblem = (err as Error).message;
      break;
    }
  }
  return { littleEndian, bigTiff, ifds, chainProblem };
}

async function readIfd(
  src: ByteSource, offset: number, le: boolean, big: boolean, name: string, page: number,
): Promise<{ ifd: TiffIfd; next: number }> {
  const what = `the image directory of page ${page + 1}`;
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const c = view(await readExact(src, offset, countSize, name, what));
  const n = big ? Number(c.getBigUint64(0, le)) : c.getUint16(0, le);
  if (n === 0 || n > MAX_ENTRIES) {
    throw new LabError('E_CORRUPT', `"${name}" has a damaged TIFF directory (${n} entries on page ${page + 1}).`, name);
  }
  const blockLength = n * entrySize + (big ? 8 : 4);
  const block = await readExact(src, offset + countSize, blockLength, name, what);
  const dv = view(block);
  const entries = new Map<number, TiffEntry>();
  for (let i = 0; i < n; i++) {
    const p = i * entrySize;
    const tag = dv.getUint16(p, le);
    const type = dv.getUint16(p + 2, le);
    const count = big ? Number(dv.getBigUint64(p + 4, le)) : dv.getUint32(p + 4, le);
    const size = TYPE_SIZE[type];
    if (!size) continue; // unknown field types are skipped, as the TIFF 6.0 spec asks readers to do
    const byteLength = size * count;
    const inline = byteLength <= (big ? 8 : 4);
    const fieldAt = offset + countSize + p + (big ? 12 : 8);
    const valueAt = inline ? fieldAt : big ? Number(dv.getBigUint64(p + 12, le)) : dv.getUint32(p + 8, le);
    entries.set(tag, { tag, type, count, valueAt, byteLength });
  }
  const np = n * entrySize;
  const next = big ? Number(dv.getBigUint64(np, le)) : dv.getUint32(np, le);
  return { ifd: { offset, entries }, next };
}

/** A tag's values as numbers (rationals divided out); [] when absent. */
export async function tagNumbers(src: ByteSource, s: TiffStructure, ifd: TiffIfd, tag: number, name: string) {
  const e = ifd.entries.get(tag);
  if (!e) return [];
  const b = await readExact(src, e.valueAt, e.byteLength, name, `TIFF tag ${tag}`);
  const dv = view(b);
  const le = s.littleEndian;
  const out = new Array<number>(e.count);
  for (let i = 0; i < e.count; i++) {
    switch (e.type) {
      case 1: case 2: case 7: out[i] = dv.getUint8(i); break;
      case 6: out[i] = dv.getInt8(i); break;
      case 3: out[i] = dv.getUint16(2 * i, le); break;
      case 8: out[i] = dv.getInt16(2 * i, le); break;
      case 4: case 13: out[i] = dv.getUint32(4 * i, le); break;
      case 9: out[i] = dv.getInt32(4 * i, le); break;
      case 5: out[i] = dv.getUint32(8 * i, le) / dv.getUint32(8 * i + 4, le); break;
      case 10: out[i] = dv.getInt32(8 * i, le) / dv.getInt32(8 * i + 4, le); break;
      case 11: out[i] = dv.getFloat32(4 * i, le); break;
      case 12: out[i] = dv.getFloat64(8 * i, le); break;
      case 16: case 18: out[i] = Number(dv.getBigUint64(8 * i, le)); break;
      case 17: out[i] = Number(dv.getBigInt64(8 * i, le)); break;
    }
  }
  return out;
}

/**
 * A text tag as a string; undefined when absent. TIFF says ASCII, but vendors write UTF-8 (FEI) or Latin-1
 * (Zeiss writes µ as byte 0xB5), so UTF-8 is tried strictly first and Latin-1 is the fallback.
 */
export async function tagText(src: ByteSource, ifd: TiffIfd, tag: number, name: string) {
  const e = ifd.entries.get(tag);
  if (!e) return undefined;
  const b = await readExact(src, e.valueAt, e.byteLength, name, `TIFF tag ${tag}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    text = new TextDecoder('latin1').decode(b);
  }
  return text.replace(/\0+$/, '');
}

/**
 * Checks that every strip (or tile) of a page lies inside the file and that the directory lists as many
 * as the image needs. Throws E_TRUNCATED (with byte numbers) or E_CORRUPT.
 */
export async function checkBlockExtents(src: ByteSource, s: TiffStructure, page: number, name: string) {
  const ifd = s.ifds[page];
  const num = async (tag: number) => tagNumbers(src, s, ifd, tag, name);
  const [width] = await num(TAG.width);
  const [height] = await num(TAG.height);
  if (!(width > 0 && height > 0)) {
    throw new LabError('E_CORRUPT', `"${name}" has no valid image size on page ${page + 1}.`, name);
  }
  const tiled = ifd.entries.has(TAG.tileOffsets);
  const offsets = await num(tiled ? TAG.tileOffsets : TAG.stripOffsets);
  const counts = await num(tiled ? TAG.tileByteCounts : TAG.stripByteCounts);
  const spp = (await num(TAG.samplesPerPixel))[0] ?? 1;
  const planes = (await num(TAG.planarConfig))[0] === 2 ? spp : 1;
  let blocks: number;
  if (tiled) {
    const [tw] = await num(TAG.tileWidth);
    const [tl] = await num(TAG.tileLength);
    blocks = tw > 0 && tl > 0 ? Math.ceil(width / tw) * Math.ceil(height / tl) * planes : NaN;
  } else {
    const rps = Math.min((await num(TAG.rowsPerStrip))[0] ?? height, height) || height;
    blocks = Math.ceil(height / rps) * planes;
  }
  const kind = tiled ? 'tile' : 'strip';
  if (offsets.length === 0 || counts.length !== offsets.length || !(offsets.length >= blocks)) {
    throw new LabError(
      'E_CORRUPT',
      `"${name}" has an inconsistent TIFF directory on page ${page + 1}: ${offsets.length} ${kind} offsets and ` +
        `${counts.length} byte counts where the image needs ${blocks}.`,
      name,
    );
  }
  for (let i = 0; i < offsets.length; i++) {
    const end = offsets[i] + counts[i];
    if (end > src.size) {
      throw truncated(name, `${kind} ${i + 1} of ${offsets.length} (page ${page + 1})`, end, src.size);
    }
  }
  // Uncompressed blocks have a known size; a short one would make the decoder read past it.
  if (((await num(TAG.compression))[0] ?? 1) === 1 && !tiled) {
    const bits = await num(TAG.bitsPerSample);
    const rowBytes = Math.ceil((width * (planes === 1 ? bits.reduce((a, b) => a + b, 0) || 1 : bits[0] || 1)) / 8);
    const rps = Math.min((await num(TAG.rowsPerStrip))[0] ?? height, height) || height;
    const perPlane = Math.ceil(height / rps);
    for (let i = 0; i < blocks; i++) {
      const rows = Math.min(rps, height - (i % perPlane) * rps);
      if (counts[i] < rows * rowBytes) {
        throw new LabError(
          'E_CORRUPT',
          `"${name}" has a damaged TIFF directory: strip ${i + 1} holds ${counts[i]} bytes where ${rows} ` +
            `uncompressed rows need ${rows * rowBytes}.`,
          name,
        );
      }
    }
  }
}
