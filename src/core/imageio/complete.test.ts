/**
 * @file isImageComplete on whole files and on truncated copies (written to a temp folder, never into shared
 * data or fixtures): every format, every cut point of a small file, multi-page TIFF cut in a later page.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { decodeImage, encodePngPreview, encodeTiffFloat32, isImageComplete } from './index';

const FIX = resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'imageio');
const dir = mkdtempSync(join(tmpdir(), 'imageio-complete-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function put(bytes: Uint8Array, ext: string): string {
  const path = join(dir, `f${n++}${ext}`);
  writeFileSync(path, bytes);
  return path;
}

const samples: [string, Uint8Array][] = [
  ['pil_uint16_lzw.tif', readFileSync(join(FIX, 'pil_uint16_lzw.tif'))],
  ['t_tiled_u16.tif', readFileSync(join(FIX, 't_tiled_u16.tif'))],
  ['t_multipage.tif', readFileSync(join(FIX, 't_multipage.tif'))],
  ['t_bigtiff_u16.tif', readFileSync(join(FIX, 't_bigtiff_u16.tif'))],
  ['writer float32', encodeTiffFloat32({ width: 9, height: 4, data: new Float32Array(36).fill(1.5) })],
  ['p_rgb.png', readFileSync(join(FIX, 'p_rgb.png'))],
  ['writer png', encodePngPreview({ width: 9, height: 4, data: new Float32Array(36).map((_, i) => i) })],
  ['j_progressive.jpg', readFileSync(join(FIX, 'j_progressive.jpg'))],
  ['b_rgb24.bmp', readFileSync(join(FIX, 'b_rgb24.bmp'))],
  ['b_pal8.bmp', readFileSync(join(FIX, 'b_pal8.bmp'))],
].map(([k, v]) => [k as string, new Uint8Array(v as Uint8Array)]);

describe('isImageComplete', () => {
  for (const [name, bytes] of samples) {
    it(`${name}: complete when whole, incomplete at every shorter length that does not decode`, async () => {
      const ext = name.endsWith('.png') || name === 'writer png' ? '.png' : name.endsWith('.jpg') ? '.jpg' : name.endsWith('.bmp') ? '.bmp' : '.tif';
      expect(await isImageComplete(put(bytes, ext))).toEqual({ complete: true });
      // Every cut length: "complete" must never be claimed for a copy that does not decode in full.
      for (let len = 0; len < bytes.length; len += Math.max(1, Math.floor(bytes.length / 97))) {
        const cut = bytes.subarray(0, len);
        const verdict = await isImageComplete(put(cut, ext));
        if (verdict.complete) {
          // Possible only when what is missing lies outside the image (e.g. tifffile's trailing directory
          // padding); then the cut copy must still decode to the same pixels.
          const whole = await decodeImage(bytes, name);
          const part = await decodeImage(cut, name);
          expect(Array.from(part.data)).toEqual(Array.from(whole.data));
        } else {
          expect(verdict.reason, `length ${len}`).toMatch(/\S/);
        }
      }
    });
  }

  it('TIFF: a strip past the end gives the reason with byte numbers', async () => {
    const bytes = samples[4][1]; // our writer puts the strip last
    const verdict = await isImageComplete(put(bytes.subarray(0, bytes.length - 3), '.tif'));
    expect(verdict.complete).toBe(false);
    expect(verdict.reason).toMatch(/truncated: strip \d+ of \d+ \(page 1\) ends at byte \d+ but the file has only \d+ bytes/);
  });

  it('multi-page TIFF cut inside a later page is incomplete even though page 1 still reads', async () => {
    const bytes = samples[2][1];
    // find the largest cut for which page 1 decodes but the file is not whole
    let found = false;
    for (let len = bytes.length - 1; len > 0 && !found; len--) {
      const cut = bytes.subarray(0, len);
      const readable = await decodeImage(cut, 'stack.tif').then(() => true, () => false);
      if (!readable) continue;
      const verdict = await isImageComplete(put(cut, '.tif'));
      if (verdict.complete) continue; // the cut only removed padding
      found = true;
      expect(verdict.reason).toMatch(/page [23]|image directory/);
    }
    expect(found).toBe(true);
  });

  it('a file shorter than any signature is simply "not yet"', async () => {
    expect(await isImageComplete(put(new Uint8Array(0), '.tif'))).toMatchObject({ complete: false, reason: expect.stringMatching(/0 bytes/) });
    expect((await isImageComplete(put(Uint8Array.from([0x49, 0x49, 42]), '.tif'))).complete).toBe(false);
  });

  it('PNG with bytes after IEND is complete; JPEG with zero padding is complete', async () => {
    const png = samples[5][1];
    expect((await isImageComplete(put(new Uint8Array([...png, 1, 2, 3]), '.png'))).complete).toBe(true);
    const jpg = samples[7][1];
    expect((await isImageComplete(put(new Uint8Array([...jpg, 0, 0, 0]), '.jpg'))).complete).toBe(true);
  });

  it('throws for what can never become an image: unknown content, a missing path, a folder', async () => {
    const text = put(new TextEncoder().encode('still not an image, however long it grows'), '.tif');
    await expect(isImageComplete(text)).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    await expect(isImageComplete(join(dir, 'missing.tif'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const err = await isImageComplete(sub).then(() => null, (e: LabError) => e);
    expect(err?.code).toBe('E_INVALID_INPUT');
    expect(err?.message).toContain(sub);
  });
});
