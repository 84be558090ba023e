import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { quietContext } from '../progress';
import { type NoiseSpec, simulatePair } from '../synth';
import { gaussianPeak } from './subpixel';
import { errorStats, median, runKernel } from './testing/run-kernel';
import type { ZnccOptions } from './types';
import { productRows } from './window-sums';
import { checkWindowSearch, cropRegion, indexRange, tileGeometry, znccKernel } from './zncc';

const opts = (o: Partial<ZnccOptions> = {}): ZnccOptions => ({ window: 21, search: 9, subpixel: 'gaussian', minQuality: 0.5, ...o });

async function pair(ux: number, uy: number, size = 256, noise: NoiseSpec = { kind: 'none' }, seed = 1) {
  return simulatePair({ width: size, height: size, speckleSize: 4, noise, field: { kind: 'constant', ux, uy }, seed }, quietContext());
}

function crop(img: GreyImage, x0: number, y0: number, w: number, h: number): GreyImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + w), y * w);
  return { width: w, height: h, data };
}

const fmt = (s: ReturnType<typeof errorStats>) =>
  `median |err| ${s.medianAbs.toFixed(4)} px, RMS ${s.rms.toFixed(4)} px, bias ${s.bias.toFixed(4)} px, valid ${(100 * s.valid).toFixed(1)}%`;

/** The definition, slowly: ZNCC surface at pixel (x, y) in float64, best integer shift, Gaussian fit. */
function slowZncc(ref: GreyImage, def: GreyImage, x: number, y: number, o: ZnccOptions) {
  const M = (o.window - 1) / 2, R = o.search, S = 2 * R + 1, n = o.window ** 2;
  const at = (img: GreyImage, px: number, py: number) => img.data[py * img.width + px];
  const surf = new Float64Array(S * S);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      let sf = 0, sg = 0;
      for (let wy = -M; wy <= M; wy++) for (let wx = -M; wx <= M; wx++) [sf, sg] = [sf + at(ref, x + wx, y + wy), sg + at(def, x + dx + wx, y + dy + wy)];
      const [mf, mg] = [sf / n, sg / n];
      let fg = 0, ff = 0, gg = 0;
      for (let wy = -M; wy <= M; wy++) {
        for (let wx = -M; wx <= M; wx++) {
          const f = at(ref, x + wx, y + wy) - mf, g = at(def, x + dx + wx, y + dy + wy) - mg;
          [fg, ff, gg] = [fg + f * g, ff + f * f, gg + g * g];
        }
      }
      surf[(dy + R) * S + dx + R] = fg / Math.sqrt(ff * gg);
    }
  }
  let bt = 0;
  surf.forEach((v, t) => (v > surf[bt] ? (bt = t) : 0));
  const [bx, by] = [(bt % S) - R, Math.floor(bt / S) - R];
  if (Math.abs(bx) === R || Math.abs(by) === R) return { u: NaN, v: NaN, q: NaN };
  const patch: number[] = [];
  for (let ey = -1; ey <= 1; ey++) for (let ex = -1; ex <= 1; ex++) patch.push(surf[(by + ey + R) * S + bx + ex + R]);
  const fit = gaussianPeak(patch);
  return { u: bx + fit.dx, v: by + fit.dy, q: surf[bt] };
}

