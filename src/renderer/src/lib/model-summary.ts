/**
 * @file The short, readable figure of a model's manifest metrics for the Settings models table: the main
 * figure a lab user compares models by (PSNR in dB for restoration nets, RMSE / EPE in px for trackers),
 * with its baseline when the manifest has one ("PSNR 18.77 dB", "vs input 19.38 dB"). Every metric stays in
 * the row's details and in the tooltip (`metricsTooltip`).
 */
import { flattenMetrics } from './settings';

export interface ModelSummary {
  /** the main figure, e.g. `PSNR 18.77 dB`; `—` without metrics, `see details` when no figure is found */
  main: string;
  /** what it compares with, e.g. `vs input 19.38 dB`; null when the manifest records no baseline */
  versus: string | null;
  /** the flattened key the main figure came from (null when none) */
  key: string | null;
}

type Row = [string, number];

/** Digits enough for a table: 18.768 → 18.77, 0.0115 → 0.0115, 0.44428 → 0.444. */
function short(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(2) : Number(v.toPrecision(3)).toString();
}

const isMean = (k: string) => /(^|[._-])(psnr_)?mean$/.test(k);
// rows that are a comparison, not the model's own figure
const BASELINE = /input|bicubic|interp|baseline|zero-flow|after-|by-shift|noisy|bias/;

function pick(rows: Row[], metric: RegExp): Row | null {
  const own = rows.filter(([k]) => metric.test(k) && !BASELINE.test(k.toLowerCase()));
  if (!own.length) return null;
  return own.find(([k]) => /app-default/.test(k)) ?? own.find(([k]) => isMean(k)) ?? own[0];
}

/** The summary shown in the models table's "Key metrics" cell. */
export function modelSummary(metrics: Record<string, unknown>): ModelSummary {
  const rows: Row[] = flattenMetrics(metrics)
    .filter(([, t]) => t !== '' && Number.isFinite(Number(t)))
    .map(([k, t]) => [k, Number(t)]);
  if (!Object.keys(metrics).length) return { main: '—', versus: null, key: null };

  const psnr = pick(rows, /psnr/i);
  if (psnr) {
    const [k] = psnr;
    const dot = k.lastIndexOf('.');
    const group = dot < 0 ? '' : k.slice(0, dot);
    const leaf = k.slice(dot + 1);
    const find = (key: string) => rows.find(([r]) => r === key)?.[1];
    let versus: string | null = null;
    const bicubic = group && find(`${group}.bicubic`);
    const input = group && find(`${group.replace(/psnr/, 'blurry-input-psnr')}.${leaf}`);
    if (typeof bicubic === 'number') versus = `vs bicubic ${short(bicubic)} dB`;
    else if (typeof input === 'number') versus = `vs input ${short(input)} dB`;
    return { main: `PSNR ${short(psnr[1])} dB`, versus, key: k };
  }
  for (const [name, re] of [['RMSE', /rmse/i], ['EPE', /epe/i]] as const) {
    const r = pick(rows, re);
    if (r) return { main: `${name} ${short(r[1])}${/px/.test(r[0]) ? ' px' : ''}`, versus: null, key: r[0] };
  }
  return { main: 'see details', versus: null, key: null };
}

/** Every metric, one `key: value` a line, for the cell's tooltip. */
export function metricsTooltip(metrics: Record<string, unknown>): string {
  const rows = flattenMetrics(metrics);
  return rows.length ? rows.map(([k, v]) => `${k}: ${v}`).join('\n') : 'no metrics recorded';
}
