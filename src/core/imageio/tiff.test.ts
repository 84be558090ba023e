/**
 * @file TIFF reading across the whole variant matrix, built in memory by the test encoder
 * (test/fixtures/imageio/tiny-tiff.ts): 8 sample types × 2 byte orders × 4 compressions, predictors,
 * chunky/planar RGB, palette, min-is-white, several strips, and the structural errors.
 */
import { describe, expect, it } from 'vitest';
import { tinyTiff, type Compression } from '../../../test/fixtures/imageio/tiny-tiff';
import { LabError } from '../errors';
import { decodeImage } from './index';
import type { SampleType } from './types';

const W = 13;
const H = 7;

/** Values that exercise each type's range: both extremes, zero, and a spread between. */
function valuesFor(type: SampleType, n: number): number[] {
  const range: Record<SampleType, [number, number]> = {
    uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
    uint32: [0, 4294967295], int32: [-2147483648, 2147483647], float32: [-3.4e38, 3.4e38], float64: [-1e300, 1e300],
  };
  const [lo, hi] = range[type];
  const out = Array.from({ length: n }, (_, i) => {
    const t = ((i * 37) % n) / (n - 1);
    const v = lo + t * (hi - lo);
    return type.startsWith('float') ? v : Math.round(v) + 0; // + 0 turns -0 into 0
  });
  out[0] = lo;
  out[1] = hi;
  out[2] = type.startsWith('uint') ? 1 : -1;
  if (type.startsWith('float')) {
    out[3] = 0.1;
    out[4] = -2.5e-7;
  }
  return out;
}

const TYPES: SampleType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];
const COMPRESSIONS: Compression[] = ['none', 'lzw', 'deflate', 'packbits'];

async function expectCode(p: Promise<unknown>, code: string, text?: RegExp) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  if (text) expect((err as LabError).message).toMatch(text);
  return err as LabError;
}

describe('TIFF sample types × byte orders × compressions', () => {
  for (const sampleType of TYPES) {
    for (const littleEndian of [true, false]) {
      for (const compression of COMPRESSIONS) {
        it(`${sampleType} ${littleEndian ? 'little' : 'big'}-endian ${compression}`, async () => {
          const samples = valuesFor(sampleType, W * H);
          const bytes = tinyTiff({ width: W, height: H, sampleType, samples, littleEndian, compression, rowsPerStrip: 3 });
          const img = await decodeImage(bytes, 'matrix.tif');
          expect([img.width, img.height]).toEqual([W, H]);
          // float64 narrows to float32 (1e300 becomes Infinity); integers above 2^24 round to float32 too
          expect(Array.from(img.data)).toEqual(samples.map((v) => Math.fround(v)));
          expect(img.meta).toMatchObject({
            format: 'tiff', sampleType, byteOrder: littleEndian ? 'little' : 'big', compression, colour: 'grey',
            samplesPerPixel: 1, pageCount: 1,
          });
        });
      }
    }
  }
});