describe('ZNCC kernel: accuracy on synthetic constant shifts (256², speckle 4 px, no noise, window 21, search 9)', () => {
  for (const [ux, uy] of [[0.3, -0.2], [2.6, 1.4], [-7.2, 4.5]]) {
    for (const subpixel of ['gaussian', 'newton'] as const) {
      it(`recovers (${ux}, ${uy}) with the ${subpixel} fit to a median error below 0.05 px`, async () => {
        const p = await pair(ux, uy);
        const { out } = runKernel(znccKernel, [p.reference], [p.deformed], opts({ subpixel }));
        const [eu, ev] = [errorStats(out.u, ux), errorStats(out.v, uy)];
        console.log(`ZNCC ${subpixel} (${ux}, ${uy}): u ${fmt(eu)}; v ${fmt(ev)}`);
        for (const e of [eu, ev]) {
          expect(e.valid).toBeGreaterThan(0.99);
          expect(e.medianAbs).toBeLessThan(0.05);
          expect(e.rms).toBeLessThan(0.08);
        }
      });
    }
  }

  it('gets the integer part of integer shifts exactly, with a small sub-pixel residual', async () => {
    const p = await pair(2, -3);
    const { out } = runKernel(znccKernel, [p.reference], [p.deformed], opts());
    let worst = 0;
    for (let k = 0; k < out.u.length; k++) {
      expect([Math.round(out.u[k]), Math.round(out.v[k])]).toEqual([2, -3]);
      worst = Math.max(worst, Math.abs(out.u[k] - 2), Math.abs(out.v[k] + 3));
    }
    const [eu, ev] = [errorStats(out.u, 2), errorStats(out.v, -3)];
    // The 3-point fit reads an exact integer match as slightly off wherever the windowed correlation
    // peak is asymmetric; this is the residual of the estimator, not of the integer search.
    console.log(`ZNCC integer shift (2, -3): u ${fmt(eu)}; v ${fmt(ev)}; worst ${worst.toFixed(4)} px`);
    expect(Math.max(eu.medianAbs, ev.medianAbs)).toBeLessThan(0.02);
    expect(worst).toBeLessThan(0.2);
  });
});

