/**
 * @file `lab models [--json] [--verify]`: every model the app can run, shipped and fine-tuned by the user
 * (Note: Two model folders, src/core/infer/model-catalog.ts), with task, size, where it was trained and its
 * sha256; `--verify` also re-hashes each file against its manifest.
 */
import { parseArgs } from 'node:util';
import { toLabError } from '../core/errors';
import { verifyModelFile } from '../core/infer/manifest';
import { loadCatalog } from '../core/infer/model-catalog';
import { UsageError } from './usage-error';

export const MODELS_USAGE = `  lab models [--json] [--verify]
      The shipped models and your fine-tuned ones (training/finetune.py writes them to the user models
      folder, LAB_USER_MODELS_DIR or <app data>/models): id, task, parameters, where it was trained,
      sha256. --verify re-hashes every file against its manifest.`;

export async function runModels(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, verify: { type: 'boolean' } } });
  if (positionals.length > 0) throw new UsageError('lab models takes no positional arguments');
  const cat = await loadCatalog();
  const rows = await Promise.all(
    cat.models.map(async (m) => {
      let check: string | undefined;
      if (values.verify) {
        try {
          await verifyModelFile(m.entry, m.dir);
          check = 'ok';
        } catch (err) {
          check = toLabError(err).message;
        }
      }
      return {
        id: m.entry.id,
        task: m.entry.task,
        source: m.source,
        file: `${m.dir}/${m.entry.file}`,
        params: m.entry.params,
        bytes: m.entry.bytes,
        sha256: m.entry.sha256,
        hardware: m.entry.training.hardware,
        ...(check === undefined ? {} : { verified: check }),
      };
    }),
  );
  if (values.json) {
    console.log(JSON.stringify({ shippedDir: cat.shippedDir, userDir: cat.userDir, models: rows, problems: cat.problems }, null, 2));
  } else {
    const w = Math.max(4, ...rows.map((r) => r.id.length));
    const t = Math.max(4, ...rows.map((r) => r.task.length));
    console.log(`${'id'.padEnd(w)}  ${'task'.padEnd(t)}  source   params     MB      sha256        trained on`);
    for (const r of rows) {
      console.log(
        `${r.id.padEnd(w)}  ${r.task.padEnd(t)}  ${r.source.padEnd(7)}  ${String(r.params).padStart(9)}  ${(r.bytes / 2 ** 20).toFixed(2).padStart(6)}  ${r.sha256.slice(0, 12)}  ${r.hardware}` +
          (r.verified === undefined ? '' : `\n${''.padEnd(w)}  verified: ${r.verified}`),
      );
    }
    console.log(`\nshipped models: ${cat.shippedDir}\nyour models:    ${cat.userDir ?? '(none)'}`);
    for (const p of cat.problems) console.log(`note: ${p}`);
  }
  const bad = rows.some((r) => r.verified !== undefined && r.verified !== 'ok');
  return bad ? 1 : 0;
}