describe('TIFF predictors (our own, see "Note: geotiff predictor byte order")', () => {
  for (const sampleType of ['uint8', 'uint16', 'int16', 'uint32', 'int32'] as SampleType[]) {
    for (const littleEndian of [true, false]) {
      for (const compression of ['lzw', 'deflate'] as Compression[]) {
        it(`horizontal: ${sampleType} ${littleEndian ? 'LE' : 'BE'} ${compression}`, async () => {
          const samples = valuesFor(sampleType, W * H);
          const bytes = tinyTiff({ width: W, height: H, sampleType, samples, littleEndian, compression, predictor: 2, rowsPerStrip: 4 });
          const img = await decodeImage(bytes, 'pred2.tif');
          expect(Array.from(img.data)).toEqual(samples.map((v) => Math.fround(v)));
        });
      }
    }
  }
  for (const sampleType of ['float32', 'float64'] as SampleType[]) {
    for (const littleEndian of [true, false]) {
      it(`floating point: ${sampleType} ${littleEndian ? 'LE' : 'BE'} deflate`, async () => {
        const samples = valuesFor(sampleType, W * H);
        samples[5] = NaN;
        const bytes = tinyTiff({ width: W, height: H, sampleType, samples, littleEndian, compression: 'deflate', predictor: 3, rowsPerStrip: 2 });
        const img = await decodeImage(bytes, 'pred3.tif');
        expect(Array.from(img.data)).toEqual(samples.map((v) => Math.fround(v)));
      });
    }
  }
  it('horizontal predictor on chunky RGB uses the pixel stride', async () => {
    const samples = Array.from({ length: W * H * 3 }, (_, i) => (i * 5003) % 65536);
    const bytes = tinyTiff({ width: W, height: H, sampleType: 'uint16', spp: 3, samples, compression: 'lzw', predictor: 2, littleEndian: false });
    const img = await decodeImage(bytes, 'rgbpred.tif');
    const want = Array.from({ length: W * H }, (_, i) => Math.fround(0.299 * samples[3 * i] + 0.587 * samples[3 * i + 1] + 0.114 * samples[3 * i + 2]));
    expect(Array.from(img.data)).toEqual(want);
  });
  it('LZW streams long enough to fill the code table (Clear codes mid-strip)', async () => {
    const n = 96 * 96;
    const samples = Array.from({ length: n }, (_, i) => (i * 2654435761) % 65536); // scrambled: poor compression
    const bytes = tinyTiff({ width: 96, height: 96, sampleType: 'uint16', samples, compression: 'lzw' });
    const img = await decodeImage(bytes, 'lzwfull.tif');
    expect(Array.from(img.data)).toEqual(samples);
  });
});

describe('TIFF colour, palette and photometric', () => {
  const rgb = Array.from({ length: W * H * 3 }, (_, i) => (i * 31) % 256);
  const luma = Array.from({ length: W * H }, (_, i) => Math.fround(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]));

  it('RGB chunky and planar give the same BT.601 luma', async () => {
    for (const planar of [1, 2] as const) {
      const img = await decodeImage(tinyTiff({ width: W, height: H, sampleType: 'uint8', spp: 3, samples: rgb, planar, compression: 'deflate' }), 'rgb.tif');
      expect(Array.from(img.data)).toEqual(luma);
      expect(img.meta.colour).toBe('rgb');
      expect(img.meta.greyRule).toMatch(/BT\.601/);
    }
  });

  it('RGB whose channels are equal keeps the exact 16-bit values', async () => {
    const grey = Array.from({ length: W * H }, (_, i) => i * 701);
    const samples = grey.flatMap((v) => [v, v, v, 9]); // RGBA, alpha differs
    const img = await decodeImage(tinyTiff({ width: W, height: H, sampleType: 'uint16', spp: 4, samples }), 'rgba.tif');
    expect(Array.from(img.data)).toEqual(grey);
    expect(img.meta).toMatchObject({ colour: 'rgba', greyRule: expect.stringMatching(/took R exactly; alpha ignored/) });
  });

  it('grey + alpha takes the grey channel', async () => {
    const samples = Array.from({ length: W * H * 2 }, (_, i) => (i % 2 ? 255 : i));
    const img = await decodeImage(tinyTiff({ width: W, height: H, sampleType: 'uint8', spp: 2, samples }), 'ga.tif');
    expect(img.data[5]).toBe(10);
    expect(img.meta.colour).toBe('grey-alpha');
  });

  it('palette: an 8-bit grey ramp colour map gives the indices back exactly', async () => {
    const map = [0, 1, 2].flatMap(() => Array.from({ length: 256 }, (_, k) => k * 257));
    const samples = Array.from({ length: W * H }, (_, i) => (i * 3) % 256);
    const bytes = tinyTiff({ width: W, height: H, sampleType: 'uint8', samples, photometric: 3, extraTags: [{ tag: 320, type: 3, values: map }] });
    const img = await decodeImage(bytes, 'pal.tif');
    expect(Array.from(img.data)).toEqual(samples);
    expect(img.meta.colour).toBe('palette');
  });

  it('palette without a colour map is E_CORRUPT', async () => {
    const bytes = tinyTiff({ width: W, height: H, sampleType: 'uint8', samples: new Array(W * H).fill(0), photometric: 3 });
    await expectCode(decodeImage(bytes, 'nomap.tif'), 'E_CORRUPT', /nomap\.tif.*colour map/);
  });

  it('min-is-white keeps stored values and says so', async () => {
    const samples = Array.from({ length: W * H }, (_, i) => i);
    const img = await decodeImage(tinyTiff({ width: W, height: H, sampleType: 'uint8', samples, photometric: 0 }), 'miw.tif');
    expect(Array.from(img.data)).toEqual(samples);
    expect(img.meta.minIsWhite).toBe(true);
  });

  it('unsupported variants are E_UNSUPPORTED naming the file and the variant', async () => {
    const cmyk = tinyTiff({ width: W, height: H, sampleType: 'uint8', spp: 4, samples: new Array(W * H * 4).fill(0), photometric: 5 });
    await expectCode(decodeImage(cmyk, 'cmyk.tif'), 'E_UNSUPPORTED', /"cmyk\.tif".*photometric interpretation 5/);
    const jpeg = tinyTiff({ width: W, height: H, sampleType: 'uint8', samples: new Array(W * H).fill(0) });
    new DataView(jpeg.buffer).setUint16(10 + 3 * 12 + 8, 7, true); // Compression = 7 (JPEG)
    await expectCode(decodeImage(jpeg, 'jpegtiff.tif'), 'E_UNSUPPORTED', /"jpegtiff\.tif".*compression scheme 7/);
  });
});

