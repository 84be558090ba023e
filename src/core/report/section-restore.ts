/**
 * @file The section of an SEM restoration job (deblurring, super-resolution): provenance, before/after
 * statistics, and the before/after pair with zoomed insets.
 *
 * Note: Restore result folders. No restoration job writes folders yet; this section is the hook they plug
 * into, and it reads what DESIGN "Result folders" promises plus three names: `kind: 'restore'`, the output
 * as `restored.tif` (float32, the output grid), and the input either as `input.tif` in the folder (what the
 * network actually saw) or, failing that, `inputs[0].path` (the raw file, read only). A super-resolution
 * output k times larger is compared with the input enlarged k× by pixel repetition, so no interpolation
 * flatters or hurts either side. Optional `insets: [{x, y, width, height}]` (output pixels) choose the
 * zoomed regions; otherwise the two non-overlapping windows with the most gradient energy in the output
 * are shown, where restoration visibly differs.
 */
import { basename, join } from 'node:path';
import { readImage, type GreyImage } from '../imageio';
import { robustRange } from '../render/colormap';
import type { Block, Rect, ReportSection, Subsection } from './model';
import { toCsv } from './format';
import type { SectionKit } from './figures';
import { inputsTable, methodBlocks } from './provenance';
import type { OpenedJob } from './sections';
import { kindTitle } from './quantities';
import { mapStats } from './stats';

type Json = Record<string, unknown>;

/** Nearest-neighbour enlargement by an integer factor (pixel repetition). */
function enlarge(img: GreyImage, k: number): GreyImage {
  if (k === 1) return img;
  const w = img.width * k, h = img.height * k;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = img.data[Math.floor(y / k) * img.width + Math.floor(x / k)];
  return { width: w, height: h, data };
}

/** Root-mean-square of the forward-difference gradient, a simple sharpness figure (grey levels per px). */
function rmsGradient(img: GreyImage): number {
  let s = 0, n = 0;
  for (let y = 0; y < img.height - 1; y++) for (let x = 0; x < img.width - 1; x++) {
    const k = y * img.width + x;
    const gx = img.data[k + 1] - img.data[k], gy = img.data[k + img.width] - img.data[k];
    if (Number.isFinite(gx) && Number.isFinite(gy)) (s += gx * gx + gy * gy), n++;
  }
  return n ? Math.sqrt(s / n) : Number.NaN;
}

/** The two non-overlapping windows with the most gradient energy (Note: Restore result folders). */
export function autoInsets(img: GreyImage, count = 2): Rect[] {
  const side = Math.max(16, Math.min(128, Math.round(Math.min(img.width, img.height) / 5)));
  if (side >= img.width || side >= img.height) return [{ x: 0, y: 0, width: img.width, height: img.height }];
  const stride = Math.max(4, side >> 1);
  const scored: { r: Rect; e: number }[] = [];
  for (let y0 = 0; y0 + side <= img.height; y0 += stride) for (let x0 = 0; x0 + side <= img.width; x0 += stride) {
    let e = 0;
    for (let y = y0; y < y0 + side - 1; y++) for (let x = x0; x < x0 + side - 1; x++) {
      const k = y * img.width + x;
      const gx = img.data[k + 1] - img.data[k], gy = img.data[k + img.width] - img.data[k];
      if (Number.isFinite(gx) && Number.isFinite(gy)) e += gx * gx + gy * gy;
    }
    scored.push({ r: { x: x0, y: y0, width: side, height: side }, e });
  }
  scored.sort((a, b) => b.e - a.e);
  const picked: Rect[] = [];
  const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const { r } of scored) if (picked.length < count && !picked.some((p) => overlaps(p, r))) picked.push(r);
  return picked;
}

