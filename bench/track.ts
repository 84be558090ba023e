/**
 * @file Benchmark of the classical trackers: dense fields (step 1) on synthetic speckle at 256², 512² and
 * 1024², every method in the same run, runtime as a ratio to ZNCC and points per second. Not a test:
 * timings depend on the machine; ratios measured side by side are what to compare.
 *
 *   npm run bench -- track [--sizes 256,512,1024] [--threads N]
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { quietContext } from '../src/core/progress';
import { simulatePair } from '../src/core/synth';
import { DEFAULT_OPTIONS, TRACK_METHODS } from '../src/core/track/kernels';
import { trackField } from '../src/core/track/track-field';

export async function benchTrack(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string', default: '256,512,1024' }, threads: { type: 'string' } } });
  const sizes = values.sizes!.split(',').map(Number);
  const threads = values.threads ? Number(values.threads) : availableParallelism();
  console.log(`Dense tracking benchmark: ${threads} thread(s); shift (0.4, -0.3) px, speckle 4 px, Poisson 5000 photons.`);
  console.log('Defaults:', JSON.stringify(DEFAULT_OPTIONS));
  const rows: string[][] = [['size', 'method', 'points', 'valid %', 'time s', 'points/s', 'ratio to zncc', 'RMSE u px']];
  for (const n of sizes) {
    const pair = await simulatePair(
      { width: n, height: n, speckleSize: 4, noise: { kind: 'poisson', photons: 5000 }, field: { kind: 'constant', ux: 0.4, uy: -0.3 }, seed: 11 },
      quietContext(),
    );
    let znccTime = Number.NaN;
    for (const method of TRACK_METHODS) {
      const t0 = performance.now();
      const f = await trackField([pair.reference], [pair.deformed], { method, step: 1, threads }, quietContext());
      const s = (performance.now() - t0) / 1000;
      if (method === 'zncc') znccTime = s;
      let se = 0, k = 0;
      for (const v of f.gridU) if (Number.isFinite(v)) { se += (v - 0.4) ** 2; k++; }
      rows.push([
        `${n}²`, method, String(f.measured), ((100 * f.valid) / f.measured).toFixed(1), s.toFixed(2),
        Math.round(f.measured / s).toLocaleString('en'), (s / znccTime).toFixed(2), Math.sqrt(se / Math.max(1, k)).toFixed(4),
      ]);
      console.log(rows[rows.length - 1].join('  '));
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log('\n' + rows.map((r) => r.map((cell, c) => cell.padStart(widths[c])).join('  ')).join('\n'));
}
