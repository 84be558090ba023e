/**
 * @file Bad input gives a LabError with the right code and a sentence that names the file: missing files,
 * folders, empty files, text renamed .tif, unknown formats, truncated TIFF/PNG/JPEG/BMP, unsupported
 * variants. Also checks that reading never modifies the input.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { decodeImage, readImage, READABLE_FORMATS, sniffFormat } from './index';

const FIX = resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'imageio');
const dir = mkdtempSync(join(tmpdir(), 'imageio-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

async function expectCode(p: Promise<unknown>, code: string, ...texts: (string | RegExp)[]) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  for (const t of texts) expect((err as LabError).message).toMatch(t);
  // a full sentence: starts with a capital or a quote, ends with a full stop
  expect((err as LabError).message).toMatch(/^["A-Z].*\.$/s);
  return err as LabError;
}

describe('files that are not there or not files', () => {
  it('a missing file is E_NOT_FOUND naming it', async () => {
    const path = join(dir, 'nope.tif');
    const err = await expectCode(readImage(path), 'E_NOT_FOUND', path);
    expect(err.file).toBe(path);
  });
  it('a folder is E_INVALID_INPUT naming it', async () => {
    const sub = join(dir, 'a-folder.tif');
    mkdirSync(sub);
    await expectCode(readImage(sub), 'E_INVALID_INPUT', sub, /folder/);
  });
});

describe('files that are not images', () => {
  it('an empty file is E_TRUNCATED ("empty")', async () => {
    const path = put('empty.tif', new Uint8Array(0));
    await expectCode(readImage(path), 'E_TRUNCATED', path, /empty/);
  });
  it('a text file renamed .tif is E_UNSUPPORTED, says it looks like text and lists what we read', async () => {
    const path = put('notes.tif', 'Sample 14, run 3\nexposure 20 ms\n');
    await expectCode(readImage(path), 'E_UNSUPPORTED', path, /text file/, READABLE_FORMATS);
  });
  it('other formats are recognised in the message', async () => {
    await expectCode(decodeImage(new TextEncoder().encode('GIF89a......'), 'anim.gif'), 'E_UNSUPPORTED', /"anim\.gif".*GIF/);
    await expectCode(decodeImage(Uint8Array.from([0, 1, 2, 3, 250, 251, 252, 253, 9]), 'blob.dat'), 'E_UNSUPPORTED', /blob\.dat/, /TIFF.*PNG.*JPEG.*BMP/);
  });
  it('sniffs by content, not by name', async () => {
    const path = put('really-a-png.tif', fixture('p_grey8.png'));
    expect((await readImage(path)).meta.format).toBe('png');
    expect(sniffFormat(fixture('j_grey.jpg'))).toBe('jpeg');
    expect(sniffFormat(fixture('b_rgb24.bmp'))).toBe('bmp');
    expect(sniffFormat(fixture('t_f64_be.tif'))).toBe('tiff');
    expect(sniffFormat(fixture('t_bigtiff_u16.tif'))).toBe('tiff');
  });
});

describe('truncated files', () => {
  it('TIFF with strips beyond the end is E_TRUNCATED', async () => {
    const full = fixture('t_f32_le_deflate.tif');
    // tifffile writes the pixel data before the directory; cut a PIL file instead, whose strips come last
    const pil = fixture('pil_uint16_packbits.tif');
    const dirAt = new DataView(pil.buffer).getUint32(4, true);
    expect(dirAt).toBeLessThan(pil.length - 40);
    const path = put('cut.tif', pil.subarray(0, pil.length - 5));
    const cut = await readImage(path).then(() => null, (e: LabError) => e);
    expect(cut?.code).toBe('E_TRUNCATED');
    expect(cut?.message).toContain(path);
    await expectCode(decodeImage(full.subarray(0, 12), 'head.tif'), 'E_TRUNCATED', /"head\.tif"/);
  });
  it('PNG without IEND, or cut inside a chunk, is E_TRUNCATED', async () => {
    const png = fixture('p_grey16.png');
    await expectCode(decodeImage(png.subarray(0, png.length - 12), 'noiend.png'), 'E_TRUNCATED', /"noiend\.png".*IEND/);
    await expectCode(decodeImage(png.subarray(0, 40), 'mid.png'), 'E_TRUNCATED', /"mid\.png"/);
  });
  it('PNG with a damaged chunk is E_CORRUPT', async () => {
    const png = fixture('p_grey8.png').slice();
    png[12] = 0x21; // 'IHDR' → '!HDR'
    await expectCode(decodeImage(png, 'bad.png'), 'E_CORRUPT', /"bad\.png"/);
    const crc = fixture('p_grey8.png').slice();
    crc[40] ^= 0xff; // inside IDAT data: CRC mismatch or bad deflate stream
    await expectCode(decodeImage(crc, 'crc.png'), 'E_CORRUPT', /"crc\.png"/);
  });
  it('JPEG without the EOI marker is E_TRUNCATED', async () => {
    const jpg = fixture('j_rgb.jpg');
    await expectCode(decodeImage(jpg.subarray(0, jpg.length - 100), 'cut.jpg'), 'E_TRUNCATED', /"cut\.jpg".*FF D9/);
    const padded = new Uint8Array(jpg.length + 16);
    padded.set(jpg);
    expect((await decodeImage(padded, 'padded.jpg')).width).toBe(16); // trailing zero padding is fine
  });
  it('BMP shorter than its pixel data is E_TRUNCATED', async () => {
    const bmp = fixture('b_rgb24.bmp');
    await expectCode(decodeImage(bmp.subarray(0, bmp.length - 3), 'cut.bmp'), 'E_TRUNCATED', /"cut\.bmp".*pixel data ends at byte/);
    await expectCode(decodeImage(bmp.subarray(0, 20), 'head.bmp'), 'E_TRUNCATED', /"head\.bmp"/);
  });
});

describe('unsupported variants', () => {
  it('12-bit JPEG, RLE BMP and 1-bit TIFF say what they are', async () => {
    const jpg = fixture('j_grey.jpg').slice();
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    jpg[sof + 4] = 12; // precision
    await expectCode(decodeImage(jpg, 'deep.jpg'), 'E_UNSUPPORTED', /"deep\.jpg" is a 12-bit JPEG/);
    const bmp = fixture('b_grey8.bmp').slice();
    bmp[30] = 1; // BI_RLE8
    await expectCode(decodeImage(bmp, 'rle.bmp'), 'E_UNSUPPORTED', /"rle\.bmp" is a run-length compressed BMP/);
    const tif = fixture('pil_uint8_lzw.tif').slice();
    const dv = new DataView(tif.buffer);
    const ifd = dv.getUint32(4, true);
    for (let i = 0; i < dv.getUint16(ifd, true); i++) {
      const p = ifd + 2 + 12 * i;
      if (dv.getUint16(p, true) === 258) dv.setUint16(p + 8, 1, true); // BitsPerSample = 1
    }
    await expectCode(decodeImage(tif, 'bilevel.tif'), 'E_UNSUPPORTED', /"bilevel\.tif".*1-bit/);
  });
});

describe('inputs are never modified', () => {
  it('reading leaves bytes and modification time alone', async () => {
    const path = join(dir, 'keep.tif');
    copyFileSync(join(FIX, 't_fei.tif'), path);
    const hash = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = { hash: hash(), mtime: statSync(path).mtimeMs };
    await readImage(path);
    expect({ hash: hash(), mtime: statSync(path).mtimeMs }).toEqual(before);
  });
});
