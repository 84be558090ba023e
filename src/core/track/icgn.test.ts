/**
 * Accuracy of the IC-GN kernel against exact synthetic ground truth (synth/): constant sub-pixel shifts on
 * clean and noisy speckle, homogeneous strain and rotation. Figures are printed so they appear in the log.
 */
import { describe, expect, it } from 'vitest';
import { quietContext } from '../progress';
import { type NoiseSpec, simulatePair } from '../synth';
import { type Affine, affineAt, errorStats, renderSpeckle, rotation, runIcgn } from './icgn-fixtures';

const SIZE = 256;
const STEP = 8;

async function shiftTable(noise: NoiseSpec) {
  const rows = [];
  for (let k = 0; k <= 10; k++) {
    const s = k / 10;
    // Shift along x and y at once (different fractions would also do; equal ones keep the table short).
    const pair = await simulatePair(
      { width: SIZE, height: SIZE, speckleSize: 4, noise, field: { kind: 'constant', ux: s, uy: s }, seed: 1 },
      quietContext(),
    );
    const run = runIcgn(pair.reference, pair.deformed, STEP);
    rows.push({ shift: s, ...errorStats(run, () => [s, s]) });
  }
  const fmt = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(5);
  console.log(
    `IC-GN, ${SIZE}² speckle 4 px, subset 21, step ${STEP}, noise ${JSON.stringify(noise)}\n` +
      '  shift   bias u    bias v    RMSE u   RMSE v   valid\n' +
      rows
        .map((r) => `  ${r.shift.toFixed(1)}   ${fmt(r.biasU)}  ${fmt(r.biasV)}  ${r.rmseU.toFixed(5)}  ${r.rmseV.toFixed(5)}  ${(100 * r.valid).toFixed(1)}%`)
        .join('\n'),
  );
  return rows;
}

describe('IC-GN accuracy', () => {
  it('measures constant sub-pixel shifts 0–1 px with RMSE well under 0.01 px on clean speckle', async () => {
    const rows = await shiftTable({ kind: 'none' });
    for (const r of rows) {
      expect(r.valid).toBe(1);
      expect(r.rmseU).toBeLessThan(0.004);
      expect(r.rmseV).toBeLessThan(0.004);
      expect(Math.abs(r.biasU)).toBeLessThan(0.004);
      expect(Math.abs(r.biasV)).toBeLessThan(0.004);
    }
  });

  it('keeps RMSE under 0.015 px with Poisson noise (2000 photons at the mean grey)', async () => {
    const rows = await shiftTable({ kind: 'poisson', photons: 2000 });
    for (const r of rows) {
      expect(r.valid).toBe(1);
      expect(r.rmseU).toBeLessThan(0.015);
      expect(r.rmseV).toBeLessThan(0.015);
      expect(Math.abs(r.biasU)).toBeLessThan(0.005);
      expect(Math.abs(r.biasV)).toBeLessThan(0.005);
    }
  });

  it('recovers homogeneous strain and rotation: displacements and the shape-function gradients', () => {
    const cases: [string, Affine][] = [
      ['uniaxial 1e-3', { t: [0.3, -0.4], g: [1e-3, 0, 0, 0], c: [128, 128] }],
      ['biaxial 1e-2 / −5e-3', { t: [0.3, -0.4], g: [1e-2, 0, 0, -5e-3], c: [128, 128] }],
      ['shear 5e-3', { t: [-0.7, 0.2], g: [0, 5e-3, 5e-3, 0], c: [128, 128] }],
      ['rotation 1°', rotation(Math.PI / 180, [128, 128])],
      ['strain 5e-3 + rotation 0.5°', (() => {
        const r = rotation(Math.PI / 360, [100, 140]);
        return { ...r, t: [0.4, 0.1] as [number, number], g: [r.g[0] + 5e-3, r.g[1], r.g[2], r.g[3] + 5e-3] as Affine['g'] };
      })()],
    ];
    const ref = renderSpeckle(SIZE, SIZE, 4, 5);
    const lines: string[] = [];
    for (const [name, a] of cases) {
      const run = runIcgn(ref, renderSpeckle(SIZE, SIZE, 4, 5, a), STEP);
      const s = errorStats(run, (x, y) => affineAt(a, x, y));
      const gradErr = ['ux', 'uy', 'vx', 'vy'].map((key, i) => {
        let se = 0, n = 0;
        for (const val of run.extra[key]) {
          if (!Number.isFinite(val)) continue;
          se += (val - a.g[i]) ** 2;
          n++;
        }
        return Math.sqrt(se / n);
      });
      lines.push(
        `  ${name.padEnd(28)} RMSE u ${s.rmseU.toFixed(5)}  v ${s.rmseV.toFixed(5)}  max |e| ${s.maxErr.toFixed(4)}  ` +
          `RMSE ux,uy,vx,vy ${gradErr.map((e) => e.toExponential(1)).join(', ')}  valid ${(100 * s.valid).toFixed(1)}%`,
      );
      expect(s.valid).toBe(1);
      expect(s.rmseU).toBeLessThan(0.004);
      expect(s.rmseV).toBeLessThan(0.004);
      expect(s.maxErr).toBeLessThan(0.01);
      for (const e of gradErr) expect(e).toBeLessThan(5e-4);
    }
    console.log(`IC-GN, affine deformation (${SIZE}², subset 21, step ${STEP}):\n${lines.join('\n')}`);
  });

  it('is insensitive to a change of brightness and contrast (ZNSSD)', async () => {
    const pair = await simulatePair(
      { width: 128, height: 128, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: 0.35, uy: -0.6 }, seed: 9 },
      quietContext(),
    );
    const def = { ...pair.deformed, data: pair.deformed.data.map((g) => 0.6 * g + 40) };
    const s = errorStats(runIcgn(pair.reference, def, STEP), () => [0.35, -0.6]);
    expect(s.valid).toBe(1);
    expect(Math.max(s.rmseU, s.rmseV)).toBeLessThan(0.004);
  });
});
