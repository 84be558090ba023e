/**
 * Blur kernels: shapes, normalisation, orientation convention, the 12 USRNet kernels (values checked
 * against scipy.io.loadmat, skipped without the shared data), user files, validation and the preview.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED, SHARED_NOTE, sharedPath } from '../../../test/shared-data';
import { readImage, writeTiffFloat32 } from '../imageio';
import {
  anisotropicGaussianKernel,
  bicubicKernel,
  gaussianKernel,
  type Kernel,
  kernelFromFile,
  kernels12,
  makeKernel,
  motionKernel,
  parseKernelSpec,
  writeKernelPng,
} from './kernels';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kernels-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const sum = (k: Kernel) => k.data.reduce((a, b) => a + b, 0);
/** Second moments about the centre: [Σ w dx², Σ w dy², Σ w dx·dy] with dy down. */
function moments(k: Kernel): [number, number, number] {
  const cx = (k.width - 1) / 2;
  const cy = (k.height - 1) / 2;
  let xx = 0, yy = 0, xy = 0;
  for (let r = 0; r < k.height; r++) {
    for (let c = 0; c < k.width; c++) {
      const w = k.data[r * k.width + c];
      xx += w * (c - cx) ** 2;
      yy += w * (r - cy) ** 2;
      xy += w * (c - cx) * (r - cy);
    }
  }
  return [xx, yy, xy];
}

describe('parametric kernels', () => {
  it('isotropic Gaussian: 25×25, sum 1, symmetric, variance σ²', () => {
    const k = gaussianKernel(1.6);
    expect([k.width, k.height]).toEqual([25, 25]);
    expect(sum(k)).toBeCloseTo(1, 12);
    const [xx, yy, xy] = moments(k);
    expect(xx).toBeCloseTo(1.6 ** 2, 6);
    expect(yy).toBeCloseTo(1.6 ** 2, 6);
    expect(xy).toBeCloseTo(0, 12);
    // A wide Gaussian grows the kernel (odd, ≥ 6σ).
    expect(gaussianKernel(5).width).toBe(31);
  });

  it('anisotropic Gaussian: σ1 along θ (counter-clockwise on screen), σ2 across', () => {
    const k0 = anisotropicGaussianKernel(3, 1, 0);
    expect(moments(k0)[0]).toBeCloseTo(9, 1); // truncated at ±4σ
    expect(moments(k0)[1]).toBeCloseTo(1, 5);
    const k90 = anisotropicGaussianKernel(3, 1, 90);
    expect(moments(k90)[1]).toBeCloseTo(9, 1);
    // 45° counter-clockwise on screen points right and up: x and row offsets of opposite sign.
    expect(moments(anisotropicGaussianKernel(3, 1, 45))[2]).toBeLessThan(-3);
    const iso = anisotropicGaussianKernel(1.2, 1.2, 30);
    const g = gaussianKernel(1.2);
    for (let i = 0; i < g.data.length; i++) expect(iso.data[i]).toBeCloseTo(g.data[i], 12);
  });

  it('motion: a centred line of the given length and angle; length 0 is the identity', () => {
    const k = motionKernel(9, 0);
    expect(sum(k)).toBeCloseTo(1, 12);
    const [xx, yy] = moments(k);
    expect(yy).toBeCloseTo(0, 12);
    expect(xx).toBeCloseTo(81 / 12, 0); // uniform segment of length L: L²/12
    expect(moments(motionKernel(9, 45))[2]).toBeLessThan(0);
    const id = motionKernel(0, 10);
    expect(id.data[12 * 25 + 12]).toBeCloseTo(1, 12);
  });

  it('bicubic: separable, sum 1, centred (s − 1)/2 px off the kernel centre', () => {
    for (const s of [2, 3, 4]) {
      const k = bicubicKernel(s);
      expect(sum(k)).toBeCloseTo(1, 12);
      let mx = 0;
      for (let r = 0; r < 25; r++) for (let c = 0; c < 25; c++) mx += k.data[r * 25 + c] * (c - 12);
      // Convolution flips: the weight sits at negative offsets, i.e. on input pixels i·s + (s − 1)/2.
      expect(mx).toBeCloseTo(-(s - 1) / 2, 10);
    }
  });

  it('parses the text forms and refuses bad ones clearly', async () => {
    expect((await parseKernelSpec('gauss:2')).description).toMatch(/isotropic Gaussian σ = 2 px/);
    expect((await parseKernelSpec('gauss:3,1,30')).description).toMatch(/θ = 30°/);
    expect((await parseKernelSpec('motion:7,45')).description).toMatch(/motion 7 px at 45°/);
    await expect(parseKernelSpec('gauss:1,2')).rejects.toThrowError(/gauss:SIGMA, gauss:S1,S2,THETA/);
    await expect(parseKernelSpec('gauss:-1')).rejects.toThrowError(/σ -1 must be a positive number/);
    await expect(parseKernelSpec('motion:100,0')).rejects.toThrowError(/motion length 100 px/);
  });
});

