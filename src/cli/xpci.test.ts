/**
 * @file `lab xpci` argument handling, in process (runXpci): a run on a synthetic pair, and the one-line
 * errors for missing flags (UsageError, exit 2 in main.ts) and bad values (LabError, exit 1); the CNN
 * tracker cnn-xst (model recorded in result.json) and the refusal of cnn-dic.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabError } from '../core/errors';
import { readImage, writeTiffFloat32 } from '../core/imageio';
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
    await expect(runXpci([...base, '--method', 'optical-flow', '--out', 'x'])).rejects.toThrow(UsageError);
    await expect(runXpci([...base, '--method', 'optical-flow', '--out', 'x'])).rejects.toThrow('--method must be one of umpa, zncc, icgn, cnn-xst, cnn+icgn (got "optical-flow")');
    // cnn-dic is refused with its reason (trained for ±16 px DIC speckle)
    const dic = await runXpci([...base, '--method', 'cnn-dic', '--out', 'x']).catch((e) => e);
    expect(dic).toBeInstanceOf(UsageError);
    expect(dic.message).toMatch(/^--method must be one of umpa, zncc, icgn, cnn-xst, cnn\+icgn \(got "cnn-dic"\); xpci does not run cnn-dic: its model dicnet-s is trained for DIC speckle/);
    // the CNN flags are lab track's: refused for a classical method, --search refused for a CNN
    await expect(runXpci([...base, '--model', 'cade-xst-s', '--out', 'x'])).rejects.toThrow('--model applies to the CNN methods only, not to umpa');
    await expect(runXpci([...base, '--method', 'cnn-xst', '--search', '3', '--out', 'x'])).rejects.toThrow(/--search does not apply to cnn-xst/);
    await expect(runXpci([...base, '--method', 'cnn+icgn', '--passes', '2', '--out', 'x'])).rejects.toThrow(/--passes applies to cnn-dic and cnn-xst/);
  });

  it('runs cnn-xst: alpha maps, the model in result.json, and a note that transmission and dark-field are UMPA\'s', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // a pair in cade-xst-s's trained range (±1 px): u = 0.5 px; one pass alone is biased there (about 0.15 px,
      // manifest passes1_symmetry1), so 3 passes
      const pair = await simulatePair(
        { width: 64, height: 64, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0.5, uy: 0 }, seed: 5 },
        quietContext(),
      );
      await writeTiffFloat32(join(dir, 'ref-cnn.tif'), pair.reference);
      await writeTiffFloat32(join(dir, 'sample-cnn.tif'), pair.deformed);
      const out = join(dir, 'cnn');
      const args = ['--ref', join(dir, 'ref-cnn.tif'), '--sample', join(dir, 'sample-cnn.tif'), ...base.slice(4)];
      const code = await runXpci([...args, '--method', 'cnn-xst', '--passes', '3', '--symmetry', '4', '--window', '11', '--out', out, '--quiet']);
      expect(code).toBe(0);
      const names = await readdir(out);
      expect(names).toEqual(expect.arrayContaining(['alpha_x.tif', 'alpha_y.tif', 'phase.tif', 'u.tif', 'quality.tif', 'preview.png', 'result.json']));
      expect(names).not.toContain('transmission.tif');
      expect(names).not.toContain('darkfield.tif');
      const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(json).toMatchObject({ kind: 'xpci', method: 'cnn-xst', model: { id: 'cade-xst-s' }, parameters: { model: 'cade-xst-s', passes: 3, symmetry: 4, qualityWindow: 11, step: 1 } });
      expect(json.model.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof json.executionProvider).toBe('string');
      expect(json.notProduced).toEqual(['transmission.tif', 'darkfield.tif', 'attenuation.png']);
      expect(json.messages.join('\n')).toMatch(/cnn-xst measures the displacement only: no transmission or dark-field/);
      expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/lab: note: cnn-xst measures the displacement only/);
      // alpha = u·p/d = 0.5 px · 7 µm / 3.5 m = 1 µrad, away from the borders
      const ax = await readImage(join(out, 'alpha_x.tif'));
      const inner: number[] = [];
      for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) inner.push(ax.data[y * 64 + x]);
      inner.sort((a, b) => a - b);
      expect(inner[inner.length >> 1] * 1e6).toBeCloseTo(1, 1);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
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
