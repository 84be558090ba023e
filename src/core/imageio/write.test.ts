/**
 * @file Writers: float32 and 16-bit TIFF round trips (bit-exact), pixel size and description round trips,
 * the 16-bit range check, PNG previews, and the atomic / no-overwrite file behaviour.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import {
  decodeImage, encodePngPreview, encodeTiff16, encodeTiffFloat32, readImage, writePngPreview, writeTiff16,
  writeTiffFloat32, type GreyImage,
} from './index';

const dir = mkdtempSync(join(tmpdir(), 'imageio-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(width: number, height: number, f: (x: number, y: number) => number): GreyImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, text?: RegExp) {
  const err = typeof p === 'function'
    ? (() => { try { p(); return null; } catch (e) { return e; } })()
    : await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  if (text) expect((err as LabError).message).toMatch(text);
  return err as LabError;
}

describe('float32 TIFF', () => {
  const special = [NaN, -0, 0, -1.5, 1e-45, -3.4028234663852886e38, Infinity, -Infinity, 1 / 3, 123456.789];
  const img = image(7, 5, (x, y) => special[(y * 7 + x) % special.length] * (y + 1));

  it('round-trips every bit, NaN, -0, subnormals and ±Infinity included', async () => {
    const back = await decodeImage(encodeTiffFloat32(img), 'mem.tif');
    expect([back.width, back.height]).toEqual([7, 5]);
    expect(bits(back.data)).toEqual(bits(img.data));
    expect(back.meta).toMatchObject({ format: 'tiff', sampleType: 'float32', byteOrder: 'little', compression: 'none', pageCount: 1 });
    expect(back.meta.pixelSize).toBeUndefined();
  });

  it('writes to disk and reads back; pixel size (µm) and description survive', async () => {
    const path = join(dir, 'u.tif');
    await writeTiffFloat32(path, img, { pixelSize: { x: 0.00770833, y: 6.5 }, description: 'u displacement (px), job 42 — µ' });
    const back = await readImage(path);
    expect(bits(back.data)).toEqual(bits(img.data));
    expect(back.meta.pixelSize?.x).toBeCloseTo(0.00770833, 10);
    expect(back.meta.pixelSize?.y).toBeCloseTo(6.5, 8);
    expect(back.meta.pixelSize?.source).toMatch(/cm/);
    expect(back.meta.description).toMatch(/^ImageJ=.*\nunit=um\n/s);
    expect(back.meta.description).toContain('u displacement (px), job 42 — µ');
  });

  it('a large image round-trips and lays out one strip after the directory', async () => {
    const big = image(1031, 517, (x, y) => Math.sin(x * 0.01) * y - 40);
    const bytes = encodeTiffFloat32(big);
    expect(bytes.length).toBeLessThan(1031 * 517 * 4 + 512);
    expect(bits((await decodeImage(bytes, 'big.tif')).data)).toEqual(bits(big.data));
  });
});

describe('16-bit TIFF', () => {
  it('round-trips exactly and rounds fractional values', async () => {
    const img = image(9, 4, (x, y) => (x * 8191 + y * 3) % 65536);
    img.data[3] = 65535;
    img.data[4] = 0;
    img.data[5] = 12.5; // rounds half up
    img.data[6] = 99.49;
    const back = await decodeImage(encodeTiff16(img), 'mem16.tif');
    const want = Array.from(img.data, (v) => Math.round(v));
    expect(Array.from(back.data)).toEqual(want);
    expect(back.meta).toMatchObject({ sampleType: 'uint16', bitsPerSample: 16 });
  });

  it('refuses NaN and out-of-range values, naming the path and the pixel, and writes nothing', async () => {
    for (const [bad, text] of [[NaN, /NaN/], [-0.25, /-0\.25/], [65535.5, /65535\.5/], [Infinity, /Infinity/]] as const) {
      const img = image(4, 3, () => 10);
      img.data[6] = bad;
      const path = join(dir, `bad16-${String(bad)}.tif`);
      const err = await expectCode(writeTiff16(path, img), 'E_INVALID_INPUT', text);
      expect(err.message).toContain(path);
      expect(err.message).toContain('x=2, y=1');
      expect(err.file).toBe(path);
      expect(readdirSync(dir).filter((f) => f.includes('bad16'))).toEqual([]);
    }
  });

  it('writes and reads back from disk with a pixel size', async () => {
    const path = join(dir, 'restored.tif');
    await writeTiff16(path, image(6, 6, (x, y) => x * 1000 + y), { pixelSize: { x: 0.0025, y: 0.0025 } });
    const back = await readImage(path);
    expect(back.data[5 * 6 + 4]).toBe(4005);
    expect(back.meta.pixelSize?.x).toBeCloseTo(0.0025, 10);
  });
});

describe('writer argument checks', () => {
  it('rejects inconsistent images and bad pixel sizes', async () => {
    await expectCode(() => encodeTiffFloat32({ width: 3, height: 3, data: new Float32Array(8) }), 'E_INVALID_INPUT', /8 values but 3×3 needs 9/);
    await expectCode(() => encodeTiffFloat32({ width: 0, height: 3, data: new Float32Array(0) }), 'E_INVALID_INPUT', /size 0×3/);
    await expectCode(() => encodeTiff16(image(2, 2, () => 1), { pixelSize: { x: 0, y: 1 } }), 'E_INVALID_INPUT', /pixel size/);
  });
});

describe('atomic writes', () => {
  const img = image(3, 2, (x) => x);

  it('never overwrites unless asked, and leaves no temp files', async () => {
    const path = join(dir, 'once.tif');
    await writeTiffFloat32(path, img);
    const before = readFileSync(path);
    const err = await expectCode(writeTiffFloat32(path, image(3, 2, () => 7)), 'E_INVALID_INPUT', /already exists/);
    expect(err.message).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
    await writeTiffFloat32(path, image(3, 2, () => 7), { overwrite: true });
    expect((await readImage(path)).data[0]).toBe(7);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a missing folder and a folder in the way', async () => {
    const missing = join(dir, 'no-such-folder', 'x.tif');
    await expectCode(writeTiffFloat32(missing, img), 'E_NOT_FOUND', /no-such-folder" does not exist/);
    await expectCode(writeTiffFloat32(dir, img, { overwrite: true }), 'E_INVALID_INPUT', /a folder of that name exists/);
  });

  it('the final name only ever holds a complete file (concurrent writers to one name)', async () => {
    const path = join(dir, 'race.tif');
    const results = await Promise.allSettled([1, 2, 3, 4].map((v) => writeTiffFloat32(path, image(50, 50, () => v))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const back = await readImage(path);
    expect(new Set(back.data).size).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('PNG preview', () => {
  it('maps the finite min/max to 0..255; NaN → 0, ±Infinity clip', async () => {
    const img = image(5, 1, (x) => [-10, 0, 10, NaN, Infinity][x]);
    const back = await decodeImage(encodePngPreview(img), 'p.png');
    expect(Array.from(back.data)).toEqual([0, 128, 255, 0, 255]);
    expect(back.meta).toMatchObject({ format: 'png', bitsPerSample: 8, colour: 'grey' });
  });

  it('honours an explicit window and clips outside it', async () => {
    const img = image(4, 1, (x) => [0, 50, 100, 200][x]);
    const back = await decodeImage(encodePngPreview(img, { min: 50, max: 150 }), 'w.png');
    expect(Array.from(back.data)).toEqual([0, 0, 128, 255]);
    await expectCode(() => encodePngPreview(img, { min: 5, max: 1 }), 'E_INVALID_INPUT', /display range/);
  });

  it('a constant or all-NaN image becomes black rather than failing', async () => {
    expect(Array.from((await decodeImage(encodePngPreview(image(2, 2, () => 3)), 'c.png')).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from((await decodeImage(encodePngPreview(image(2, 2, () => NaN)), 'n.png')).data)).toEqual([0, 0, 0, 0]);
  });

  it('writes atomically with pixel size (pHYs) and description (tEXt / iTXt)', async () => {
    const path = join(dir, 'preview.png');
    await writePngPreview(path, image(8, 8, (x, y) => x + y), { pixelSize: { x: 5, y: 5 }, description: 'v field' });
    const back = await readImage(path);
    expect(back.meta.pixelSize).toMatchObject({ x: 5, y: 5, source: 'PNG pHYs chunk' });
    expect(back.meta.description).toBe('v field');
    await expectCode(writePngPreview(path, image(2, 2, () => 1)), 'E_INVALID_INPUT', /already exists/);
    const unicode = join(dir, 'unicode.png');
    await writePngPreview(unicode, image(2, 2, () => 1), { description: 'Δφ map, µrad' });
    expect((await readImage(unicode)).meta.description).toBe('Δφ map, µrad');
  });

  it('is a valid PNG that other tools can read (signature, IHDR first, IEND last)', () => {
    const png = encodePngPreview(image(3, 3, (x) => x), { description: 'x', pixelSize: { x: 1, y: 1 } });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(Buffer.from(png.subarray(12, 16)).toString('latin1')).toBe('IHDR');
    expect(Buffer.from(png.subarray(png.length - 8, png.length - 4)).toString('latin1')).toBe('IEND');
    writeFileSync(join(dir, 'valid.png'), png);
  });
});
