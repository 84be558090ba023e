/**
 * @file The "where did these numbers come from" part of a job section, read from result.json: the inputs
 * (name, size, pixel size, full sha256), method and parameters, X-ray geometry, model id and sha256 and
 * execution provider (CNN methods), application version, timings, and the job's own messages. Every
 * field is optional: an older or newer result.json still gives a section, it just says less.
 */
import type { Block, Cell, ReportTable } from './model';
import { formatValue, toCsv } from './format';
import type { SectionKit } from './figures';

type Json = Record<string, unknown>;

/** A parameter value as one line of text: numbers as the report prints them, objects compactly. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatValue(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(describeValue).join(', ');
  return Object.entries(v as Json)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k} ${typeof x === 'object' && x !== null ? `(${describeValue(x)})` : describeValue(x)}`)
    .join(', ');
}

function pixelSizeText(p: unknown): string {
  const ps = p as { x?: number; y?: number; source?: string } | null;
  if (!ps || typeof ps.x !== 'number') return '—';
  const xy = ps.y !== undefined && ps.y !== ps.x ? `${formatValue(ps.x)} × ${formatValue(ps.y)}` : formatValue(ps.x);
  return `${xy} µm${ps.source ? ` (${ps.source})` : ''}`;
}

/** The inputs table: one row per input file and a full-width row with its sha256 under it. */
export function inputsTable(kit: SectionKit, result: Json): ReportTable | null {
  const inputs = Array.isArray(result.inputs) ? (result.inputs as Json[]) : [];
  if (!inputs.length) return null;
  const rows: Cell[][] = [];
  const full: number[] = [];
  for (const i of inputs) {
    const size = typeof i.width === 'number' ? `${i.width} × ${i.height}` : '—';
    rows.push([String(i.role ?? ''), String(i.name ?? i.path ?? '?'), size, pixelSizeText(i.pixelSize)]);
    full.push(rows.length);
    rows.push([`sha256 ${typeof i.sha256 === 'string' ? i.sha256 : '—'}`]);
  }
  const data = kit.file('inputs.csv', 'the input files with their sha256', {
    kind: 'text',
    text: toCsv(['role', 'name', 'path', 'width_px', 'height_px', 'pixel_um', 'sha256'], inputs.map((i) => [
      String(i.role ?? ''), String(i.name ?? ''), String(i.path ?? ''), i.width as number, i.height as number,
      (i.pixelSize as { x?: number } | null)?.x ?? null, String(i.sha256 ?? ''),
    ])),
  });
  return {
    ...kit.nextTable(),
    title: 'Input images',
    columns: [{ title: 'Role' }, { title: 'File' }, { title: 'Size (px)' }, { title: 'Pixel size' }],
    rows,
    fullWidthRows: full,
    data,
  };
}

const PARAM_SKIP = new Set(['outDir', 'profile']);

/** Two pairs per line when every value is short enough to sit in a quarter of the page. */
const short = (b: Block) => b.type === 'keyValues' && b.items.every((i) => i.value.length <= 36);

/** Method, parameters, geometry, software: key–value blocks. */
export function methodBlocks(result: Json, resultSha: string | undefined, dir: string): Block[] {
  const blocks: Block[] = [];
  const params = (result.parameters ?? {}) as Json;
  const method: Block = { type: 'keyValues', title: 'Method and parameters', items: [] };
  if (typeof result.method === 'string') method.items.push({ key: 'Method', value: result.method });
  for (const [k, v] of Object.entries(params)) if (!PARAM_SKIP.has(k) && v !== undefined) method.items.push({ key: k, value: describeValue(v) });
  if (params.profile) method.items.push({ key: 'profile', value: describeValue(params.profile) });
  if (result.grid) method.items.push({ key: 'grid', value: describeValue(result.grid) });
  if (result.points) method.items.push({ key: 'points', value: describeValue(result.points) });
  if (method.items.length) blocks.push({ ...method, compact: short(method) });

  if (result.geometry && typeof result.geometry === 'object') {
    const g = result.geometry as Json;
    const geometry: Block = {
      type: 'keyValues',
      title: 'Geometry',
      items: Object.entries(g).filter(([k]) => k !== 'relation').map(([k, v]) => ({ key: k, value: describeValue(v) })),
    };
    blocks.push({ ...geometry, compact: short(geometry) });
  }

  const model = result.model as { id?: string; sha256?: string | null } | null | undefined;
  const sw: Block = { type: 'keyValues', title: 'Software and provenance', items: [] };
  sw.items.push({ key: 'Application version', value: String(result.appVersion ?? 'not recorded') });
  if (result.createdAt) sw.items.push({ key: 'Created', value: String(result.createdAt) });
  if (model?.id) {
    sw.items.push({ key: 'Model', value: model.id });
    sw.items.push({ key: 'Model sha256', value: model.sha256 ?? 'not recorded', mono: true });
  }
  if (result.executionProvider) sw.items.push({ key: 'Execution provider', value: String(result.executionProvider) });
  if (result.timingsMs) sw.items.push({ key: 'Timings (ms)', value: describeValue(result.timingsMs) });
  if (typeof result.convention === 'string') sw.items.push({ key: 'Convention', value: result.convention });
  sw.items.push({ key: 'Result folder', value: dir, mono: true });
  if (resultSha) sw.items.push({ key: 'result.json sha256', value: resultSha, mono: true });
  blocks.push(sw);

  const messages = Array.isArray(result.messages) ? (result.messages as unknown[]).map(String) : [];
  if (messages.length) blocks.push({ type: 'messages', title: 'Messages from the job', items: messages });
  return blocks;
}