describe('TIFF structure errors', () => {
  const good = tinyTiff({ width: W, height: H, sampleType: 'uint16', samples: new Array(W * H).fill(7), rowsPerStrip: 2 });

  it('a strip beyond the end of the file is E_TRUNCATED with the byte numbers', async () => {
    const cut = good.subarray(0, good.length - 10);
    const err = await expectCode(decodeImage(cut, 'cut.tif'), 'E_TRUNCATED', /"cut\.tif" is truncated: strip 4 of 4/);
    expect(err.message).toContain(`${cut.length} bytes`);
    expect(err.file).toBe('cut.tif');
  });

  it('a file cut inside its header or directory is E_TRUNCATED', async () => {
    await expectCode(decodeImage(good.subarray(0, 6), 'hdr.tif'), 'E_TRUNCATED', /hdr\.tif/);
    await expectCode(decodeImage(good.subarray(0, 40), 'ifd.tif'), 'E_TRUNCATED', /image directory of page 1/);
  });

  it('fewer strips than the image needs, or a short uncompressed strip, is E_CORRUPT', async () => {
    const fewer = good.slice();
    new DataView(fewer.buffer).setUint32(10 + 7 * 12 + 8, 1, true); // RowsPerStrip 2 → 1: needs 7 strips, 4 listed
    await expectCode(decodeImage(fewer, 'fewer.tif'), 'E_CORRUPT', /"fewer\.tif".*4 strip offsets.*needs 7/);
    const short = good.slice();
    new DataView(short.buffer).setUint32(10 + 7 * 12 + 8, 100, true); // RowsPerStrip 100: strip 1 must hold 7 rows
    await expectCode(decodeImage(short, 'short.tif'), 'E_CORRUPT', /"short\.tif".*strip 1 holds 52 bytes where 7 uncompressed rows need 182/);
  });

  it('a directory offset of zero or a zero-entry directory is E_CORRUPT', async () => {
    const zero = good.slice();
    new DataView(zero.buffer).setUint32(4, 0, true);
    await expectCode(decodeImage(zero, 'noifd.tif'), 'E_CORRUPT', /without any image directory/);
    const empty = good.slice();
    new DataView(empty.buffer).setUint16(8, 0, true);
    await expectCode(decodeImage(empty, 'empty-ifd.tif'), 'E_CORRUPT', /damaged TIFF directory/);
  });
});
