/**
 * @file The xpci job end to end on a synthetic pair with a known constant displacement (synth/simulatePair):
 * files written, α = u·p/d recovered in µrad, a tilted-plane phase, the profile CSV and result.json; and
 * the errors a user meets first (bad geometry, profile outside the image).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeTiffFloat32 } from '../imageio';
import { quietContext } from '../progress';
import { simulatePair } from '../synth';
import { runXpciTask } from './xpci-task';

let dir: string;
const UX = 0.6, UY = -0.35;
const GEOM = { pixelUm: 7, distanceM: 3.5, energyKeV: 17 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-'));
  const pair = await simulatePair(
    { width: 96, height: 80, speckleSize: 4, noise: { kind: 'poisson', photons: 5000 }, field: { kind: 'constant', ux: UX, uy: UY }, seed: 11 },
    quietContext(),
  );
  await writeTiffFloat32(join(dir, 'ref.tif'), pair.reference);
  await writeTiffFloat32(join(dir, 'sample.tif'), pair.deformed);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const finite = (a: Float32Array) => Array.from(a).filter(Number.isFinite);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

describe('runXpciTask on a synthetic constant shift', () => {
  it('writes every map and recovers α = u·p/d (2 µrad per px here)', async () => {
    const out = join(dir, 'umpa');
    const res = await runXpciTask(
      { refPaths: [join(dir, 'ref.tif')], samplePaths: [join(dir, 'sample.tif')], geometry: GEOM, step: 2, delta: 1e-6, threads: 0,
        profile: { x0: 20, y0: 40, x1: 75, y1: 40, widthPx: 5 }, outDir: out },
      quietContext(),
    );
    const names = (await readdir(out)).sort();
    expect(names).toEqual([
      'alpha_x.tif', 'alpha_y.tif', 'attenuation.png', 'darkfield.tif', 'dphi_dx.tif', 'dphi_dy.tif', 'phase.tif', 'preview.png',
      'profile.csv', 'quality.tif', 'result.json', 'thickness.tif', 'transmission.tif', 'u.tif', 'v.tif',
    ]);
    const ax = await readImage(join(out, 'alpha_x.tif'));
    const ay = await readImage(join(out, 'alpha_y.tif'));
    const mx = median(finite(ax.data)) * 1e6, my = median(finite(ay.data)) * 1e6;
    const expX = (UX * 7e-6 / 3.5) * 1e6, expY = (UY * 7e-6 / 3.5) * 1e6;
    console.log(`[xpci task] constant shift (${UX}, ${UY}) px: median α = (${mx.toFixed(3)}, ${my.toFixed(3)}) µrad, expected (${expX}, ${expY}) µrad; valid ${(100 * (res.summary.validFraction as number)).toFixed(1)}%`);
    expect(mx).toBeCloseTo(expX, 1);
    expect(my).toBeCloseTo(expY, 1);
    expect(ax.meta.pixelSize?.x).toBeCloseTo(7, 4);

    // a constant α is a tilted-plane phase: slope (2π/λ)·α·p per pixel
    const phase = await readImage(join(out, 'phase.tif'));
    const k = (2 * Math.PI * 17) / 1.23984198e-9;
    const slope = k * (UX * 7e-6 / 3.5) * 7e-6; // rad/px along x
    const row = 40 * 96;
    const measured = (phase.data[row + 70] - phase.data[row + 25]) / 45;
    console.log(`[xpci task] phase slope along x: ${measured.toFixed(4)} rad/px, expected ${slope.toFixed(4)} rad/px`);
    expect(measured / slope).toBeCloseTo(1, 1);

    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(json).toMatchObject({ kind: 'xpci', method: 'umpa', parameters: { integrator: 'fc', step: 2, delta: 1e-6 }, model: null, notProduced: [] });
    expect(json.geometry).toMatchObject({ magnification: 1, microradPerPixel: 2 });
    expect(json.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.summary.alpha_x_urad.mean).toBeCloseTo(expX, 1);
    expect(json.maps['alpha_x.tif'].unit).toBe('rad');

    const csv = (await readFile(join(out, 'profile.csv'), 'utf8')).trim().split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 7)).toEqual(['s_px', 's_um', 'x_px', 'y_px', 'n_1', 'u_px_umpa', 'u_std_px_umpa']);
    expect(header).toContain('alpha_x_urad_umpa');
    expect(header).toContain('phase_rad_fc');
    expect(header).toContain('thickness_um_fc');
    expect(csv.length).toBe(1 + 56);
    const col = header.indexOf('alpha_x_urad_umpa');
    const mid = csv[28].split(',');
    expect(Number(mid[col])).toBeCloseTo(expX, 1);
    expect(Number(mid[1])).toBeCloseTo(27 * 7, 6);
  });

  it('least squares gives the same phase as Frankot–Chellappa on this map', async () => {
    const run = (integrator: 'fc' | 'ls') =>
      runXpciTask({ refPaths: [join(dir, 'ref.tif')], samplePaths: [join(dir, 'sample.tif')], geometry: GEOM, method: 'zncc', options: { window: 15 }, step: 3, integrator, threads: 0, outDir: join(dir, `zncc-${integrator}`) }, quietContext());
    const fc = await run('fc');
    const ls = await run('ls');
    const a = (fc.summary.phase_rad as { std: number }).std, b = (ls.summary.phase_rad as { std: number }).std;
    console.log(`[xpci task] ZNCC, phase std FC ${a.toFixed(3)} rad, LS ${b.toFixed(3)} rad`);
    expect(b / a).toBeCloseTo(1, 1);
    expect((await readdir(join(dir, 'zncc-fc'))).includes('transmission.tif')).toBe(false);
    // what a non-UMPA run does not produce is said, in the messages and in result.json; no model for a classical method
    expect(fc.messages).toContain('zncc measures the displacement only: no transmission or dark-field (transmission.tif, darkfield.tif, attenuation.png come from UMPA, method "umpa").');
    const json = JSON.parse(await readFile(join(dir, 'zncc-fc', 'result.json'), 'utf8'));
    expect(json).toMatchObject({ method: 'zncc', model: null, executionProvider: null, notProduced: ['transmission.tif', 'darkfield.tif', 'attenuation.png'] });
  });

  it('refuses cnn-dic (trained for ±16 px DIC speckle) with its reason, before reading anything', async () => {
    const e = await runXpciTask(
      { refPaths: ['nowhere-ref.tif'], samplePaths: ['nowhere-sample.tif'], geometry: GEOM, method: 'cnn-dic' as never, outDir: join(dir, 'dic') },
      quietContext(),
    ).catch((err) => err);
    expect(e.code).toBe('E_INVALID_INPUT');
    expect(e.message).toMatch(/^xpci does not run cnn-dic: its model dicnet-s is trained for DIC speckle shifts up to ±16 px .* \(methods: umpa, zncc, icgn, cnn-xst, cnn\+icgn\)\.$/);
  });

  it('fails early with a clear sentence on a bad geometry or a profile outside the image', async () => {
    const base = { refPaths: [join(dir, 'ref.tif')], samplePaths: [join(dir, 'sample.tif')], threads: 0 };
    await expect(runXpciTask({ ...base, geometry: { ...GEOM, distanceM: 0 }, outDir: join(dir, 'bad1') }, quietContext())).rejects.toThrow(
      'The sample–detector distance 0 m must be greater than 0 m',
    );
    await expect(
      runXpciTask({ ...base, geometry: GEOM, profile: { x0: 0, y0: 0, x1: 200, y1: 10 }, outDir: join(dir, 'bad2') }, quietContext()),
    ).rejects.toThrow(/profile end point \(200, 10\) lies outside the 96×80 image/);
  });
});
