/**
 * @file The section of an SEM restoration job (deblurring, super-resolution): inputs and method with
 * their provenance, the quality metrics the job recorded, grey-level statistics, and the before/after
 * pair with zoomed insets — every figure and table with its data files.
 *
 * Note: Restore result folders. The section reads the folders the restoration jobs write
 * (restore/output.ts writeRestoreFolder, restore/deblur/task.ts, restore/sr/sr-task.ts):
 *   result.json  `kind` 'deblur' or 'super-resolution'; `method`; `parameters` (Richardson–Lucy: sigmaPx,
 *                sigmaSource, iterations, psf; CNNs: modelId, tile, normalisation; SR: scale, kernel
 *                {spec, description} or null, degradation, USRNet iterations/noise); `inputs` (role
 *                'blurry' or 'input' first, optional 'reference'; path, size, sha256, type, pixel size);
 *                the model as `model` {id, sha256} (deblur; null for Richardson–Lucy) or `models` [{id,
 *                sha256, task}] (SR); the provider as `executionProvider` (deblur) or `provider` (SR),
 *                null when no network ran; `psfEstimate` (RL); `versions` {app, node, onnxruntime};
 *                `metrics` {dataRange, dataRangeSource, border, reference: {psnrDb, ssim: {input,
 *                output}} | null, sharpness: {input, output: {tenengrad, laplacianVariance}}, note}
 *                where SR's "input" is the bicubic-upscaled input (its baseline); `output` {file,
 *                width, height, sampleType, bitsPerSample, pixelSize, clippedPixels}; `timingsMs`.
 *   deblurred.tif / sr.tif   the restored image in the input's bit depth (named by `output.file`)
 *   preview.png  the job's own side-by-side preview (not used here: the report draws its own)
 * The input is not in the folder: it is read from `inputs[0].path` (read only). When it has moved, the
 * section says so and shows the restored image alone. Older stand-in folders (`kind: 'restore'`,
 * `restored.tif`, `input.tif` in the folder) still read. A super-resolution output k times larger is
 * compared with the input enlarged k× by pixel repetition, so no interpolation flatters or hurts either
 * side (the metrics table's baseline is the job's bicubic upscale, as the job scored it). Optional
 * `insets: [{x, y, width, height}]` (output pixels) choose the zoomed regions; otherwise the two
 * non-overlapping windows with the most gradient energy in the output are shown, where restoration
 * visibly differs. Data folder: the job's restored file copied byte for byte, the input and the output
 * as float32 TIFF (whole), each inset before/after as float32 TIFF crops on the output grid, insets.csv,
 * metrics.csv and statistics.csv.
 */
import { basename, join } from 'node:path';
import { readImage, type GreyImage } from '../imageio';
import { robustRange } from '../render/colormap';
import type { Block, Cell, Rect, ReportSection, Subsection } from './model';
import { formatValue, toCsv } from './format';
import type { SectionKit } from './figures';
import { describeValue, inputsTable } from './provenance';
import type { OpenedJob } from './sections';
import { kindTitle } from './quantities';
import { mapStats } from './stats';

type Json = Record<string, unknown>;

/** Job kinds this section draws. */
export const RESTORE_KINDS = new Set(['deblur', 'super-resolution', 'restore']);

const METHOD_NAMES: Record<string, string> = {
  'richardson-lucy': 'Richardson–Lucy deconvolution',
  midnet: 'MIDNet (attention-gated U-Net)',
  nafnet: 'NAFNet-style U-Net',
  usrnet: 'USRNet (deep unfolding)',
  espcn: 'ESPCN (fast SR net)',
  fsrcnn: 'FSRCNN (fast SR net)',
  bicubic: 'bicubic interpolation',
};

/** Nearest-neighbour enlargement by an integer factor (pixel repetition). */
function enlarge(img: GreyImage, k: number): GreyImage {
  if (k === 1) return img;
  const w = img.width * k, h = img.height * k;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = img.data[Math.floor(y / k) * img.width + Math.floor(x / k)];
  return { width: w, height: h, data };
}

