/**
 * @file Writes the data folder beside the report: every file a figure or table names (float32 TIFF maps
 * copied byte for byte from the result folders, derived maps as float32 TIFF, CSV of the plotted values),
 * plus manifest.json (each file's sha256, size, what it is and which figures use it) and a README.txt.
 * A copied map whose bytes no longer match the sha256 its result.json recorded is still copied, and the
 * mismatch is returned as a warning: the report must not pretend a changed file is the job's output.
 */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { LabError } from '../errors';
import { encodeTiffFloat32 } from '../imageio';
import { sha256File } from '../results/result-folder';
import { allFigures, allTables, type DataFile, type ReportMeta, type ReportModel } from './model';

export const MANIFEST_GENERATOR = 'speckle-lab report data';

export interface WrittenDataFile {
  path: string;
  sha256: string;
  bytes: number;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One entry of manifest.json. */
export interface ManifestFile extends WrittenDataFile {
  what: string;
  usedBy: string[];
}

/** Data file path → labels of the figures and tables that name it. */
export function usedByOf(model: Pick<ReportModel, 'sections'>): Map<string, string[]> {
  const usedBy = new Map<string, string[]>();
  for (const item of [...allFigures(model as ReportModel), ...allTables(model as ReportModel)]) {
    const paths = 'type' in item ? item.data : item.data ? [item.data] : [];
    for (const p of paths) usedBy.set(p, [...(usedBy.get(p) ?? []), item.label]);
  }
  return usedBy;
}

/**
 * Writes some data files into `dir` (one section's, as it is built) and returns their manifest entries.
 * Copies are hashed from disk in chunks, so a map of hundreds of MB is never held whole for its sha256.
 */
export async function writeFiles(dataFiles: DataFile[], usedBy: Map<string, string[]>, dir: string, signal?: AbortSignal): Promise<{ files: ManifestFile[]; warnings: string[] }> {
  const files: ManifestFile[] = [];
  const warnings: string[] = [];
  for (const f of dataFiles) {
    if (signal?.aborted) throw new LabError('E_CANCELLED', 'The report was cancelled.');
    const target = join(dir, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    let hash: string;
    let bytes: number;
    if (f.source.kind === 'copy') {
      await copyFile(f.source.from, target);
      hash = await sha256File(target);
      bytes = (await stat(target)).size;
      if (f.source.sha256 && hash !== f.source.sha256) {
        warnings.push(`${f.source.from} has changed since its job wrote it (sha256 differs from result.json); the report shows the file as it is now.`);
      }
    } else {
      const data = f.source.kind === 'text'
        ? Buffer.from(f.source.text, 'utf8')
        : encodeTiffFloat32(f.source.image, { description: f.source.description, ...(f.source.pixelUm ? { pixelSize: { x: f.source.pixelUm, y: f.source.pixelUm } } : {}) });
      await writeFile(target, data);
      (hash = sha256(data)), (bytes = data.length);
    }
    files.push({ path: f.path, sha256: hash, bytes, what: f.what, usedBy: usedBy.get(f.path) ?? [] });
  }
  return { files, warnings };
}

/** manifest.json and README.txt of a data folder whose files are written. */
export async function writeManifest(meta: ReportMeta, files: ManifestFile[], dir: string, reportName: string): Promise<void> {
  const manifest = {
    generator: MANIFEST_GENERATOR,
    report: reportName,
    title: meta.title,
    date: meta.date,
    generatedAt: meta.generatedAt,
    appVersion: meta.appVersion,
    files: files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes, what: f.what, usedBy: f.usedBy })),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(
    join(dir, 'README.txt'),
    `Data behind ${reportName} ("${meta.title}", ${meta.date}).\n\n` +
      'One folder per report section (jobN_NAME). Maps are float32 TIFF (NaN = not measured), copied unchanged from the\n' +
      "job's result folder unless manifest.json says the report derived them; CSV files hold exactly the values a figure\n" +
      'or table shows (first line = column names with units, NaN written as NaN). manifest.json lists every file with its\n' +
      'sha256 and the figures and tables that use it.\n',
  );
}

/** Writes the model's data files into `dir` (which must exist and be empty). */
export async function writeDataFiles(model: ReportModel, dir: string, reportName: string): Promise<{ files: WrittenDataFile[]; warnings: string[] }> {
  const { files, warnings } = await writeFiles(model.dataFiles, usedByOf(model), dir);
  await writeManifest(model.meta, files, dir, reportName);
  return { files: files.map(({ path, sha256, bytes }) => ({ path, sha256, bytes })), warnings };
}