describe('validation and user kernels', () => {
  it('normalises, pads even sides, and refuses negative, non-finite, zero and oversized kernels', () => {
    const k = makeKernel(2, 2, [1, 1, 1, 1], 'test');
    expect([k.width, k.height]).toEqual([3, 3]);
    expect(Array.from(k.data)).toEqual([0.25, 0.25, 0, 0.25, 0.25, 0, 0, 0, 0]);
    expect(() => makeKernel(3, 1, [1, -0.1, 1], 'k.csv')).toThrowError(/k\.csv.*row 0, column 1 is negative/);
    expect(() => makeKernel(3, 1, [1, Number.NaN, 1], 'k.csv')).toThrowError(/NaN; every value must be finite/);
    expect(() => makeKernel(2, 1, [0, 0], 'k.csv')).toThrowError(/sums to 0/);
    expect(() => makeKernel(64, 1, new Array(64).fill(1), 'big.tif')).toThrowError(/big\.tif.*64×1 px, larger than the 63×63/);
  });

  it('reads CSV and image kernels, naming the file on errors', async () => {
    const csv = join(tmp, 'k.csv');
    await writeFile(csv, '# a 3×3 box\n0,1,0\n1, 2 ,1\n0;1;0\n');
    const k = await kernelFromFile(csv);
    expect(k.data[4]).toBeCloseTo(2 / 6, 12);
    const bad = join(tmp, 'bad.csv');
    await writeFile(bad, '1,2\n3\n');
    await expect(kernelFromFile(bad)).rejects.toThrowError(/bad\.csv.*line 2 of the kernel has 1 values/);
    await writeFile(bad, '1,x\n');
    await expect(kernelFromFile(bad)).rejects.toThrowError(/"x" on line 1/);
    const tif = join(tmp, 'k.tif');
    const g = gaussianKernel(1.2, 9);
    await writeTiffFloat32(tif, { width: 9, height: 9, data: Float32Array.from(g.data, (v) => v * 7) });
    const kt = await kernelFromFile(tif);
    for (let i = 0; i < 81; i++) expect(kt.data[i]).toBeCloseTo(g.data[i], 7);
    await expect(parseKernelSpec(join(tmp, 'missing.png'))).rejects.toThrowError(/missing\.png/);
  });

  it('writes an upscaled nearest-neighbour preview PNG', async () => {
    const p = join(tmp, 'kernel.png');
    await writeKernelPng(p, motionKernel(9, 0));
    const img = await readImage(p);
    expect([img.width, img.height]).toEqual([250, 250]);
    expect(img.data[125 * 250 + 125]).toBe(255);
    expect(img.data[0]).toBe(0);
  });
});

describe.skipIf(!SHARED)(`kernels_12.mat ${SHARED_NOTE}`, () => {
  it('reads the 12 USRNet kernels as scipy does (row-major, sum 1)', async () => {
    const file = sharedPath('sr', 'kernels_12.mat');
    const k1 = await kernels12(1, file);
    expect([k1.width, k1.height]).toEqual([25, 25]);
    expect(k1.data[12 * 25 + 12]).toBeCloseTo(0.32472417, 7);
    const k9 = await kernels12(9, file);
    // scipy: k[8][8, 11] = 0.07468028 (max), k[8][10, 14] = 0.00018760661, k[8][14, 10] = 0.005418239
    // (renormalised here: that kernel sums to 0.99999994 as stored).
    expect(k9.data[8 * 25 + 11]).toBeCloseTo(0.07468028, 6);
    expect(k9.data[10 * 25 + 14]).toBeCloseTo(0.00018760661, 8);
    expect(k9.data[14 * 25 + 10]).toBeCloseTo(0.005418239, 7);
    for (let n = 1; n <= 12; n++) expect(sum(await kernels12(n, file))).toBeCloseTo(1, 10);
    await expect(kernels12(13, file)).rejects.toThrowError(/from 1 to 12/);
    expect((await parseKernelSpec(`kernels12:5@${file}`)).description).toMatch(/#5/);
  });
});
