/**
 * Restoration output (output.ts, preview.ts): bit depth and pixel size survive a round trip through the
 * app's own reader, integer outputs are clipped and rounded, the preview uses one grey mapping, and the
 * result folder is complete and refuses to overwrite.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage, type GreyImage, type ImageMeta, type LoadedImage } from '../imageio';
import { encodeTiff8 } from '../imageio/write-tiff';
import { fitToType, outputSampleKind, restorationMetrics, writeRestoredTiff, writeRestoreFolder } from './output';
import { sideBySide } from './preview';

const dir = mkdtempSync(join(tmpdir(), 'restore-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const image = (width: number, height: number, f: (x: number, y: number) => number): GreyImage => {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
};
const meta = (sampleType: ImageMeta['sampleType'], bitsPerSample: number, extra: Partial<ImageMeta> = {}): ImageMeta => ({
  format: 'tiff', sampleType, bitsPerSample, samplesPerPixel: 1, colour: 'grey', pageCount: 1, ...extra,
});

describe('restored TIFF', () => {
  it.each([
    ['uint8', 8, 8, 'uint8'],
    ['uint16', 16, 16, 'uint16'],
    ['uint16', 12, 16, 'uint16'],
    ['float32', 32, 32, 'float32'],
    ['int16', 16, 32, 'float32'],
  ] as const)('%s (%i-bit) in → %i-bit out, pixel size read back by the app', async (type, bits, outBits, outType) => {
    const m = meta(type, bits, { pixelSize: { x: 0.0123, y: 0.0123, source: 'FEI metadata' } });
    const hi = type === 'uint8' ? 300 : 5000; // 300 overshoots 8-bit: clipped to 255
    const raw = image(9, 7, (x, y) => (x * hi) / 8 - y + 0.4);
    const fitted = fitToType(raw.data, m);
    const path = join(dir, `${type}-${bits}.tif`);
    const w = await writeRestoredTiff(path, { ...raw, data: fitted.data }, m);
    expect(w.bitsPerSample).toBe(outBits);
    const back = await readImage(path);
    expect(back.meta.sampleType).toBe(outType);
    expect(back.meta.bitsPerSample).toBe(outBits);
    expect(back.meta.pixelSize?.x).toBeCloseTo(0.0123, 9);
    expect(back.meta.pixelSize?.y).toBeCloseTo(0.0123, 9);
    expect([...back.data]).toEqual([...fitted.data]);
    if (type === 'float32') expect(back.data[1]).toBeCloseTo(raw.data[1], 5);
    else expect(Number.isInteger(back.data[1])).toBe(true);
  });

  it('the 8-bit writer refuses values it cannot hold instead of clipping them', () => {
    expect(() => encodeTiff8(image(2, 1, (x) => 255 + x))).toThrowError(/pixel \(x=1, y=0\) is 256, outside the 8-bit range 0\.\.255/);
    expect(() => encodeTiff8(image(2, 1, () => Number.NaN))).toThrowError(/NaN/);
  });

  it('clips integer types to their range and rounds; float passes through', () => {
    const d = Float32Array.from([-3.2, 0.49, 254.6, 270]);
    expect(fitToType(d, meta('uint8', 8))).toEqual({ data: Float32Array.from([0, 0, 255, 255]), clipped: 2 });
    expect([...fitToType(d, meta('uint16', 12)).data]).toEqual([0, 0, 255, 270]);
    expect([...fitToType(d, meta('float32', 32)).data]).toEqual([...d]);
    expect(outputSampleKind(meta('uint8', 8, { colour: 'palette' })).kind).toBe('uint8');
    expect(outputSampleKind(meta('uint32', 32)).kind).toBe('float32');
  });
});

describe('side-by-side preview', () => {
  it('maps both panels with the input window, replicates a smaller input, draws labels', () => {
    const left = image(4, 3, (x) => x * 10); // 0..30
    const right = image(8, 6, () => 60); // brighter than the input's max → white
    const p = sideBySide(left, right);
    expect(p.width).toBe(8 + 4 + 8);
    expect(p.height).toBe(6);
    expect(p.data[0]).toBe(0);
    expect(p.data[7]).toBe(255); // left panel x=7 → input x=3 (30 = max)
    expect(p.data[8]).toBe(128); // separator
    expect(p.data[12]).toBe(255); // output clipped at the input's max
    const labelled = sideBySide(left, right, { labels: ['INPUT', 'OUT'] });
    expect(labelled.height).toBe(6 + 13);
    expect(labelled.data.some((v, i) => v === 255 && Math.floor(i / labelled.width) < 13)).toBe(true);
  });
});

describe('restoration metrics and result folder', () => {
  const input: LoadedImage = { ...image(32, 32, (x, y) => 100 + 40 * Math.sin(x / 3) * Math.cos(y / 4)), meta: meta('uint8', 8, { pixelSize: { x: 2, y: 2, source: 't' } }) };

  it('scores input and output against the reference with the type range', () => {
    const ref = image(32, 32, (x, y) => input.data[y * 32 + x] + 1);
    const m = restorationMetrics(input, ref, input.meta, ref);
    expect(m.dataRange).toBe(255);
    expect(m.reference?.psnrDb.output).toBe(Infinity);
    expect(m.reference?.psnrDb.input).toBeCloseTo(10 * Math.log10(255 * 255), 4);
    expect(m.sharpness.input.tenengrad).toBeGreaterThan(0);
    expect(() => restorationMetrics(input, input, input.meta, image(8, 8, () => 0), { refName: 'sharp.png' })).toThrowError(/sharp\.png is 8×8.*32×32/);
  });

  it('writes TIFF, preview and result.json atomically and never into a non-empty folder', async () => {
    const out = join(dir, 'job');
    const res = await writeRestoreFolder(out, {
      kind: 'deblur', imageName: 'deblurred.tif', input, output: { ...input, data: input.data.map((v) => v * 2) },
      labels: ['INPUT', 'RL'], record: { method: 'test' },
    });
    expect(res.files.map((f) => f.name)).toEqual(['deblurred.tif', 'preview.png', 'result.json']);
    const json = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(json).toMatchObject({ kind: 'deblur', method: 'test', output: { bitsPerSample: 8, pixelSize: { x: 2, y: 2 } } });
    expect(json.output.clippedPixels).toBeGreaterThan(0);
    expect(json.versions.node).toBe(process.versions.node);
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'x'), 'keep');
    await expect(writeRestoreFolder(busy, { kind: 'deblur', imageName: 'd.tif', input, output: input, record: {} })).rejects.toThrowError(/not empty/);
    expect(readFileSync(join(busy, 'x'), 'utf8')).toBe('keep');
  });
});
