/**
 * @file The section of a field-type job — 'track' (displacement), 'xpci' (X-ray phase contrast),
 * 'simulate.pair' (a synthetic pair with its truth) and any kind not known yet — from its opened result
 * folder: inputs and method, statistics inside the ROI, accuracy against the ground truth (truth.ts),
 * field maps with a vector overlay for displacement, line profiles (profiles.ts) and distributions.
 * Restoration jobs have their own section (section-restore.ts).
 */
import { basename, join } from 'node:path';
import type { ResultMap } from '../results/open-result';
import type { Block, Figure, MapFigure, ReportSection, ReportTable, Subsection } from './model';
import { formatValue, toCsv } from './format';
import { histogramFigure, mapFigure, SectionKit, vectorFigure } from './figures';
import { centreRowProfiles, csvProfiles } from './profiles';
import { inputsTable, methodBlocks } from './provenance';
import { kindTitle, quantityOf, SHOWN_MAPS } from './quantities';
import { cropValues, magnitude, mapStats, scaled } from './stats';
import { compareWithTruth, findTruth, measuredPoints, type TruthSource } from './truth';
import type { Rect } from './model';

export interface OpenedJob {
  dir: string;
  kind: string;
  result: Record<string, unknown>;
  maps: ResultMap[];
  /** profile.csv text when the folder lists one */
  profileCsv?: string;
  /** sha256 of result.json as read */
  resultSha256?: string;
}

type Json = Record<string, unknown>;

function roiOf(result: Json): Rect | undefined {
  const r = (result.parameters as Json | undefined)?.roi as Rect | null | undefined;
  return r && [r.x, r.y, r.width, r.height].every(Number.isFinite) ? r : undefined;
}

function sha256Of(result: Json, name: string): string | undefined {
  const files = Array.isArray(result.files) ? (result.files as { name?: string; sha256?: string }[]) : [];
  return files.find((f) => f.name === name)?.sha256;
}

function statsTable(kit: SectionKit, keys: string[], maps: Map<string, Float32Array>, width: number, height: number, roi?: Rect): ReportTable {
  const rows = keys.map((k) => {
    const q = quantityOf(k);
    return { q, s: mapStats(cropValues(scaled(maps.get(k)!, q.scale), width, height, roi)) };
  });
  const data = kit.file('statistics.csv', 'statistics of each map inside the ROI (display units)', {
    kind: 'text',
    text: toCsv(['quantity', 'unit', 'points', 'valid', 'mean', 'std', 'min', 'median', 'max'], rows.map(({ q, s }) => [q.key, q.unit || '1', s.n, s.valid, s.mean, s.std, s.min, s.median, s.max])),
  });
  return {
    ...kit.nextTable(),
    title: roi ? `Statistics inside the ROI (${roi.x}, ${roi.y}, ${roi.width} × ${roi.height} px)` : 'Statistics over the whole map',
    caption: 'Over the finite values (NaN = not measured is left out); std with n − 1.',
    columns: ['Quantity', 'Unit', 'Valid', 'Mean', 'Std', 'Min', 'Median', 'Max'].map((title, k) => ({ title, numeric: k >= 2 })),
    rows: rows.map(({ q, s }) => [q.symbol, q.unit || '–', s.valid, s.mean, s.std, s.min, s.median, s.max]),
    data,
  };
}

function truthBlocks(kit: SectionKit, truth: TruthSource, maps: Map<string, Float32Array>, width: number, height: number, grid: unknown, roi?: Rect): Block[] {
  const points = measuredPoints(width, height, grid, roi);
  const cmp = compareWithTruth(maps, width, height, truth, points);
  const rows: ReportTable['rows'] = cmp.rows.map((r) => [`${r.quantity.symbol}${r.offsetRemoved ? ' (means removed)' : ''}`, r.quantity.unit || '–', r.n, r.bias, r.rmse, r.mae, r.std, r.maxAbs]);
  if (cmp.epe) rows.push(['EPE √(Δu² + Δv²)', 'px', cmp.epe.n, null, cmp.epe.rmse, cmp.epe.mean, null, cmp.epe.max]);
  const csvRows: (string | number | null)[][] = cmp.rows.map((r) => [r.quantity.key, r.quantity.unit || '1', r.n, r.missing, r.bias, r.rmse, r.mae, r.std, r.maxAbs]);
  if (cmp.epe) csvRows.push(['epe', 'px', cmp.epe.n, null, null, cmp.epe.rmse, cmp.epe.mean, null, cmp.epe.max]);
  const data = kit.file('truth_errors.csv', 'errors against the ground truth (measured − true, display units)', {
    kind: 'text',
    text: toCsv(['quantity', 'unit', 'points', 'missing', 'bias', 'rmse', 'mae', 'std', 'max_abs'], csvRows),
  });
  const missing = cmp.rows.reduce((a, r) => Math.max(a, r.missing), 0);
  const blocks: Block[] = [
    {
      type: 'table',
      table: {
        ...kit.nextTable(),
        title: 'Errors against the ground truth',
        caption: `Measured − true at the ${points.length} measured grid points${roi ? ' inside the ROI' : ''}${missing ? ` (${missing} of them not measured)` : ''}; for EPE, MAE is the mean and the 95th percentile is ${formatValue(cmp.epe?.p95 ?? Number.NaN)} px. Truth: ${truth.how}, ${truth.dir}.`,
        columns: ['Quantity', 'Unit', 'Points', 'Bias', 'RMSE', 'MAE', 'Std', 'Max |err|'].map((title, k) => ({ title, numeric: k >= 2 })),
        rows,
        data,
      },
    },
  ];
  if (cmp.skipped.length) blocks.push({ type: 'messages', title: 'Truth maps not compared', items: cmp.skipped });
  return blocks;
}

