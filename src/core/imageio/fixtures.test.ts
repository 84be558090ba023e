/**
 * @file The reader against files written by other people's encoders (tifffile, Pillow/libtiff/libpng/
 * libjpeg, a hand-made BMP): test/fixtures/imageio/*, with the expected grey values and metadata in
 * expected.json, both produced by training/fixtures/make_imageio_fixtures.py.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from './index';

const DIR = resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'imageio');

interface Expected {
  width: number;
  height: number;
  values: (number | string)[];
  tolerance: number;
  meta: Record<string, unknown> & { pixelSizeUm?: [number, number] | null; vendor?: Record<string, string> };
  note: string;
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')).files;

const num = (v: number | string) => (typeof v === 'number' ? v : Number(v)); // "NaN", "Infinity", "-Infinity"

describe('committed fixtures from independent encoders', () => {
  it('has a fixture of every format', () => {
    const names = Object.keys(expected);
    for (const ext of ['.tif', '.png', '.jpg', '.bmp']) expect(names.some((n) => n.endsWith(ext))).toBe(true);
  });

  for (const [name, e] of Object.entries(expected)) {
    it(`${name}${e.note ? ` (${e.note})` : ''}`, async () => {
      const img = await readImage(join(DIR, name));
      expect([img.width, img.height]).toEqual([e.width, e.height]);
      let worst = 0;
      for (let i = 0; i < e.values.length; i++) {
        const want = Math.fround(num(e.values[i]));
        const got = img.data[i];
        if (Number.isNaN(want)) expect(got, `pixel ${i}`).toBeNaN();
        else if (e.tolerance === 0) expect(got, `pixel ${i}`).toBe(want);
        else worst = Math.max(worst, Math.abs(got - want));
      }
      expect(worst).toBeLessThanOrEqual(e.tolerance);

      const { pixelSizeUm, vendor, ...rest } = e.meta;
      expect(img.meta).toMatchObject(rest);
      if (pixelSizeUm === null) expect(img.meta.pixelSize).toBeUndefined();
      if (pixelSizeUm) {
        expect(img.meta.pixelSize?.x).toBeCloseTo(pixelSizeUm[0], 5);
        expect(img.meta.pixelSize?.y).toBeCloseTo(pixelSizeUm[1], 5);
      }
      if (vendor) expect(img.meta.vendor).toMatchObject(vendor);
    });
  }
});
