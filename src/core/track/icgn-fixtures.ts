/**
 * @file Test support for the IC-GN tests (not used by the app): renders speckle pairs under an exact
 * affine map (the synth module's analytic pattern and renderer; `simulatePair` itself offers constant,
 * sine, star and random-patch fields but no homogeneous strain or rotation), and runs the IC-GN kernel over
 * a grid in this thread, tile by tile, exactly as the framework's tile runner does, without worker threads.
 */
import type { GreyImage } from '../imageio/types';
import type { DisplacementField } from '../synth';
import { makeSpeckleModel } from '../synth';
import { MappedScratch, renderBandMapped } from '../synth/render';
import { toneCurve } from '../synth/speckle';
import { buildGrid, splitTiles } from './grid';
import { icgnKernel } from './icgn';
import type { GridSpec, IcgnOptions, Roi, TileOutput } from './types';

export const ICGN_TEST_DEFAULTS: IcgnOptions = { subset: 21, search: 32, maxIterations: 30, tolerance: 1e-3, minZncc: 0.7 };

/** Affine displacement u(X) = t + G·(X − c), G = [[ux, uy], [vx, vy]]. */
export interface Affine {
  t: [number, number];
  g: [number, number, number, number];
  c: [number, number];
}

export function affineAt(a: Affine, x: number, y: number): [number, number] {
  const dx = x - a.c[0];
  const dy = y - a.c[1];
  return [a.t[0] + a.g[0] * dx + a.g[1] * dy, a.t[1] + a.g[2] * dx + a.g[3] * dy];
}

/** The affine map u = R(θ)·(X − c) − (X − c): a rigid rotation by θ (radians, x right, y down) about c. */
export function rotation(theta: number, c: [number, number]): Affine {
  const cs = Math.cos(theta);
  const sn = Math.sin(theta);
  return { t: [0, 0], g: [cs - 1, -sn, sn, cs - 1], c };
}

function affineField(a: Affine): DisplacementField {
  return {
    kind: 'constant',
    constant: null,
    evaluate(x, y, out) {
      const [u, v] = affineAt(a, x, y);
      out[0] = u;
      out[1] = v;
      out[2] = a.g[0];
      out[3] = a.g[1];
      out[4] = a.g[2];
      out[5] = a.g[3];
    },
    description: { kind: 'affine', ...a },
  };
}

/** Renders `field` (or the identity) on a width×height grid with the analytic pattern of (speckleSize, seed). */
export function renderSpeckle(width: number, height: number, speckleSize: number, seed: number, a?: Affine): GreyImage {
  const model = makeSpeckleModel(speckleSize, seed);
  const field = affineField(a ?? { t: [0, 0], g: [0, 0, 0, 0], c: [0, 0] });
  const data = new Float32Array(width * height);
  const acc = new Float64Array(width * 32);
  const scratch = new MappedScratch();
  for (let y0 = 0; y0 < height; y0 += 32) {
    const y1 = Math.min(height, y0 + 32);
    renderBandMapped(model, field, width, y0, y1, acc, scratch);
    for (let i = 0; i < (y1 - y0) * width; i++) data[y0 * width + i] = toneCurve(acc[i]);
  }
  return { width, height, data };
}

export interface IcgnRun extends TileOutput {
  grid: GridSpec;
  active: Uint8Array;
  ms: number;
}

/** Runs the IC-GN kernel over the whole grid in this thread, tile by tile (as tile-runner.ts does). */
export function runIcgn(ref: GreyImage, def: GreyImage, step: number, over: Partial<IcgnOptions> = {}, roi?: Roi): IcgnRun {
  const opts = { ...ICGN_TEST_DEFAULTS, ...over };
  icgnKernel.validate(opts, ref.width, ref.height);
  const { spec, active } = buildGrid(ref.width, ref.height, step, icgnKernel.margin(opts), roi);
  const t0 = performance.now();
  const prep = icgnKernel.prepare([ref], [def], opts);
  const n = spec.nx * spec.ny;
  const nan = () => new Float32Array(n).fill(Number.NaN);
  const all: TileOutput = { u: nan(), v: nan(), quality: nan(), extra: {} };
  for (const name of icgnKernel.extraOutputs) all.extra[name] = nan();
  for (const tile of splitTiles(spec)) {
    const m = tile.ni * tile.nj;
    const part = () => new Float32Array(m).fill(Number.NaN);
    const out: TileOutput = { u: part(), v: part(), quality: part(), extra: {} };
    for (const name of icgnKernel.extraOutputs) out.extra[name] = part();
    const act = new Uint8Array(m);
    for (let j = 0; j < tile.nj; j++) {
      for (let i = 0; i < tile.ni; i++) act[j * tile.ni + i] = active[(tile.j0 + j) * spec.nx + tile.i0 + i];
    }
    icgnKernel.runTile(prep, spec, tile, act, out, opts);
    const copy = (src: Float32Array, dst: Float32Array) => {
      for (let j = 0; j < tile.nj; j++) dst.set(src.subarray(j * tile.ni, (j + 1) * tile.ni), (tile.j0 + j) * spec.nx + tile.i0);
    };
    copy(out.u, all.u);
    copy(out.v, all.v);
    copy(out.quality, all.quality);
    for (const name of icgnKernel.extraOutputs) copy(out.extra[name], all.extra[name]);
  }
  return { ...all, grid: spec, active, ms: performance.now() - t0 };
}

/** Errors against a truth function over the valid points: bias, RMSE and the share of valid points. */
export function errorStats(run: IcgnRun, truth: (x: number, y: number) => [number, number]) {
  const { x0, y0, step, nx, ny } = run.grid;
  let n = 0, measured = 0, su = 0, sv = 0, su2 = 0, sv2 = 0, maxErr = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      if (!run.active[k]) continue;
      measured++;
      if (!Number.isFinite(run.u[k]) || !Number.isFinite(run.v[k])) continue;
      const [tu, tv] = truth(x0 + i * step, y0 + j * step);
      const eu = run.u[k] - tu;
      const ev = run.v[k] - tv;
      n++;
      su += eu;
      sv += ev;
      su2 += eu * eu;
      sv2 += ev * ev;
      maxErr = Math.max(maxErr, Math.hypot(eu, ev));
    }
  }
  return {
    valid: n / measured,
    biasU: su / n,
    biasV: sv / n,
    rmseU: Math.sqrt(su2 / n),
    rmseV: Math.sqrt(sv2 / n),
    maxErr,
  };
}