function crop(img: GreyImage, r: Rect): GreyImage {
  const data = new Float32Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) data.set(img.data.subarray((r.y + y) * img.width + r.x, (r.y + y) * img.width + r.x + r.width), y * r.width);
  return { width: r.width, height: r.height, data };
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

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

/** "Deblurring" / "Super-resolution ×2" / the stand-in's title. */
export function restoreTitle(result: Json, kind: string): string {
  if (kind === 'super-resolution') {
    const s = num(obj(result.parameters)?.scale);
    return `${kindTitle(kind)}${s ? ` ×${s}` : ''}`;
  }
  return kindTitle(kind);
}

/** Method, parameters, model and provider, software: key–value blocks for a restoration job. */
function restoreMethodBlocks(result: Json, kind: string, resultSha: string | undefined, dir: string): Block[] {
  const blocks: Block[] = [];
  const params = obj(result.parameters) ?? {};
  const method = typeof result.method === 'string' ? result.method : 'not recorded';
  const items: { key: string; value: string; mono?: boolean }[] = [{ key: 'Method', value: `${method}${METHOD_NAMES[method] ? ` — ${METHOD_NAMES[method]}` : ''}` }];
  const done = new Set<string>();
  const use = (k: string) => (done.add(k), params[k]);
  if (kind === 'super-resolution') {
    const s = num(use('scale'));
    if (s) items.push({ key: 'Scale', value: `×${s}` });
    const kernel = obj(use('kernel'));
    items.push({ key: 'Blur kernel', value: kernel ? `${String(kernel.spec ?? '')}${kernel.description ? ` (${String(kernel.description)})` : ''}${num(kernel.width) ? `, ${kernel.width}×${kernel.height} px` : ''}` : 'none (the method assumes bicubic down-sampling)' });
    if (typeof params.degradation === 'string') items.push({ key: 'Degradation model', value: String(use('degradation')) });
    const noise = obj(use('noise'));
    if (noise) items.push({ key: 'Noise level', value: `${describeValue(noise.greyLevels)} grey levels` });
    if (num(params.iterations)) items.push({ key: 'HQS iterations', value: describeValue(use('iterations')) });
    for (const k of ['alphas', 'betas']) if (Array.isArray(params[k])) items.push({ key: k, value: (use(k) as number[]).map((v) => formatValue(v, 3)).join(', ') });
  } else if (method === 'richardson-lucy') {
    const sigma = num(use('sigmaPx'));
    const src = use('sigmaSource');
    items.push({ key: 'PSF', value: `${String(use('psf') ?? 'Gaussian')}, σ = ${formatValue(sigma)} px${typeof src === 'string' ? ` (${src})` : ''}` });
    if (num(params.iterations)) items.push({ key: 'Iterations', value: describeValue(use('iterations')) });
    const est = obj(result.psfEstimate);
    if (est) {
      const band = Array.isArray(est.band) ? (est.band as number[]) : [];
      items.push({ key: 'PSF estimate', value: `σ ${formatValue(num(est.sigma))} px, spectral exponent β ${formatValue(num(est.beta))}${band.length === 2 ? `, fitted over ${formatValue(band[0])}–${formatValue(band[1])} cycles/px` : ''}${num(est.points) ? ` (${est.points} points` : ''}${num(est.tiles) ? `, ${est.tiles} tile(s))` : num(est.points) ? ')' : ''}` });
    }
  }
  for (const [k, v] of Object.entries(params)) if (!done.has(k) && v !== undefined && v !== null) items.push({ key: k, value: describeValue(v) });
  blocks.push({ type: 'keyValues', title: 'Method and parameters', items });

  const sw: { key: string; value: string; mono?: boolean }[] = [];
  const models: { id?: unknown; sha256?: unknown }[] = Array.isArray(result.models) ? (result.models as Json[]) : obj(result.model) ? [result.model as Json] : [];
  if (models.length) {
    for (const [j, m] of models.entries()) {
      const tag = models.length > 1 ? ` ${j + 1}` : '';
      sw.push({ key: `Model${tag}`, value: String(m.id ?? '?') });
      sw.push({ key: `Model${tag} sha256`, value: typeof m.sha256 === 'string' ? m.sha256 : 'not recorded', mono: true });
    }
  } else {
    sw.push({ key: 'Model', value: 'none (classical method, no neural network)' });
  }
  const provider = result.executionProvider ?? result.provider;
  sw.push({ key: 'Execution provider', value: typeof provider === 'string' ? provider : 'none (no ONNX Runtime session; TypeScript on the CPU)' });
  const versions = obj(result.versions);
  sw.push({ key: 'Versions', value: versions ? Object.entries(versions).map(([k, v]) => `${k} ${String(v)}`).join(', ') : `app ${String(result.appVersion ?? 'not recorded')}` });
  if (result.createdAt) sw.push({ key: 'Created', value: String(result.createdAt) });
  const out = obj(result.output);
  if (out) {
    const ps = obj(out.pixelSize);
    sw.push({ key: 'Output', value: `${String(out.file ?? '')}, ${describeValue(out.width)} × ${describeValue(out.height)} px, ${String(out.sampleType ?? '?')} (${describeValue(out.bitsPerSample)}-bit)${ps ? `, pixel ${formatValue(num(ps.x))} µm` : ''}, ${describeValue(out.clippedPixels ?? 0)} pixels clipped` });
  }
  const t = obj(result.timingsMs);
  if (t) sw.push({ key: 'Timings (ms)', value: Object.entries(t).map(([k, v]) => `${k} ${typeof v === 'number' ? Math.round(v) : describeValue(v)}`).join(', ') });
  sw.push({ key: 'Result folder', value: dir, mono: true });
  if (resultSha) sw.push({ key: 'result.json sha256', value: resultSha, mono: true });
  blocks.push({ type: 'keyValues', title: 'Model, provider and software', items: sw });

  const messages = Array.isArray(result.messages) ? (result.messages as unknown[]).map(String) : [];
  if (messages.length) blocks.push({ type: 'messages', title: 'Messages from the job', items: messages });
  return blocks;
}

