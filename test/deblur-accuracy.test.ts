/**
 * @file SEM deblurring accuracy on real data (issue #6): MIDNet (model midnet-s) must beat the blurry input
 * in mean PSNR over the held-out MIDNet crops (the bar: strictly better than doing nothing); the
 * per-prefix and per-crop figures are printed (one prefix alone may fall short). Runs when ../shared/data
 * is present (skips with a message naming the missing path otherwise); prints every figure. Protocol:
 * Note: SEM deblur evaluation (src/core/restore/deblur/sem-eval.ts). Timings are in bench/deblur.ts, not here.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../src/core/metrics';
import { type EvalRow, listSemPairs, MIDNET_HELD_OUT_PREFIXES, readSemPair, scorePair, summariseRows } from '../src/core/restore/deblur/sem-eval';
import { SHARED, SHARED_NOTE, sharedPath } from './shared-data';

const DATA = sharedPath('sem', 'midnet');
const present = SHARED !== null && existsSync(DATA);
const note = present ? SHARED_NOTE : `(SKIPPED: ${DATA} is absent)`;

describe.skipIf(!present)(`MIDNet deblurring on held-out real SEM pairs ${note}`, () => {
  it('beats the blurry input in mean PSNR over the held-out crops', async () => {
    const pairs = await listSemPairs(DATA, MIDNET_HELD_OUT_PREFIXES);
    expect(pairs.length).toBe(12 * MIDNET_HELD_OUT_PREFIXES.length);
    const rows: EvalRow[] = [];
    for (const p of pairs) {
      const { blurry, sharp } = await readSemPair(p);
      for (const m of ['blurry', 'midnet'] as const) rows.push({ name: p.name, prefix: p.prefix, ...(await scorePair(blurry, sharp, m)) });
    }
    const perImage = pairs.map((p) => {
      const b = rows.find((r) => r.name === p.name && r.method === 'blurry')!;
      const m = rows.find((r) => r.name === p.name && r.method === 'midnet')!;
      return [p.name, b.psnrDb.toFixed(2), m.psnrDb.toFixed(2), (m.psnrDb - b.psnrDb).toFixed(2), b.ssim.toFixed(4), m.ssim.toFixed(4)];
    });
    console.log(formatTable([['image', 'PSNR blurry', 'PSNR midnet', 'gain dB', 'SSIM blurry', 'SSIM midnet'], ...perImage]));
    const [blurry, midnet] = ['blurry', 'midnet'].map((m) => summariseRows(rows).find((s) => s.method === m)!);
    for (const k of [...MIDNET_HELD_OUT_PREFIXES, 'mean']) {
      console.log(`${k}: PSNR ${blurry.psnrDb[k].toFixed(3)} → ${midnet.psnrDb[k].toFixed(3)} dB, SSIM ${blurry.ssim[k].toFixed(4)} → ${midnet.ssim[k].toFixed(4)}`);
    }
    expect(midnet.psnrDb.mean, 'mean PSNR over the held-out crops').toBeGreaterThan(blurry.psnrDb.mean);
  }, 600_000);
});
