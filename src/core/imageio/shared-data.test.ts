/**
 * @file Every image under ../shared/data (real public files) must load with the size the data README gives
 * and plausible values, and must count as complete. Prints what it finds (formats, grey rules, pixel sizes)
 * so a run documents the data. Skipped, saying why, where ../shared/data is absent.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, SHARED_NOTE, sharedPath } from '../../../test/shared-data';
import { LabError } from '../errors';
import { imageStats, isImageComplete, readImage, type LoadedImage } from './index';

const IMAGE = /\.(tiff?|png|jpe?g|bmp)$/i;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Size (and a few facts) the data README promises, by folder relative to ../shared/data. */
const EXPECT: Record<string, { size?: [number, number]; check?: (img: LoadedImage, file: string) => void }> = {
  'dic/star-noiseless': { size: [2000, 501], check: (i) => expect(i.meta).toMatchObject({ sampleType: 'uint8', compression: 'packbits' }) },
  'dic/star-noisy': { size: [2000, 501], check: (i) => expect(i.meta).toMatchObject({ sampleType: 'uint8', compression: 'packbits' }) },
  'dic/sample14': { size: [2048, 589], check: (i) => expect(i.meta.sampleType).toBe('uint8') },
  'dic/sample5': { size: [512, 512] },
  'dic/rotation': { size: [512, 512] },
  'xpci/tiepy': { size: [830, 192], check: (i) => expect(i.meta).toMatchObject({ sampleType: 'float32', byteOrder: 'big' }) },
  'sem/midnet/blur': { size: [512, 512], check: (i) => expect(i.meta).toMatchObject({ format: 'png', colour: 'rgba' }) },
  'sem/midnet/sharp': { size: [512, 512], check: (i) => expect(i.meta).toMatchObject({ format: 'png', colour: 'rgba' }) },
  'sem/real': { size: [1536, 1094] },
  'sem/real/superalloy': { size: [512, 512], check: (i) => expect(i.meta.colour).toBe('rgb') },
  'sr/set5': { check: (i) => expect(i.meta).toMatchObject({ format: 'bmp', colour: 'rgb' }) },
  'sr/set12': { check: (i) => expect(i.meta).toMatchObject({ format: 'png', colour: 'grey' }) },
  'sr/train400': { size: [180, 180], check: (i) => expect(i.meta.colour).toBe('grey') },
};

describe.skipIf(!SHARED)(`real images under ../shared/data ${SHARED_NOTE}`, () => {
  const files = SHARED ? walk(SHARED).filter((f) => IMAGE.test(f)) : [];
  const folders = [...new Set(files.map((f) => relative(SHARED!, join(f, '..'))))].sort();

  it('finds the folders the data README describes', () => {
    for (const folder of ['dic/star-noiseless', 'dic/sample14', 'dic/rotation', 'xpci/tiepy', 'sem/real', 'sr/set5']) {
      expect(folders).toContain(folder);
    }
  });

  for (const folder of folders) {
    it(`every image in ${folder} loads with the documented size and sane values`, async () => {
      const inFolder = files.filter((f) => relative(SHARED!, join(f, '..')) === folder);
      const rules = EXPECT[folder] ?? {};
      const seen = new Map<string, number>();
      for (const file of inFolder) {
        const img = await readImage(file);
        const name = relative(SHARED!, file);
        if (rules.size) expect([img.width, img.height], name).toEqual(rules.size);
        expect(img.data.length).toBe(img.width * img.height);
        const s = imageStats(img);
        expect(s.nonFinite, name).toBe(0);
        expect(s.max, name).toBeGreaterThan(s.min); // not blank
        if (img.meta.sampleType === 'uint8') expect(s.min >= 0 && s.max <= 255, name).toBe(true);
        rules.check?.(img, name);
        expect(await isImageComplete(file), name).toEqual({ complete: true });
        const key = [img.meta.format, img.meta.sampleType, img.meta.colour, img.meta.compression, img.meta.greyRule ?? '']
          .filter(Boolean).join(' ');
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      console.log(`${folder}: ${inFolder.length} images; ${[...seen].map(([k, v]) => `${v}× ${k}`).join('; ')}`);
    });
  }

  it('rotation_170.tif is RGB LZW whose channels are equal (grey taken exactly)', async () => {
    const img = await readImage(sharedPath('dic', 'rotation', 'rotation_170.tif'));
    expect(img.meta).toMatchObject({ colour: 'rgb', compression: 'lzw', greyRule: expect.stringMatching(/took R exactly/) });
    const ref = await readImage(sharedPath('dic', 'rotation', 'rotation_000.tif'));
    // a 170° rotation about the centre: the mean grey level barely moves
    expect(Math.abs(imageStats(img).mean - imageStats(ref).mean)).toBeLessThan(10);
  });

  it('the X-ray pair is big-endian float32 830×192 with detector-like values', async () => {
    for (const f of ['reference.tif', 'sample.tif']) {
      const img = await readImage(sharedPath('xpci', 'tiepy', f));
      const s = imageStats(img);
      console.log(`xpci/tiepy/${f}: min ${s.min.toFixed(3)} max ${s.max.toFixed(3)} mean ${s.mean.toFixed(3)} std ${s.std.toFixed(3)}; ` +
        `description ${JSON.stringify(img.meta.description)}; pixel size ${img.meta.pixelSize ? JSON.stringify(img.meta.pixelSize) : 'none in file (README: 7 µm)'}`);
      expect(s.min).toBeGreaterThan(20);
      expect(s.max).toBeLessThan(60);
      expect(img.meta.description).toMatch(/^ImageJ=/);
    }
  });

  it('fei-sem-rbc.tif carries an FEI pixel size between 1 nm and 100 µm, and a 70-row data bar', async () => {
    const img = await readImage(sharedPath('sem', 'real', 'fei-sem-rbc.tif'));
    console.log(`sem/real/fei-sem-rbc.tif: pixel ${JSON.stringify(img.meta.pixelSize)}; vendor ${JSON.stringify(img.meta.vendor)}`);
    expect(img.meta.pixelSize?.source).toMatch(/FEI/);
    expect(img.meta.pixelSize!.x).toBeGreaterThan(0.001);
    expect(img.meta.pixelSize!.x).toBeLessThan(100);
    expect(img.meta.pixelSize!.x).toBeCloseTo(0.00770833, 8); // 7.708 nm, not the 96 dpi of its resolution tags
    expect(img.meta.vendor).toMatchObject({ vendor: 'FEI', instrument: 'Teneo', HV: '2000 V', databarRows: '70' });
  });

  it('no other shared image claims a pixel size (resolution tags there are defaults)', async () => {
    const withSize: string[] = [];
    for (const f of files.filter((p) => /\.tiff?$|\.bmp$/i.test(p))) {
      const img = await readImage(f);
      if (img.meta.pixelSize) withSize.push(`${relative(SHARED!, f)} ${img.meta.pixelSize.x} µm (${img.meta.pixelSize.source})`);
    }
    console.log(`pixel sizes found: ${withSize.join('; ') || 'none'}`);
    expect(withSize).toEqual([expect.stringMatching(/^sem\/real\/fei-sem-rbc\.tif/)]);
  });

  it('non-image data in the folder is refused plainly (kernels_12.mat)', async () => {
    const err = await readImage(sharedPath('sr', 'kernels_12.mat')).then(() => null, (e: LabError) => e);
    expect(err?.code).toBe('E_UNSUPPORTED');
    expect(err?.message).toMatch(/kernels_12\.mat.*MATLAB/);
  });
});
