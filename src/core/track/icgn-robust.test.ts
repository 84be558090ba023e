/**
 * Robustness of the IC-GN kernel: large displacements without a manual guess, curved fields, decorrelated
 * input (must come out NaN, not as a confident wrong field), disconnected ROI regions, the iteration cap,
 * option checks, and the dense-grid timing (printed, not asserted: timings belong in bench/).
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { quietContext } from '../progress';
import { makeField, simulatePair } from '../synth';
import { icgnKernel } from './icgn';
import { ICGN_TEST_DEFAULTS, errorStats, renderSpeckle, rotation, runIcgn } from './icgn-fixtures';

const SIZE = 256;

function constantPair(ux: number, uy: number, size = SIZE) {
  return simulatePair(
    { width: size, height: size, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux, uy }, seed: 1 },
    quietContext(),
  );
}

function validShare(q: Float32Array, active: Uint8Array): number {
  let n = 0, v = 0;
  for (let k = 0; k < q.length; k++) {
    if (!active[k]) continue;
    n++;
    if (Number.isFinite(q[k])) v++;
  }
  return v / n;
}

describe('IC-GN robustness', () => {
  it('finds a large constant displacement (12.3, −10.7) px without a guess, NaN only where the subset leaves the image', async () => {
    const [ux, uy] = [12.3, -10.7];
    const pair = await constantPair(ux, uy);
    const run = runIcgn(pair.reference, pair.deformed, 8);
    const { x0, y0, step, nx, ny } = run.grid;
    const M = 10;
    let wrong = 0;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = x0 + i * step + ux, y = y0 + j * step + uy;
        const fits = x - M >= 0 && x + M <= SIZE - 1 && y - M >= 0 && y + M <= SIZE - 1;
        if (fits !== Number.isFinite(run.u[j * nx + i])) wrong++;
      }
    }
    const s = errorStats(run, () => [ux, uy]);
    console.log(`IC-GN, constant (12.3, −10.7) px: valid ${(100 * s.valid).toFixed(1)}% (the rest leave the image), RMSE ${s.rmseU.toFixed(5)}, ${s.rmseV.toFixed(5)} px`);
    expect(wrong).toBe(0);
    expect(Math.max(s.rmseU, s.rmseV)).toBeLessThan(0.004);
  });

  it('follows smooth random-patch fields everywhere (first-order subsets on a curved field)', async () => {
    const lines: string[] = [];
    for (const seed of [1, 2, 3]) {
      const pair = await simulatePair(
        { width: SIZE, height: SIZE, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'random-patches' }, seed },
        quietContext(),
      );
      const field = makeField({ kind: 'random-patches' }, SIZE, SIZE, seed);
      const e = new Float64Array(8);
      const run = runIcgn(pair.reference, pair.deformed, 8);
      const s = errorStats(run, (x, y) => {
        field.evaluate(x, y, e);
        return [e[0], e[1]];
      });
      let amp = 0;
      for (let k = 0; k < SIZE * SIZE; k++) amp = Math.max(amp, Math.hypot(pair.u.data[k], pair.v.data[k]));
      lines.push(`  seed ${seed}: max |u| ${amp.toFixed(2)} px, valid ${(100 * s.valid).toFixed(1)}%, RMSE ${s.rmseU.toFixed(4)}, ${s.rmseV.toFixed(4)} px, max |e| ${s.maxErr.toFixed(3)} px`);
      expect(s.valid).toBe(1);
      // The error left is the first-order shape function's on curvature (~u''·M²/6 on 20–50 px patches).
      expect(Math.max(s.rmseU, s.rmseV)).toBeLessThan(0.05);
      expect(s.maxErr).toBeLessThan(0.3);
    }
    console.log(`IC-GN, random patches (${SIZE}², subset 21, step 8):\n${lines.join('\n')}`);
  });

  it('returns NaN, not a confident wrong field, on decorrelated images', () => {
    const ref = renderSpeckle(SIZE, SIZE, 4, 1);
    const cases = [
      ['two independent patterns', renderSpeckle(SIZE, SIZE, 4, 2)],
      ['rotated by 170°', renderSpeckle(SIZE, SIZE, 4, 1, rotation((170 * Math.PI) / 180, [127.5, 127.5]))],
    ] as const;
    for (const [name, def] of cases) {
      const run = runIcgn(ref, def, 8);
      // With no threshold at all: how well can IC-GN fit noise? This is the margin the seed threshold keeps.
      const loose = runIcgn(ref, def, 8, { minZncc: -1 });
      const best = Math.max(...[...loose.quality].filter(Number.isFinite));
      const share = validShare(run.quality, run.active);
      console.log(
        `IC-GN, ${name}: ${(100 * share).toFixed(1)}% valid at minZncc 0.7; with no ZNCC threshold ` +
          `${(100 * validShare(loose.quality, loose.active)).toFixed(1)}% converge, best ZNCC ${best.toFixed(3)}`,
      );
      expect(share).toBeLessThan(0.01);
    }
  });

  it('seeds every region the ROI cuts apart', async () => {
    const pair = await constantPair(0.4, 0.3);
    const mask = new Uint8Array(SIZE * SIZE);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        // Two discs and a thin vertical bar, none touching: three fronts needed in the one tile.
        const a = (x - 60) ** 2 + (y - 70) ** 2 < 40 ** 2;
        const b = (x - 190) ** 2 + (y - 180) ** 2 < 30 ** 2;
        const c = x >= 124 && x <= 132 && y >= 20 && y <= 230;
        mask[y * SIZE + x] = a || b || c ? 1 : 0;
      }
    }
    const run = runIcgn(pair.reference, pair.deformed, 4, {}, { kind: 'mask', mask });
    const s = errorStats(run, () => [0.4, 0.3]);
    expect(s.valid).toBe(1);
    expect(Math.max(s.rmseU, s.rmseV)).toBeLessThan(0.004);
    // Inactive points stay NaN.
    for (let k = 0; k < run.u.length; k++) if (!run.active[k]) expect(run.u[k]).toBeNaN();
  });

  it('marks points that do not converge within maxIterations as NaN and reports iterations', async () => {
    const pair = await constantPair(0.37, -0.21, 128);
    const capped = runIcgn(pair.reference, pair.deformed, 8, { maxIterations: 1 });
    expect(validShare(capped.u, capped.active)).toBe(0);
    const run = runIcgn(pair.reference, pair.deformed, 8);
    const its = [...run.extra.iterations].filter(Number.isFinite);
    expect(its.length).toBe(run.u.length);
    for (const it of its) {
      expect(Number.isInteger(it)).toBe(true);
      expect(it).toBeGreaterThanOrEqual(1);
      expect(it).toBeLessThanOrEqual(ICGN_TEST_DEFAULTS.maxIterations);
    }
  });

  it('refuses bad options with a sentence naming the option', () => {
    const bad = (over: object, re: RegExp, w = 100, h = 100) => {
      try {
        icgnKernel.validate({ ...ICGN_TEST_DEFAULTS, ...over }, w, h);
      } catch (e) {
        expect(e).toBeInstanceOf(LabError);
        expect((e as LabError).code).toBe('E_INVALID_INPUT');
        expect((e as Error).message).toMatch(re);
        return;
      }
      throw new Error(`no error for ${JSON.stringify(over)}`);
    };
    bad({ subset: 20 }, /subset size 20/);
    bad({ subset: 3 }, /subset size 3/);
    bad({ subset: 31 }, /at most 25 px/, 30, 200);
    bad({ search: 0 }, /search radius 0/);
    bad({ maxIterations: 2.5 }, /maxIterations 2.5/);
    bad({ tolerance: 0 }, /tolerance 0/);
    bad({ minZncc: 1.2 }, /minZncc 1.2/);
    expect(icgnKernel.margin(ICGN_TEST_DEFAULTS)).toBe(12);
  });

  it('runs a dense grid (step 1) in seconds on one core', async () => {
    const pair = await constantPair(0.3, -0.2);
    const run = runIcgn(pair.reference, pair.deformed, 1);
    const s = errorStats(run, () => [0.3, -0.2]);
    const n = run.grid.nx * run.grid.ny;
    console.log(
      `IC-GN dense: ${SIZE}², subset 21, step 1, ${n} points in ${(run.ms / 1000).toFixed(2)} s on one thread ` +
        `(${((1e3 * run.ms) / n).toFixed(0)} µs/point), RMSE ${s.rmseU.toFixed(5)}, ${s.rmseV.toFixed(5)} px`,
    );
    expect(s.valid).toBe(1);
    expect(Math.max(s.rmseU, s.rmseV)).toBeLessThan(0.004);
  });
});