export async function restoreSection(job: OpenedJob, number: string, kit: SectionKit): Promise<ReportSection> {
  const { result } = job;
  const id = `sec-${number}`;
  const subsections: Subsection[] = [];
  const sub = (title: string, blocks: Block[]) => subsections.push({ id: `${id}-${subsections.length + 1}`, title, blocks });
  kit.file('result.json', "the job's result.json, as written by the job", { kind: 'copy', from: join(job.dir, 'result.json'), sha256: job.resultSha256 });
  const inputs = inputsTable(kit, result);
  sub('Inputs and method', [...(inputs ? [{ type: 'table' as const, table: inputs }] : []), ...methodBlocks(result, job.resultSha256, job.dir)]);
  const section: ReportSection = { id, number, title: `${kindTitle('restore')}: ${basename(job.dir)}`, subtitle: typeof result.method === 'string' ? `method ${result.method}` : 'restore', kind: 'restore', subsections };

  const afterMap = job.maps.find((m) => m.name === 'restored') ?? job.maps.find((m) => m.name !== 'input');
  if (!afterMap) return section;
  const messages: string[] = [];
  let before: GreyImage | null = null;
  let beforePath: string | null = null;
  const inMap = job.maps.find((m) => m.name === 'input');
  if (inMap) {
    before = inMap;
    beforePath = kit.file('input.tif', 'the input as the job processed it (float32 copy from the result folder)', { kind: 'copy', from: join(job.dir, 'input.tif') });
  } else {
    const first = (Array.isArray(result.inputs) ? (result.inputs as Json[]) : [])[0];
    if (first && typeof first.path === 'string') {
      try {
        before = await readImage(first.path);
        beforePath = kit.file('before.tif', `the input ${basename(first.path)} as float32`, { kind: 'tiff', image: before, description: `input ${basename(first.path)} (float32 copy for the report)` });
      } catch (err) {
        messages.push(`The input ${first.path} could not be read (${(err as Error).message}); only the restored image is shown.`);
      }
    }
  }
  const after: GreyImage = afterMap;
  const afterPath = kit.file(`${afterMap.name}.tif`, 'the restored image, float32 as written by the job', { kind: 'copy', from: join(job.dir, `${afterMap.name}.tif`) });
  const k = before ? Math.round(after.width / before.width) : 1;
  if (before && (before.width * k !== after.width || before.height * k !== after.height)) {
    messages.push(`The input (${before.width}×${before.height}) and the output (${after.width}×${after.height}) differ by no whole factor; the pair is not shown.`);
    before = null;
  }
  const stats = [...(before ? [['Before (input)', before] as const] : []), ['After (restored)', after] as const].map(([name, img]) => ({ name, s: mapStats(img.data), g: rmsGradient(img) }));
  const statsCsv = kit.file('statistics.csv', 'before/after grey-level statistics', {
    kind: 'text',
    text: toCsv(['image', 'mean', 'std', 'min', 'max', 'rms_gradient'], stats.map(({ name, s, g }) => [name, s.mean, s.std, s.min, s.max, g])),
  });
  sub('Statistics', [{
    type: 'table',
    table: {
      ...kit.nextTable(),
      title: 'Grey levels before and after',
      caption: 'RMS gradient: root-mean-square forward difference, a simple sharpness figure (grey levels per px).',
      columns: ['Image', 'Mean', 'Std', 'Min', 'Max', 'RMS gradient'].map((title, j) => ({ title, numeric: j > 0 })),
      rows: stats.map(({ name, s, g }) => [name, s.mean, s.std, s.min, s.max, g]),
      data: statsCsv,
    },
  }]);
  if (before) {
    const shown = enlarge(before, k);
    // Insets the job chose are used when they lie inside the output; anything else falls back to ours.
    const given = Array.isArray(result.insets) ? (result.insets as Rect[]) : [];
    const inside = (r: Rect) => [r.x, r.y, r.width, r.height].every(Number.isInteger) && r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= after.width && r.y + r.height <= after.height;
    const insets = given.length && given.every(inside) ? given.slice(0, 4) : autoInsets(after);
    const both = new Float32Array(shown.data.length + after.data.length);
    both.set(shown.data), both.set(after.data, shown.data.length);
    const insetsCsv = kit.file('insets.csv', 'the zoomed regions (output pixels)', { kind: 'text', text: toCsv(['inset', 'x_px', 'y_px', 'width_px', 'height_px'], insets.map((r, j) => [String.fromCharCode(65 + j), r.x, r.y, r.width, r.height])) });
    sub('Before and after', [{
      type: 'figures',
      columns: 1,
      figures: [{
        type: 'beforeAfter',
        ...kit.nextFigure(),
        title: 'Input and restored image',
        caption: `Same grey range for both (0.5–99.5th percentile of the two together)${k > 1 ? `; the input enlarged ${k}× by pixel repetition` : ''}. Boxes A${insets.length > 1 ? `–${String.fromCharCode(64 + insets.length)}` : ''} are shown enlarged below.`,
        data: [beforePath!, afterPath, insetsCsv],
        before: shown,
        after,
        range: robustRange(both, 0.005, 0.995),
        insets,
        beforeLabel: 'Before (input)',
        afterLabel: `After (${typeof result.method === 'string' ? result.method : 'restored'})`,
      }],
    }]);
  }
  if (messages.length) sub('Messages', [{ type: 'messages', title: 'Report notes', items: messages }]);
  return section;
}