describe('ZNCC kernel: conventions and rejection', () => {
  it('follows I_def(x + u) = I_ref(x): a deformed crop taken 3 px left and 2 px up gives u = +3, v = +2', async () => {
    const big = (await pair(0, 0, 200)).reference;
    const ref = crop(big, 10, 10, 160, 160);
    const def = crop(big, 7, 8, 160, 160); // def(x + 3, y + 2) = big(x + 10, y + 10) = ref(x, y)
    const { out } = runKernel(znccKernel, [ref], [def], opts({ search: 5 }));
    console.log(`ZNCC sign test: median u ${median(out.u).toFixed(4)}, median v ${median(out.v).toFixed(4)} (truth 3, 2)`);
    expect(median(out.u)).toBeCloseTo(3, 1);
    expect(median(out.v)).toBeCloseTo(2, 1);
  });

  it('returns NaN where the peak is on the search border (the true peak may lie outside)', async () => {
    const p = await pair(6.4, 0.3, 128);
    const { out } = runKernel(znccKernel, [p.reference], [p.deformed], opts({ search: 5 }));
    const valid = out.u.filter(Number.isFinite).length;
    console.log(`ZNCC shift 6.4 px with search 5: ${valid} of ${out.u.length} points valid`);
    expect(valid).toBe(0);
    const inside = runKernel(znccKernel, [p.reference], [p.deformed], opts({ search: 8 })).out;
    expect(errorStats(inside.u, 6.4).valid).toBeGreaterThan(0.99);
  });

  it('returns NaN everywhere, without failing, for constant (zero-variance) images', () => {
    const flat = { width: 64, height: 64, data: new Float32Array(64 * 64).fill(100) };
    const speckle = { width: 64, height: 64, data: Float32Array.from({ length: 64 * 64 }, (_, k) => (k * 7919) % 255) };
    for (const [r, d] of [[flat, flat], [speckle, flat], [flat, speckle]]) {
      const { out } = runKernel(znccKernel, [r], [d], opts({ window: 11, search: 3 }));
      expect(out.u.every(Number.isNaN) && out.v.every(Number.isNaN) && out.quality.every(Number.isNaN)).toBe(true);
    }
  });

  it('honours minQuality: points below it become NaN, the others keep their values', async () => {
    const p = await pair(1.3, -0.7, 128, { kind: 'gauss', sigma: 60 }, 3);
    const o = opts({ window: 11, search: 4 });
    const loose = runKernel(znccKernel, [p.reference], [p.deformed], { ...o, minQuality: -1 }).out;
    const strict = runKernel(znccKernel, [p.reference], [p.deformed], { ...o, minQuality: 0.6 }).out;
    let dropped = 0;
    for (let k = 0; k < loose.u.length; k++) {
      if (!Number.isFinite(loose.u[k])) {
        expect(strict.u[k]).toBeNaN();
      } else if (loose.quality[k] < 0.6) {
        dropped++;
        expect([strict.u[k], strict.v[k], strict.quality[k]]).toEqual([NaN, NaN, NaN]);
      } else {
        expect([strict.u[k], strict.v[k], strict.quality[k]]).toEqual([loose.u[k], loose.v[k], loose.quality[k]]);
      }
    }
    console.log(`ZNCC minQuality 0.6 on a noisy pair: dropped ${dropped} of ${loose.u.length} points (median quality ${median(loose.quality).toFixed(3)})`);
    expect(dropped).toBeGreaterThan(20);
  });

  it('rejects bad options and inputs with sentences that say what to change', () => {
    const img = { width: 64, height: 64, data: new Float32Array(64 * 64) };
    const small = { width: 32, height: 64, data: new Float32Array(32 * 64) };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as LabError).code}: ${(e as LabError).message}`;
      }
      return 'no error';
    };
    expect(code(() => znccKernel.validate(opts({ subpixel: 'cubic' as never }), 64, 64))).toMatch(/E_INVALID_INPUT.*"gaussian" or "newton"/);
    expect(code(() => znccKernel.validate(opts({ minQuality: 2 }), 64, 64))).toMatch(/E_INVALID_INPUT.*minimum quality 2.*between -1 and 1/);
    expect(code(() => znccKernel.validate(opts({ window: 22 }), 64, 64))).toMatch(/E_INVALID_INPUT.*window 22/);
    expect(code(() => znccKernel.prepare([img, img], [img, img], opts({ window: 11, search: 3 })))).toMatch(/E_INVALID_INPUT.*UMPA/);
    expect(code(() => znccKernel.prepare([img], [small], opts({ window: 11, search: 3 })))).toMatch(/E_SIZE_MISMATCH/);
    expect(znccKernel.margin(opts())).toBe(19);
  });
});

describe('ZNCC kernel: implementation checks', () => {
  it('matches a slow direct implementation at sampled points, dense (step 1) and sparse (step 25), to 1e-4 px', async () => {
    const p = await pair(1.7, -0.6, 128, { kind: 'gauss', sigma: 8 }, 5);
    const o = opts({ search: 4 });
    for (const step of [1, 25]) {
      const { grid, out } = runKernel(znccKernel, [p.reference], [p.deformed], o, step);
      let worst = 0, checked = 0;
      for (let k = 0; k < grid.nx * grid.ny; k += step === 1 ? 251 : 1) {
        const [i, j] = [k % grid.nx, Math.floor(k / grid.nx)];
        const s = slowZncc(p.reference, p.deformed, grid.x0 + i * step, grid.y0 + j * step, o);
        expect(Number.isFinite(out.u[k])).toBe(Number.isFinite(s.u));
        if (!Number.isFinite(s.u)) continue;
        checked++;
        worst = Math.max(worst, Math.abs(out.u[k] - s.u), Math.abs(out.v[k] - s.v));
        expect(out.quality[k]).toBeCloseTo(s.q, 5);
      }
      console.log(`ZNCC vs direct sums, step ${step}: ${checked} points, worst |Δu|, |Δv| ${worst.toExponential(2)} px`);
      expect(checked).toBeGreaterThan(10);
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('gives the same values whether the grid is one tile, two tiles or partly inactive', async () => {
    const p = await pair(0.8, 0.45, 96, { kind: 'gauss', sigma: 4 }, 2);
    const o = opts({ window: 15, search: 3 });
    const whole = runKernel(znccKernel, [p.reference], [p.deformed], o, 2);
    const { nx, ny } = whole.grid;
    const prep = znccKernel.prepare([p.reference], [p.deformed], o);
    const jSplit = Math.floor(ny / 3);
    for (const tile of [{ i0: 0, j0: 0, ni: nx, nj: jSplit }, { i0: 3, j0: jSplit, ni: nx - 3, nj: ny - jSplit }]) {
      const n = tile.ni * tile.nj;
      const active = Uint8Array.from({ length: n }, (_, k) => (k % 5 === 0 ? 0 : 1));
      const out = { u: new Float32Array(n), v: new Float32Array(n), quality: new Float32Array(n), extra: {} };
      znccKernel.runTile(prep, whole.grid, tile, active, out, o);
      for (let j = 0; j < tile.nj; j++) {
        for (let i = 0; i < tile.ni; i++) {
          const [k, g] = [j * tile.ni + i, (tile.j0 + j) * nx + tile.i0 + i];
          if (!active[k]) expect(out.u[k]).toBeNaN();
          else expect([out.u[k], out.v[k]]).toEqual([expect.closeTo(whole.out.u[g], 6), expect.closeTo(whole.out.v[g], 6)]);
        }
      }
    }
  });

  it('reports its speed on a dense 256² grid (window 21, search 5)', async () => {
    const p = await pair(1.3, 0.4);
    for (const step of [1, 4, 16]) {
      const r = runKernel(znccKernel, [p.reference], [p.deformed], opts({ search: 5 }), step);
      const pts = r.grid.nx * r.grid.ny;
      console.log(`ZNCC timing 256², window 21, search 5, step ${step}: ${pts} points in ${r.ms.toFixed(0)} ms (${((1e3 * r.ms) / pts).toFixed(1)} µs/point)`);
      expect(errorStats(r.out.u, 1.3).valid).toBeGreaterThan(0.99);
    }
  });
});

describe('block-matching tile helpers', () => {
  it('indexRange keeps the grid indices whose pixel lies in [lo, hi]', () => {
    expect(indexRange(3, 4, 0, 10, 10, 30)).toEqual([2, 7]); // pixels 11 … 27
    expect(indexRange(3, 4, 5, 3, 10, 30)).toEqual([5, 7]);
    const [a, b] = indexRange(0, 1, 0, 5, 10, 20);
    expect(b).toBeLessThanOrEqual(a);
  });

  it('tileGeometry drops points too close to the border and shrinks to the active ones', () => {
    const grid = { x0: 2, y0: 2, step: 2, nx: 20, ny: 20 };
    const tile = { i0: 0, j0: 0, ni: 20, nj: 20 };
    const active = new Uint8Array(400).fill(1);
    const g = tileGeometry(grid, tile, active, 40, 40, 3, 2)!; // needs x in [5, 34]
    expect([g.ia, g.ib, g.ja, g.jb]).toEqual([2, 17, 2, 17]);
    expect([g.rx0, g.rw]).toEqual([3, 14 * 2 + 7]);
    active.fill(0);
    active[5 * 20 + 7] = 1;
    const one = tileGeometry(grid, tile, active, 40, 40, 3, 2)!;
    expect([one.ia, one.ib, one.ja, one.jb]).toEqual([7, 8, 5, 6]);
    active.fill(0);
    expect(tileGeometry(grid, tile, active, 40, 40, 3, 2)).toBeNull();
  });

  it('cropRegion and productRows address rows and columns as documented', () => {
    const data = Float32Array.from({ length: 30 }, (_, k) => k); // 6 × 5
    expect(Array.from(cropRegion(data, 6, 2, 1, 3, 2, 1))).toEqual([7, 8, 9, 13, 14, 15]);
    const a = Float64Array.from([1, 2, 3, 4]), b = Float64Array.from([1, 10, 100, 1000, 0, 0, 0, 0, 0]);
    const out = new Float64Array(4);
    productRows(a, 2, b, 3, 1, Int32Array.from([0]), Int32Array.from([1]), out);
    expect(Array.from(out)).toEqual([0, 200, 0, 0]);
  });

  it('checkWindowSearch explains what to change', () => {
    const bad = (f: () => void, text: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(LabError);
        expect((e as LabError).code).toBe('E_INVALID_INPUT');
        expect((e as LabError).message).toMatch(text);
      }
    };
    bad(() => checkWindowSearch('ZNCC', 20, 5, 100, 100), /window 20 .*odd/);
    bad(() => checkWindowSearch('ZNCC', 1, 5, 100, 100), /window 1 /);
    bad(() => checkWindowSearch('ZNCC', 21, 0, 100, 100), /search radius 0/);
    bad(() => checkWindowSearch('UMPA', 21, 2.5, 100, 100), /UMPA search radius 2.5/);
    bad(() => checkWindowSearch('ZNCC', 21, 40, 100, 100), /needs 101×101 px.*reduce/);
    expect(() => checkWindowSearch('ZNCC', 21, 39, 100, 100)).not.toThrow();
  });
});
