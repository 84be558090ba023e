/**
 * @file Browser-side file output (DOM only, so not unit-tested; the pure parts are in lib/export.ts):
 * saving a Blob through a temporary link, rendering a heat map with its colour bar into a PNG, and copying
 * text to the clipboard.
 */
import { colourAt, NAN_CSS, renderColour, type ColourMapName, type ColourRange } from './colormap';
import { pngLayout } from './export';

/** Saves `blob` as `name` (the browser's download, Electron's save). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A PNG of the map at its own resolution (magnified by a whole factor when small, nearest neighbour) with
 * the colour bar, its end values and the NaN swatch underneath.
 */
export async function mapPng(
  values: Float32Array,
  width: number,
  height: number,
  range: ColourRange,
  colourMap: ColourMapName,
  labels: { lo: string; hi: string; caption: string },
): Promise<Blob> {
  const l = pngLayout(width, height);
  const src = document.createElement('canvas');
  src.width = width;
  src.height = height;
  const sctx = src.getContext('2d')!;
  const data = sctx.createImageData(width, height);
  renderColour(values, range, colourMap, new Uint32Array(data.data.buffer, 0, width * height));
  sctx.putImageData(data, 0, 0);

  const out = document.createElement('canvas');
  out.width = l.width;
  out.height = l.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#1c1f23';
  ctx.fillRect(0, 0, l.width, l.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, l.width, l.mapHeight);
  const grad = ctx.createLinearGradient(l.barX, 0, l.barX + l.barWidth, 0);
  for (let i = 0; i <= 16; i++) grad.addColorStop(i / 16, `rgb(${colourAt(colourMap, i / 16).join(',')})`);
  ctx.fillStyle = grad;
  ctx.fillRect(l.barX, l.barY, l.barWidth, l.barHeight);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#dde1e6';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillText(labels.lo, l.barX - 6, l.barY + l.barHeight / 2);
  ctx.textAlign = 'left';
  ctx.fillText(labels.hi, l.barX + l.barWidth + 6, l.barY + l.barHeight / 2);
  ctx.fillStyle = NAN_CSS;
  ctx.fillRect(l.barX, l.barY + l.barHeight + 7, 10, 10);
  ctx.fillStyle = '#9aa3ad';
  ctx.fillText(labels.caption, l.barX + 16, l.barY + l.barHeight + 12);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'));
}

/** Copies text; false when the clipboard is not available (the caller then selects the text instead). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
