/**
 * @file `lab simulate xpci` in process: the flags reach the simulator, the summary line is printed and
 * bad flags fail with a sentence (the dispatch from `lab simulate` lives in main.ts/simulate.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSimulateXpci } from './simulate-xpci';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-xpci-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lab simulate xpci', () => {
  it('runs with the given flags and prints the geometry summary', async () => {
    const out = join(dir, 'cyl');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await runSimulateXpci(
        ['xpci', '--out', out, '--sample', 'cylinder', '--radius-um', '250', '--size', '64,48', '--distance-m', '10', '--source-m', '10', '--photons', '0', '--blur-px', '0.5', '--seed', '3', '--quiet'],
      );
      expect(code).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/d = 10\.00 m, M = 2\.000, max \|u\| = [\d.]+ px/);
      expect(printed).toContain('alpha_x.tif');
    } finally {
      log.mockRestore();
    }
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(json.parameters).toMatchObject({ width: 64, height: 48, distanceM: 10, sourceM: 10, photons: 0, blurPx: 0.5, seed: 3, sample: { kind: 'cylinder', radiusUm: 250 } });
    expect(json.geometry.magnification).toBe(2);
  });

  it('rejects bad flags with a sentence', async () => {
    await expect(runSimulateXpci(['--size', '64,48'])).rejects.toThrow(/needs --out DIR/);
    await expect(runSimulateXpci(['--out', join(dir, 'x'), '--sample', 'cube'])).rejects.toThrow(/--sample must be sine, sphere or cylinder/);
    await expect(runSimulateXpci(['--out', join(dir, 'x'), '--distance-m', 'far'])).rejects.toThrow(/--distance-m "far" is not a number/);
    await expect(runSimulateXpci(['--out', join(dir, 'x'), '--radius-um', '5'])).rejects.toThrow(/--radius-um applies to/);
  });
});
