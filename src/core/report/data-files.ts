/**
 * @file Writes the data folder beside the report: every file a figure or table names (float32 TIFF maps
 * copied byte for byte from the result folders, derived maps as float32 TIFF, CSV of the plotted values),
 * plus manifest.json (each file's sha256, size, what it is and which figures use it) and a README.txt.
 * A copied map whose bytes no longer match the sha256 its result.json recorded is still copied, and the
 * mismatch is returned as a warning: the report must not pretend a changed file is the job's output.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeTiffFloat32 } from '../imageio';
import { allFigures, allTables, type ReportModel } from './model';

export const MANIFEST_GENERATOR = 'speckle-lab report data';

export interface WrittenDataFile {
  path: string;
  sha256: string;
  bytes: number;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Writes the model's data files into `dir` (which must exist and be empty). */
export async function writeDataFiles(model: ReportModel, dir: string, reportName: string): Promise<{ files: WrittenDataFile[]; warnings: string[] }> {
  const files: WrittenDataFile[] = [];
  const warnings: string[] = [];
  const usedBy = new Map<string, string[]>();
  for (const item of [...allFigures(model), ...allTables(model)]) {
    const paths = 'type' in item ? item.data : item.data ? [item.data] : [];
    for (const p of paths) usedBy.set(p, [...(usedBy.get(p) ?? []), item.label]);
  }
  for (const f of model.dataFiles) {
    const target = join(dir, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    let bytes: Uint8Array;
    if (f.source.kind === 'copy') {
      await copyFile(f.source.from, target);
      bytes = await readFile(target);
      if (f.source.sha256 && sha256(bytes) !== f.source.sha256) {
        warnings.push(`${f.source.from} has changed since its job wrote it (sha256 differs from result.json); the report shows the file as it is now.`);
      }
    } else {
      bytes = f.source.kind === 'text'
        ? Buffer.from(f.source.text, 'utf8')
        : encodeTiffFloat32(f.source.image, { description: f.source.description, ...(f.source.pixelUm ? { pixelSize: { x: f.source.pixelUm, y: f.source.pixelUm } } : {}) });
      await writeFile(target, bytes);
    }
    files.push({ path: f.path, sha256: sha256(bytes), bytes: bytes.length });
  }
  const manifest = {
    generator: MANIFEST_GENERATOR,
    report: reportName,
    title: model.meta.title,
    date: model.meta.date,
    generatedAt: model.meta.generatedAt,
    appVersion: model.meta.appVersion,
    files: files.map((f) => ({ ...f, what: model.dataFiles.find((d) => d.path === f.path)?.what ?? '', usedBy: usedBy.get(f.path) ?? [] })),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(
    join(dir, 'README.txt'),
    `Data behind ${reportName} ("${model.meta.title}", ${model.meta.date}).\n\n` +
      'One folder per report section (jobN_NAME). Maps are float32 TIFF (NaN = not measured), copied unchanged from the\n' +
      "job's result folder unless manifest.json says the report derived them; CSV files hold exactly the values a figure\n" +
      'or table shows (first line = column names with units, NaN written as NaN). manifest.json lists every file with its\n' +
      'sha256 and the figures and tables that use it.\n',
  );
  return { files, warnings };
}