/** The metrics table from result.json's `metrics` (Note: Restoration metrics, restore/output.ts). */
function metricsTable(kit: SectionKit, result: Json, kind: string): Block | null {
  const m = obj(result.metrics);
  if (!m) return null;
  const ref = obj(m.reference);
  const sharp = obj(m.sharpness);
  const psnr = obj(ref?.psnrDb), ssim = obj(ref?.ssim);
  const method = typeof result.method === 'string' ? result.method : 'restored';
  const s = num(obj(result.parameters)?.scale);
  const sr = kind === 'super-resolution';
  const rows = (['input', 'output'] as const).map((side) => {
    const sh = obj(sharp?.[side]);
    const label = side === 'input' ? (sr ? `Bicubic ×${s ?? '?'} (baseline)` : 'Input') : `Output (${method})`;
    return [label, num(psnr?.[side]), num(ssim?.[side]), num(sh?.tenengrad), num(sh?.laplacianVariance)] as Cell[];
  });
  const dataRange = num(m.dataRange);
  const refInput = (Array.isArray(result.inputs) ? (result.inputs as Json[]) : []).find((i) => i.role === 'reference');
  const data = kit.file('metrics.csv', 'the quality metrics of result.json (PSNR/SSIM against the reference, sharpness)', {
    kind: 'text',
    text: toCsv(['image', 'psnr_db', 'ssim', 'tenengrad', 'laplacian_variance', 'data_range', 'border_px'], rows.map((r) => [...r, dataRange, num(m.border)])),
  });
  const border = num(m.border);
  const caption = [
    ref ? `PSNR and SSIM against the reference ${refInput ? String(refInput.name ?? refInput.path) : ''}` : 'No reference was given, so there is no PSNR or SSIM',
    `; data range ${formatValue(dataRange)} (${String(m.dataRangeSource ?? 'not recorded')})`,
    border ? `; ${border} px left out at each border` : '',
    '. Sharpness: Tenengrad (mean squared Sobel gradient) and variance of the Laplacian, both on values divided by the data range; higher is sharper.',
    sr ? ` The baseline row is the input upscaled by bicubic interpolation, as the job scored it.` : '',
  ].join('');
  return {
    type: 'table',
    table: {
      ...kit.nextTable(),
      title: 'Quality metrics recorded by the job',
      caption,
      columns: ['Image', 'PSNR (dB)', 'SSIM', 'Tenengrad', 'Laplacian var.'].map((title, j) => ({ title, numeric: j > 0 })),
      rows,
      data,
    },
  };
}