export async function fieldSection(job: OpenedJob, number: string, kit: SectionKit, truthDir?: string): Promise<ReportSection> {
  const { result, kind } = job;
  const id = `sec-${number}`;
  const sub = (k: number, title: string, blocks: Block[]): Subsection => ({ id: `${id}-${k}`, title, blocks });
  const subsections: Subsection[] = [];
  kit.file('result.json', "the job's result.json, as written by the job", { kind: 'copy', from: join(job.dir, 'result.json'), sha256: job.resultSha256 });
  const inputs = inputsTable(kit, result);
  subsections.push(sub(1, 'Inputs and method', [...(inputs ? [{ type: 'table' as const, table: inputs }] : []), ...methodBlocks(result, job.resultSha256, job.dir)]));

  const section: ReportSection = {
    id,
    number,
    title: `${kindTitle(kind)}: ${basename(job.dir)}`,
    subtitle: [typeof result.method === 'string' ? `method ${result.method}` : kind, typeof result.createdAt === 'string' ? result.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : null].filter(Boolean).join(' · '),
    kind,
    subsections,
  };
  if (!job.maps.length) return section;

  const { width, height } = job.maps[0];
  const maps = new Map(job.maps.filter((m) => m.width === width && m.height === height).map((m) => [m.name, m.data]));
  const roi = roiOf(result);
  const hasUv = maps.has('u') && maps.has('v');
  if (hasUv) maps.set('magnitude', magnitude(maps.get('u')!, maps.get('v')!));
  const shown = (SHOWN_MAPS[kind] ?? job.maps.map((m) => m.name)).filter((k) => maps.has(k));

  subsections.push(sub(subsections.length + 1, 'Statistics', [{ type: 'table', table: statsTable(kit, shown.filter((k) => !quantityOf(k).grey), maps, width, height, roi) }]));

  // A synthetic pair is its own truth: nothing to compare it with.
  const { truth, notes: truthNotes } = kind === 'simulate.pair' ? { truth: null, notes: [] } : await findTruth(job, [...maps.keys()], { width, height }, truthDir);
  const truthNoteBlock: Block[] = truthNotes.length ? [{ type: 'messages', title: 'Ground truth', items: truthNotes }] : [];
  if (truth) subsections.push(sub(subsections.length + 1, 'Accuracy against the ground truth', [...truthBlocks(kit, truth, maps, width, height, result.grid, roi), ...truthNoteBlock]));
  else if (truthNotes.length) subsections.push(sub(subsections.length + 1, 'Accuracy against the ground truth', truthNoteBlock));

  const mapFigs: MapFigure[] = shown.map((k) => {
    const q = quantityOf(k);
    const path = k === 'magnitude'
      ? kit.file('u_magnitude.tif', '|u| = √(u² + v²), px, float32 (derived by the report)', { kind: 'tiff', image: { width, height, data: maps.get(k)! }, description: '|u| = sqrt(u^2 + v^2) [px]; NaN = not measured' })
      : kit.file(`${k}.tif`, `${q.title}, float32 as written by the job (${job.maps.find((m) => m.name === k)?.unit || 'no unit'})`, { kind: 'copy', from: join(job.dir, `${k}.tif`), sha256: sha256Of(result, `${k}.tif`) });
    return mapFigure(kit, q, maps.get(k)!, width, height, path, roi);
  });
  const figures: Block[] = [{ type: 'figures', columns: 2, figures: mapFigs }];
  if (hasUv && kind !== 'xpci') {
    const paths = mapFigs.filter((f) => f.quantity.key === 'u' || f.quantity.key === 'v').flatMap((f) => f.data);
    figures.push({ type: 'figures', columns: 1, figures: [vectorFigure(kit, maps.get('u')!, maps.get('v')!, width, height, result.grid, paths, roi)] });
  }
  subsections.push(sub(subsections.length + 1, 'Field maps', figures));

  let profiles: Figure[] = [];
  if (job.profileCsv) {
    kit.file('profile.csv', "the job's own profile.csv", { kind: 'copy', from: join(job.dir, 'profile.csv'), sha256: sha256Of(result, 'profile.csv') });
    profiles = csvProfiles(kit, job.profileCsv, truth, (result.parameters as Json | undefined)?.profile);
  } else if (kind === 'xpci') {
    profiles = [...centreRowProfiles(kit, maps, ['alpha_x', 'alpha_y'], width, height, result.grid, truth, roi), ...centreRowProfiles(kit, maps, ['phase'], width, height, result.grid, truth, roi)];
  } else if (hasUv) {
    profiles = centreRowProfiles(kit, maps, ['u', 'v'], width, height, result.grid, truth, roi);
  }
  if (profiles.length) subsections.push(sub(subsections.length + 1, 'Line profiles', [{ type: 'figures', columns: profiles.length === 1 ? 1 : 2, figures: profiles }]));

  const hist = mapFigs.filter((f) => !f.quantity.grey).map((f) => histogramFigure(kit, f));
  if (hist.length) subsections.push(sub(subsections.length + 1, 'Distributions', [{ type: 'figures', columns: 3, figures: hist }]));
  return section;
}
