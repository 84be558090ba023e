/**
 * @file Benchmark of SEM deblurring on the held-out real MIDNet pairs (shared data): PSNR / SSIM per
 * held-out prefix for the blurry input, Richardson–Lucy, NAFNet and MIDNet, and time per megapixel of each
 * method on this machine, all in one run (Note: SEM deblur evaluation, src/core/restore/deblur/sem-eval.ts).
 * Not a test: timings depend on the machine; compare methods within one run. A method whose model is
 * missing is reported as such and the others still run.
 *
 *   npm run bench -- deblur [--methods blurry,richardson-lucy,nafnet,midnet] [--prefixes 3-1,6-1]
 *                           [--limit N] [--providers cpu] [--data DIR]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LabError } from '../src/core/errors';
import { findModel, loadManifest } from '../src/core/infer/manifest';
import { DEBLUR_MODEL_IDS } from '../src/core/restore/deblur/index';
import {
  type EvalMethod, type EvalRow, listSemPairs, MIDNET_HELD_OUT_PREFIXES, readSemPair, scorePair, summariseRows,
} from '../src/core/restore/deblur/sem-eval';

const DEFAULT_DATA = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'sem', 'midnet');
const ALL: EvalMethod[] = ['blurry', 'richardson-lucy', 'nafnet', 'midnet'];

export async function benchDeblur(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      methods: { type: 'string', default: ALL.join(',') },
      prefixes: { type: 'string', default: MIDNET_HELD_OUT_PREFIXES.join(',') },
      limit: { type: 'string' },
      providers: { type: 'string' },
      data: { type: 'string', default: DEFAULT_DATA },
    },
  });
  const data = values.data!;
  if (!existsSync(join(data, 'blur'))) {
    console.log(`SKIPPED: ${join(data, 'blur')} is absent (the shared SEM pairs); nothing to benchmark.`);
    return;
  }
  const methods = values.methods!.split(',') as EvalMethod[];
  for (const m of methods) if (!ALL.includes(m)) throw new LabError('E_INVALID_INPUT', `--methods: unknown method "${m}" (use ${ALL.join(', ')}).`);
  const prefixes = values.prefixes!.split(',');
  const providers = values.providers?.split(',');
  let pairs = await listSemPairs(data, prefixes);
  const limit = values.limit ? Number(values.limit) : Infinity;
  if (Number.isFinite(limit)) pairs = prefixes.flatMap((p) => pairs.filter((q) => q.prefix === p).slice(0, limit));

  // The split the models were trained with, as their manifest entries record it (confirm the prefixes).
  const manifest = await loadManifest().catch(() => null);
  const usable: EvalMethod[] = [];
  for (const m of methods) {
    if (m === 'blurry' || m === 'richardson-lucy') {
      usable.push(m);
      continue;
    }
    const id = DEBLUR_MODEL_IDS[m];
    let entry;
    try {
      entry = manifest ? findModel(manifest, id) : null;
    } catch {
      entry = null;
    }
    if (!entry) {
      console.log(`${m}: model "${id}" is not in the manifest; left out.`);
      continue;
    }
    const text = `${entry.training.notes ?? ''} ${entry.notes ?? ''}`;
    const heldOut = prefixes.every((p) => new RegExp(`held-out[^.]*\\b${p.replace('-', '\\-')}\\b`).test(text));
    console.log(`${m}: model ${id} (${entry.sha256.slice(0, 12)}…, ${entry.params} parameters)${heldOut ? '' : ' — WARNING: its manifest notes do not name these prefixes as held out'}`);
    if (/PROVISIONAL/.test(entry.notes ?? '')) console.log(`  note: ${id} is marked PROVISIONAL in the manifest`);
    usable.push(m);
  }
  console.log(`SEM deblurring on ${pairs.length} held-out pairs (prefixes ${prefixes.join(', ')}) from ${data}; PSNR/SSIM at data range 255 (8-bit grey), whole image.\n`);

  const rows: EvalRow[] = [];
  for (const p of pairs) {
    const { blurry, sharp } = await readSemPair(p);
    const line: string[] = [p.name];
    for (const m of usable) {
      const r = await scorePair(blurry, sharp, m, { providers });
      rows.push({ name: p.name, prefix: p.prefix, ...r });
      line.push(`${m} ${r.psnrDb.toFixed(2)}/${r.ssim.toFixed(3)} reg ${r.psnrAlignedDb.toFixed(2)}/${r.ssimAligned.toFixed(3)}${r.seconds ? ` ${r.seconds.toFixed(2)}s` : ''}`);
    }
    console.log(line.join('  '));
  }
  const summary = summariseRows(rows);
  const keys = [...prefixes, 'mean'];
  const header = [
    'method',
    ...keys.map((k) => `PSNR ${k}`),
    ...keys.map((k) => `SSIM ${k}`),
    ...keys.map((k) => `reg PSNR ${k}`),
    ...keys.map((k) => `reg SSIM ${k}`),
    's/MP',
    'provider',
  ];
  const table = [header];
  for (const s of summary) {
    const provider = rows.find((r) => r.method === s.method)?.provider ?? '—';
    table.push([
      s.method,
      ...keys.map((k) => (s.psnrDb[k] ?? Number.NaN).toFixed(2)),
      ...keys.map((k) => (s.ssim[k] ?? Number.NaN).toFixed(4)),
      ...keys.map((k) => (s.psnrAlignedDb[k] ?? Number.NaN).toFixed(2)),
      ...keys.map((k) => (s.ssimAligned[k] ?? Number.NaN).toFixed(4)),
      s.method === 'blurry' ? '—' : s.secondsPerMegapixel.toFixed(2),
      provider,
    ]);
  }
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log('\n' + table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n'));
  console.log(
    '\nPSNR in dB; "reg" = on the registered pair (each pair\'s whole-pixel offset removed, Note: Misaligned SEM pairs in ' +
      'src/core/restore/deblur/sem-eval.ts); s/MP = seconds per megapixel on this machine, model loading excluded.',
  );
}
