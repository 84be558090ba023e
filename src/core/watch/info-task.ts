/**
 * @file `info` as a job: the metadata and pixel statistics of one image as a result folder (result.json,
 * plus preview.png unless turned off). The watcher's job for single images today (an SEM session, say),
 * so that every frame that lands gets a record of what it is, with its sha256, before restoration tasks
 * (deblur, super-resolution) exist to plug in beside it.
 */
import { basename, join } from 'node:path';
import { writePngPreview } from '../imageio';
import type { TaskContext } from '../progress';
import { throwIfCancelled } from '../progress';
import { writeResultFolder, type ResultFile } from '../results/result-folder';
import { openImageFile } from '../tasks/open-image';
import { appVersion } from '../version';

export interface InfoTaskParams {
  path: string;
  outDir: string;
  /** write preview.png (8-bit, min–max scaled); default true */
  preview?: boolean;
}

export async function runInfoTask(p: InfoTaskParams, ctx: TaskContext): Promise<{ outDir: string; files: ResultFile[] }> {
  const t0 = performance.now();
  const img = await openImageFile(p.path);
  throwIfCancelled(ctx.signal);
  ctx.progress.report(0.5, 'writing summary');
  const { histogram, ...stats } = img.stats;
  const res = await writeResultFolder(
    p.outDir,
    async (dir) => {
      if (p.preview !== false) await writePngPreview(join(dir, 'preview.png'), img, { description: `preview of ${basename(p.path)}, min–max scaled` });
    },
    (files) => ({
      kind: 'info',
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      inputs: [{ role: 'image', path: img.path, name: basename(img.path), sha256: img.sha256, bytes: img.sizeBytes, width: img.width, height: img.height, pixelSize: img.meta.pixelSize ?? null }],
      meta: img.meta,
      summary: { ...stats, histogram: { bins: histogram.length, range: [stats.min, stats.max], counts: histogram } },
      timingsMs: { total: Math.round(performance.now() - t0) },
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  ctx.progress.report(1, 'done');
  return res;
}
