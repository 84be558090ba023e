/**
 * @file TIFF reading: our own directory walk (tiff-ifd.ts) checks the structure, counts pages and reads the
 * tags; geotiff decodes the pixels of the first page (none, LZW, Deflate, PackBits; either byte order;
 * strips or tiles; chunky or planar). We never hand-decode TIFF pixel data.
 *
 * What comes back (see "Note: Image convention" in types.ts): grey float32 in the stored scale. 8/16/32-bit
 * signed and unsigned integers and 32/64-bit floats are accepted (64-bit values are narrowed to float32).
 * RGB(A) and palette become grey by "Note: Grey rule" in grey.ts; palette colour maps (16-bit by the TIFF
 * spec) are first scaled to the index depth: ÷257 for 8-bit indices, so an 8-bit grey ramp gives 0..255.
 * Min-is-white files keep their stored values and set `meta.minIsWhite` (no silent inversion). The
 * Orientation tag is not applied: rows are returned as stored, as ImageJ and tifffile do.
 */
import { fromArrayBuffer } from 'geotiff';
import { LabError } from '../errors';
import { findFeiText, parseFeiMetadata, parseZeissMetadata, tiffResolutionPixelSize, type VendorInfo } from './metadata';
import { paletteToGrey, planesToGrey } from './grey';
import { predictorPool } from './tiff-predictor';
import { memorySource, type ByteSource } from './source';
import {
  checkBlockExtents, readTiffStructure, TAG, tagNumbers, tagText, type TiffIfd, type TiffStructure,
} from './tiff-ifd';
import type { ImageMeta, LoadedImage, PixelSize, SampleType } from './types';

const COMPRESSION: Record<number, string> = { 1: 'none', 5: 'lzw', 8: 'deflate', 32946: 'deflate', 32773: 'packbits' };

function sampleTypeOf(bits: number, format: number): SampleType | null {
  if (format === 3) return bits === 32 ? 'float32' : bits === 64 ? 'float64' : null;
  const signed = format === 2;
  if (format !== 1 && format !== 2 && format !== 4) return null; // 4 = "undefined": treat as unsigned
  if (bits === 8) return signed ? 'int8' : 'uint8';
  if (bits === 16) return signed ? 'int16' : 'uint16';
  if (bits === 32) return signed ? 'int32' : 'uint32';
  return null;
}

function unsupported(name: string, what: string): LabError {
  return new LabError(
    'E_UNSUPPORTED',
    `"${name}" is a TIFF variant this app does not read: ${what}. Save it as an uncompressed, LZW or Deflate ` +
      'TIFF with 8-, 16- or 32-bit integer or 32/64-bit float samples (grey, RGB or palette).',
    name,
  );
}

/** Decodes the first page of a TIFF held in memory. `name` is used in messages. */
export async function decodeTiff(bytes: Uint8Array, name: string): Promise<LoadedImage> {
  const src = memorySource(bytes);
  const s = await readTiffStructure(src, name);
  const ifd = s.ifds[0];
  const num = (tag: number) => tagNumbers(src, s, ifd, tag, name);
  const [width] = await num(TAG.width);
  const [height] = await num(TAG.height);
  const bitsList = await num(TAG.bitsPerSample);
  const spp = (await num(TAG.samplesPerPixel))[0] ?? 1;
  const compressionId = (await num(TAG.compression))[0] ?? 1;
  const photometric = (await num(TAG.photometric))[0] ?? 1;
  const format = (await num(TAG.sampleFormat))[0] ?? 1;
  const bits = bitsList[0] ?? 1;

  if (bitsList.some((b) => b !== bits)) {
    throw unsupported(name, `samples of different bit depths (${bitsList.join(', ')})`);
  }
  const sampleType = sampleTypeOf(bits, format);
  if (!sampleType) {
    const kind = format === 3 ? 'float' : format === 2 ? 'signed integer' : 'integer';
    throw unsupported(name, `${bits}-bit ${kind} samples`);
  }
  const compression = COMPRESSION[compressionId];
  if (!compression) throw unsupported(name, `compression scheme ${compressionId}`);
  const colour = colourOf(photometric, spp);
  if (!colour) throw unsupported(name, `photometric interpretation ${photometric} with ${spp} samples per pixel`);
  await checkBlockExtents(src, s, 0, name);

  const wanted = colour === 'rgb' || colour === 'rgba' ? 3 : 1;
  const planes = await decodePixels(bytes, name, wanted, width, height, s.littleEndian, spp);
  const n = width * height;
  let data: Float32Array;
  let greyRule: string | undefined;
  if (colour === 'rgb' || colour === 'rgba') {
    ({ data, greyRule } = planesToGrey(planes[0], planes[1], planes[2], n));
    if (colour === 'rgba') greyRule += '; alpha ignored';
  } else if (colour === 'palette') {
    const map = await num(TAG.colorMap);
    const entries = 2 ** bits;
    if (map.length < 3 * entries) {
      throw new LabError('E_CORRUPT', `"${name}" is a palette TIFF without a complete colour map.`, name);
    }
    const scale = bits === 8 ? 257 : 1;
    const rgb = new Float64Array(3 * entries);
    for (let k = 0; k < entries; k++) {
      for (let c = 0; c < 3; c++) rgb[3 * k + c] = map[c * entries + k] / scale;
    }
    ({ data, greyRule } = paletteToGrey(planes[0], n, rgb));
    if (scale !== 1) greyRule = greyRule.replace('looked up the colour', 'looked up the colour (16-bit map ÷257)');
  } else {
    data = planes[0] instanceof Float32Array ? new Float32Array(planes[0]) : Float32Array.from(planes[0]);
    if (colour === 'grey-alpha') greyRule = 'grey channel taken; alpha ignored';
  }

  const meta: ImageMeta = {
    format: 'tiff', sampleType, bitsPerSample: bits, samplesPerPixel: spp, colour, pageCount: s.ifds.length,
    byteOrder: s.littleEndian ? 'little' : 'big', compression,
  };
  if (greyRule) meta.greyRule = greyRule;
  if (photometric === 0) meta.minIsWhite = true;
  await addMetadata(meta, src, s, ifd, bytes, name, height);
  return { width, height, data, meta };
}

