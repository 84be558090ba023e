/**
 * @file `lab info IMAGE [--json]`.
 */
import { parseArgs } from 'node:util';
import { openImageFile } from '../core/tasks/open-image';
import { UsageError } from './usage-error';

export async function runInfo(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('lab info takes exactly one IMAGE');
  const img = await openImageFile(positionals[0]);
  const { data: _pixels, ...rest } = img;
  const summary = { ...rest, stats: { ...img.stats, histogram: undefined } };
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  const m = img.meta;
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const lines = [
    `file        ${img.path}`,
    `format      ${m.format}${m.compression ? ` (${m.compression})` : ''}${m.byteOrder ? `, ${m.byteOrder}-endian` : ''}`,
    `size        ${img.width} × ${img.height} px`,
    `type        ${m.sampleType}, ${m.bitsPerSample}-bit, ${m.samplesPerPixel} sample(s)/pixel, ${m.colour}`,
    ...(m.greyRule ? [`grey rule   ${m.greyRule}`] : []),
    `pages       ${m.pageCount}${m.pageCount > 1 ? ' (first page read)' : ''}`,
    `min/max     ${fmt(img.stats.min)} / ${fmt(img.stats.max)}`,
    `mean ± std  ${fmt(img.stats.mean)} ± ${fmt(img.stats.std)}`,
    ...(img.stats.nonFinite ? [`non-finite  ${img.stats.nonFinite} pixels (NaN/Inf)`] : []),
    `pixel size  ${m.pixelSize ? `${fmt(m.pixelSize.x)} × ${fmt(m.pixelSize.y)} µm (${m.pixelSize.source})` : 'unknown'}`,
    ...Object.entries(m.vendor ?? {}).map(([k, v]) => `${k.padEnd(11)} ${v}`),
    `sha256      ${img.sha256}`,
  ];
  console.log(lines.join('\n'));
  return 0;
}
