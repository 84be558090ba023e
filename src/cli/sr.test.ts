/**
 * @file `lab sr` as a user runs it, on images the test generates (no shared data) and on stand-in models
 * (restore/sr/test-support.ts: identity USRNet prior with fixed weights, a fixed ×3 "espcn"), so it runs
 * without the trained nets: files, bit depth and pixel size / scale, result.json (inputs with sha256,
 * kernel, models with sha256, provider, metrics against --ref), the kernel preview, the fast-net mapping,
 * and one-line errors for bad input (exit 1) and bad usage (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../core/imageio';
import { encodeTiff16, encodeTiff8 } from '../core/imageio/write-tiff';
import { degrade } from '../core/restore/sr/data-step';
import { srScene, srStandInModels } from '../core/restore/sr/test-support';
import { gaussianKernel } from '../core/synth/kernels';

const LAB = resolve(import.meta.dirname, '..', '..', 'bin', 'lab.mjs');
let env: Record<string, string>;
const lab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [LAB, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const W = 96, H = 72, PX = 0.04; // HR size; µm
let dir: string;
const f = { lr8: '', hr8: '', lr16: '', hr16: '', text: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-sr-'));
  const models = await srStandInModels(await mkdir(join(dir, 'models'), { recursive: true }).then(() => join(dir, 'models')));
  env = { LAB_MODELS_DIR: models, LAB_EXECUTION_PROVIDERS: 'cpu' };
  const hr = Float32Array.from(srScene(W, H), Math.round);
  const lr = degrade(hr, W, H, gaussianKernel(1.2), 2);
  const lr8 = Float32Array.from(lr.data, Math.round);
  const put = async (k: keyof typeof f, bytes: Uint8Array) => {
    f[k] = join(dir, `${k}.tif`);
    await writeFile(f[k], bytes);
  };
  await put('lr8', encodeTiff8({ width: lr.width, height: lr.height, data: lr8 }, { pixelSize: { x: 2 * PX, y: 2 * PX } }));
  await put('hr8', encodeTiff8({ width: W, height: H, data: hr }));
  await put('lr16', encodeTiff16({ width: lr.width, height: lr.height, data: lr8.map((v) => v * 257) }, { pixelSize: { x: 2 * PX, y: 2 * PX } }));
  await put('hr16', encodeTiff16({ width: W, height: H, data: hr.map((v) => v * 257) }));
  await put('text', new TextEncoder().encode('not an image\n'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const json = (out: string) => JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));

describe('lab sr', () => {
  it('usrnet ×2 on 16-bit: 16-bit sr.tif, pixel size / 2, kernel.png, models and PSNR in result.json', async () => {
    const out = join(dir, 'out-usrnet');
    const r = lab('sr', '--in', f.lr16, '--scale', '2', '--kernel', 'gauss:1.2', '--noise', '257', '--ref', f.hr16, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/PSNR vs --ref \d+\.\d\d dB/);
    for (const name of ['sr.tif', 'preview.png', 'kernel.png', 'result.json']) expect(existsSync(join(out, name)), name).toBe(true);
    const img = await readImage(join(out, 'sr.tif'));
    expect([img.width, img.height, img.meta.sampleType]).toEqual([W, H, 'uint16']);
    expect(img.meta.pixelSize!.x).toBeCloseTo(PX, 6);
    const res = json(out);
    expect(res.kind).toBe('super-resolution');
    expect(res.method).toBe('usrnet');
    expect(res.parameters.scale).toBe(2);
    expect(res.parameters.kernel.description).toMatch(/isotropic Gaussian σ = 1.2 px, 25×25/);
    expect(res.parameters.iterations).toBe(8);
    expect(res.parameters.noise.unitScale).toBeCloseTo(257 / 65535, 9);
    expect(res.models.map((m: { id: string }) => m.id)).toEqual(['usrnet-s-prior', 'usrnet-s-hypa']);
    for (const m of res.models) expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.provider).toBe('cpu');
    expect(res.inputs.map((i: { role: string }) => i.role)).toEqual(['input', 'reference']);
    expect(res.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const m = res.metrics.reference;
    expect(m.psnrDb.output).toBeGreaterThan(20);
    // The exact degradation is known: even an identity prior beats the bicubic baseline.
    expect(m.psnrDb.output).toBeGreaterThan(m.psnrDb.input);
    expect(res.metrics.border).toBe(2);
    const k = await readImage(join(out, 'kernel.png'));
    expect(k.width).toBe(250);
  }, 180_000);

  it('bicubic ×2 on 8-bit, and a fast net: "fsrcnn" ×3 maps to the shipped espcn-x3 with a note', async () => {
    const out = join(dir, 'out-bicubic');
    expect(lab('sr', '--in', f.lr8, '--scale', '2', '--method', 'bicubic', '--ref', f.hr8, '--out', out).code).toBe(0);
    const img = await readImage(join(out, 'sr.tif'));
    expect([img.width, img.height, img.meta.sampleType]).toEqual([W, H, 'uint8']);
    expect(existsSync(join(out, 'kernel.png'))).toBe(false);
    expect(json(out).models).toEqual([]);
    const out3 = join(dir, 'out-fast');
    const r = lab('sr', '--in', f.lr8, '--scale', '3', '--method', 'fsrcnn', '--out', out3);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no fsrcnn net for ×3 is installed; used the fast net "espcn-x3"/);
    const res = json(out3);
    expect(res.models[0].id).toBe('espcn-x3');
    expect([res.output.width, res.output.height]).toEqual([3 * (W / 2), 3 * (H / 2)]);
    expect(res.output.pixelSize.x).toBeCloseTo((2 * PX) / 3, 6);
  }, 180_000);

  it('one-line errors: bad file, reference size, missing fast net, kernel, non-empty --out (exit 1); usage (exit 2)', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--in', f.text, '--scale', '2', '--method', 'bicubic'], 1, /text\.tif/],
      [['--in', join(dir, 'missing.tif'), '--scale', '2'], 1, /missing\.tif/],
      [['--in', f.lr8, '--scale', '3', '--method', 'bicubic', '--ref', f.hr8], 1, /reference .*hr8\.tif" is 96×72 but the ×3 result .* is 144×108/],
      [['--in', f.lr8, '--scale', '2', '--method', 'espcn'], 1, /No fast super-resolution net for ×2 is installed .*espcn-x3/],
      [['--in', f.lr8, '--scale', '2', '--kernel', 'gauss:-3'], 1, /σ -3 must be a positive number/],
      [['--in', f.lr8, '--scale', '2', '--kernel', join(dir, 'nokernel.csv')], 1, /nokernel\.csv" does not exist/],
      [['--in', f.lr8, '--scale', '5'], 2, /--scale must be 2, 3 or 4/],
      [['--in', f.lr8, '--scale', '2', '--method', 'bicubic', '--kernel', 'gauss:1'], 2, /--kernel applies to --method usrnet only/],
      [['--in', f.lr8, '--scale', '2', '--method', 'lanczos'], 2, /--method must be one of/],
      [['--scale', '2'], 2, /needs --in, --scale and --out/],
    ];
    for (const [args, code, msg] of cases) {
      const out = join(dir, `err-${Math.random().toString(36).slice(2)}`);
      const r = lab('sr', ...args, ...(args.includes('--in') ? ['--out', out] : []));
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(code);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    }
    const busy = join(dir, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'keep.txt'), 'x');
    const r = lab('sr', '--in', f.lr8, '--scale', '2', '--method', 'bicubic', '--out', busy);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/busy already exists and is not empty/);
    expect(readFileSync(join(busy, 'keep.txt'), 'utf8')).toBe('x');
  }, 600_000); // eleven CLI start-ups
});
