/**
 * @file `lab xpci` argument handling, in process (runXpci): a run on a synthetic pair, and the one-line
 * errors for missing flags (UsageError, exit 2 in main.ts) and bad values (LabError, exit 1).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabError } from '../core/errors';
import { writeTiffFloat32 } from '../core/imageio';
import { quietContext } from '../core/progress';
import { simulatePair } from '../core/synth';
import { UsageError } from './usage-error';
import { runXpci } from './xpci';

let dir: string;
let base: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-cli-xpci-'));
  const pair = await simulatePair(
    { width: 64, height: 48, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 1, uy: 0 }, seed: 3 },
    quietContext(),
  );
  await writeTiffFloat32(join(dir, 'ref.tif'), pair.reference);
  await writeTiffFloat32(join(dir, 'sample.tif'), pair.deformed);
  base = ['--ref', join(dir, 'ref.tif'), '--sample', join(dir, 'sample.tif'), '--pixel-um', '7', '--distance-m', '3.5', '--energy-kev', '17'];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('lab xpci', () => {
  it('runs UMPA with a profile and δ, and prints the α summary', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const out = join(dir, 'run');
      const code = await runXpci([...base, '--step', '2', '--threads', '0', '--delta', '3.6e-7', '--profile', '10,24,50,24,3', '--out', out, '--quiet']);
      expect(code).toBe(0);
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toMatch(/^alpha_x: mean 2\.0\d\d µrad/); // 1 px · 7 µm / 3.5 m
      expect(await readdir(out)).toEqual(expect.arrayContaining(['alpha_x.tif', 'phase.tif', 'thickness.tif', 'profile.csv', 'result.json']));
    } finally {
      log.mockRestore();
    }
  });

  it('names every missing flag as a usage error', async () => {
    await expect(runXpci(['--ref', 'a.tif', '--out', 'x'])).rejects.toThrow(UsageError);
    await expect(runXpci(['--ref', 'a.tif', '--out', 'x'])).rejects.toThrow('lab xpci needs --sample, --pixel-um, --distance-m, --energy-kev');
    await expect(runXpci([...base, '--method', 'optical-flow', '--out', 'x'])).rejects.toThrow(/--method must be one of zncc, umpa, icgn/);
  });

  it('refuses bad values with sentences', async () => {
    const out = join(dir, 'never');
    await expect(runXpci([...base.slice(0, 6), '--distance-m', 'far', '--energy-kev', '17', '--out', out])).rejects.toThrow('--distance-m "far" is not a number (m); write it like 3.5 or 2e-7.');
    await expect(runXpci([...base, '--profile', '1,2,3', '--out', out])).rejects.toThrow(/--profile "1,2,3" must be x0,y0,x1,y1/);
    await expect(runXpci([...base, '--window', '10', '--out', out])).rejects.toThrow(/--window 10 must be odd/);
    const e = await runXpci([...base.slice(0, 8), '--energy-kev', '17000', '--out', out]).catch((err) => err);
    expect(e).toBeInstanceOf(LabError);
    expect(e.message).toMatch(/photon energy 17000 keV is outside the accepted range 0\.1–1000 keV/);
  });
});