function colourOf(photometric: number, spp: number): ImageMeta['colour'] | null {
  if (photometric === 0 || photometric === 1) return spp === 1 ? 'grey' : spp === 2 ? 'grey-alpha' : null;
  if (photometric === 2) return spp === 3 ? 'rgb' : spp >= 4 ? 'rgba' : null;
  if (photometric === 3) return spp === 1 ? 'palette' : null;
  return null;
}

/** Runs geotiff on the first page; returns one typed array per requested sample. */
async function decodePixels(
  bytes: Uint8Array, name: string, samples: number, width: number, height: number, littleEndian: boolean, spp: number,
) {
  const ab =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (new Uint8Array(bytes).buffer as ArrayBuffer); // a copy: Buffer.slice would be a view
  try {
    const tiff = await fromArrayBuffer(ab);
    const image = await tiff.getImage(0);
    const rasters = await image.readRasters({
      interleave: false,
      samples: [...Array(samples).keys()],
      pool: predictorPool(littleEndian, spp) as never, // see "Note: geotiff predictor byte order"
    });
    const planes = rasters as unknown as ArrayLike<number>[];
    if (planes.length !== samples || planes[0].length !== width * height) throw new Error('unexpected raster size');
    return planes;
  } catch (err) {
    throw new LabError(
      'E_CORRUPT',
      `"${name}" could not be decoded as TIFF (${(err as Error).message}); the file is probably damaged.`,
      name,
    );
  }
}

/** Pixel size, description and vendor fields (see "Note: Pixel size rules" in metadata.ts). */
async function addMetadata(
  meta: ImageMeta, src: ByteSource, s: TiffStructure, ifd: TiffIfd, bytes: Uint8Array, name: string, height: number,
) {
  const text = (tag: number) => tagText(src, ifd, tag, name).catch(() => undefined); // metadata never blocks pixels
  const description = await text(TAG.description);
  if (description) meta.description = description;

  let vendor: VendorInfo | null = null;
  const fei = (await text(TAG.feiHelios)) ?? (await text(TAG.feiSfeg));
  if (fei) vendor = parseFeiMetadata(fei, height);
  const zeiss = vendor ? undefined : await text(TAG.zeissSem);
  if (zeiss) vendor = parseZeissMetadata(zeiss);
  if (!vendor && description?.includes('PixelWidth=')) vendor = parseFeiMetadata(description, height);
  if (!vendor && description && /AP_PIXEL_SIZE|Pixel Size\s*=/.test(description)) vendor = parseZeissMetadata(description);
  if (!vendor) {
    const found = findFeiText(bytes);
    if (found) vendor = parseFeiMetadata(found, height);
  }
  if (vendor) meta.vendor = vendor.vendor;

  const nums = async (tag: number) => tagNumbers(src, s, ifd, tag, name).catch(() => [] as number[]);
  const [xRes] = await nums(TAG.xResolution);
  const [yRes] = await nums(TAG.yResolution);
  const [resUnit] = await nums(TAG.resolutionUnit);
  // A vendor value outside 1 pm .. 1 cm is a broken field, not a calibration: fall back to the tags.
  const plausible = (p?: PixelSize) => (p && p.x > 1e-6 && p.x < 1e4 && p.y > 1e-6 && p.y < 1e4 ? p : undefined);
  const pixelSize = plausible(vendor?.pixelSize) ?? tiffResolutionPixelSize(xRes, yRes, resUnit, description);
  if (pixelSize) meta.pixelSize = pixelSize;
}