export async function restoreSection(job: OpenedJob, number: string, kit: SectionKit): Promise<ReportSection> {
  const { result, kind } = job;
  const id = `sec-${number}`;
  const subsections: Subsection[] = [];
  const sub = (title: string, blocks: Block[]) => subsections.push({ id: `${id}-${subsections.length + 1}`, title, blocks });
  kit.file('result.json', "the job's result.json, as written by the job", { kind: 'copy', from: join(job.dir, 'result.json'), sha256: job.resultSha256 });
  const inputs = inputsTable(kit, result);
  sub('Inputs and method', [...(inputs ? [{ type: 'table' as const, table: inputs }] : []), ...restoreMethodBlocks(result, kind, job.resultSha256, job.dir)]);
  const method = typeof result.method === 'string' ? result.method : null;
  const section: ReportSection = {
    id,
    number,
    title: `${restoreTitle(result, kind)}: ${basename(job.dir)}`,
    subtitle: [method ? `method ${method}` : kind, typeof result.createdAt === 'string' ? result.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : null].filter(Boolean).join(' · '),
    kind,
    subsections,
  };
  const metrics = metricsTable(kit, result, kind);
  if (metrics) sub('Quality metrics', [metrics]);

  const outFile = typeof obj(result.output)?.file === 'string' ? String(obj(result.output)!.file) : null;
  const afterMap = job.maps.find((m) => outFile && `${m.name}.tif` === outFile) ?? job.maps.find((m) => m.name === 'restored') ?? job.maps.find((m) => m.name !== 'input');
  if (!afterMap) return section;
  const messages: string[] = [];
  let before: GreyImage | null = null;
  const inMap = job.maps.find((m) => m.name === 'input');
  const listed = Array.isArray(result.inputs) ? (result.inputs as Json[]) : [];
  const first = listed.find((i) => i.role !== 'reference') ?? listed[0];
  if (inMap) {
    before = inMap;
  } else if (first && typeof first.path === 'string') {
    try {
      before = await readImage(first.path);
    } catch (err) {
      messages.push(`The input ${first.path} could not be read (${(err as Error).message.split('\n')[0]}); only the restored image is shown.`);
    }
  }
  const inName = inMap ? 'input.tif' : first ? String(first.name ?? basename(String(first.path ?? 'input'))) : 'input';
  const after: GreyImage = afterMap;
  const afterCopy = kit.file(`${afterMap.name}.tif`, `the restored image exactly as the job wrote it (${String(obj(result.output)?.sampleType ?? 'its type')})`, {
    kind: 'copy', from: join(job.dir, `${afterMap.name}.tif`),
    sha256: (Array.isArray(result.files) ? (result.files as { name?: string; sha256?: string }[]) : []).find((f) => f.name === `${afterMap.name}.tif`)?.sha256,
  });
  const k = before ? Math.round(after.width / before.width) : 1;
  if (before && (k < 1 || before.width * k !== after.width || before.height * k !== after.height)) {
    messages.push(`The input (${before.width}×${before.height}) and the output (${after.width}×${after.height}) differ by no whole factor; the pair is not shown.`);
    before = null;
  }
  const stats = [...(before ? [[`Input (${inName})`, before] as const] : []), [`Output (${afterMap.name}.tif)`, after] as const].map(([name, img]) => ({ name, w: img.width, h: img.height, s: mapStats(img.data), g: rmsGradient(img) }));
  const statsCsv = kit.file('statistics.csv', 'grey-level statistics of the input and the output (report-computed)', {
    kind: 'text',
    text: toCsv(['image', 'width_px', 'height_px', 'mean', 'std', 'min', 'max', 'rms_gradient'], stats.map(({ name, w, h, s, g }) => [name, w, h, s.mean, s.std, s.min, s.max, g])),
  });
  sub('Grey-level statistics', [{
    type: 'table',
    table: {
      ...kit.nextTable(),
      title: 'Grey levels of the input and the output',
      caption: `Computed by the report over every pixel, each image on its own grid. RMS gradient: root-mean-square forward difference (grey levels per px)${k > 1 ? `; on the ×${k} output grid a gradient is spread over ${k} px, so compare it with the input's divided by ${k}` : ''}.`,
      columns: ['Image', 'Size (px)', 'Mean', 'Std', 'Min', 'Max', 'RMS gradient'].map((title, j) => ({ title, numeric: j > 1 })),
      rows: stats.map(({ name, w, h, s, g }) => [name, `${w} × ${h}`, s.mean, s.std, s.min, s.max, g]),
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
    const inputTif = kit.file('input_float32.tif', `the input ${inName} as read, float32 on its own ${before.width}×${before.height} grid`, { kind: 'tiff', image: { width: before.width, height: before.height, data: before.data }, description: `input ${inName} (float32 copy for the report)` });
    const outputTif = kit.file('output_float32.tif', `the restored image as drawn, float32 ${after.width}×${after.height}`, { kind: 'tiff', image: { width: after.width, height: after.height, data: after.data }, description: `restored ${afterMap.name}.tif (float32 copy for the report)` });
    const crops = insets.flatMap((r, j) => {
      const n = String.fromCharCode(65 + j);
      return [
        kit.file(`inset_${n}_before.tif`, `inset ${n}: the input${k > 1 ? ` enlarged ${k}× by pixel repetition` : ''}, output pixels (${r.x}, ${r.y}) ${r.width}×${r.height}, float32`, { kind: 'tiff', image: crop(shown, r), description: `inset ${n} before, x ${r.x} y ${r.y} (output grid)` }),
        kit.file(`inset_${n}_after.tif`, `inset ${n}: the restored image, output pixels (${r.x}, ${r.y}) ${r.width}×${r.height}, float32`, { kind: 'tiff', image: crop(after, r), description: `inset ${n} after, x ${r.x} y ${r.y}` }),
      ];
    });
    const insetsCsv = kit.file('insets.csv', 'the zoomed regions (output pixels)', { kind: 'text', text: toCsv(['inset', 'x_px', 'y_px', 'width_px', 'height_px'], insets.map((r, j) => [String.fromCharCode(65 + j), r.x, r.y, r.width, r.height])) });
    const range = robustRange(both, 0.005, 0.995);
    sub('Before and after', [{
      type: 'figures',
      columns: 1,
      figures: [{
        type: 'beforeAfter',
        ...kit.nextFigure(),
        title: k > 1 ? `Input (enlarged ${k}× by pixel repetition) and ×${k} output` : 'Input and restored image',
        caption: `Same grey range for both: ${formatValue(range[0])} … ${formatValue(range[1])} (0.5–99.5th percentile of the two together)${k > 1 ? `; the ${before.width}×${before.height} input is enlarged ${k}× by pixel repetition to the ${after.width}×${after.height} output grid, so no interpolation flatters or hurts either side` : ''}. Boxes A${insets.length > 1 ? `–${String.fromCharCode(64 + insets.length)}` : ''} are shown enlarged below.`,
        data: [inputTif, outputTif, afterCopy, insetsCsv, ...crops],
        before: shown,
        after,
        range,
        insets,
        beforeLabel: k > 1 ? `Before: ${inName} (×${k} pixel repetition)` : `Before: ${inName}`,
        afterLabel: `After: ${method ?? 'restored'}${k > 1 ? ` ×${k}` : ''}`,
      }],
    }]);
  }
  if (messages.length) sub('Messages', [{ type: 'messages', title: 'Report notes', items: messages }]);
  return section;
}
