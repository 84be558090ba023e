/**
 * @file Maps and images as PNG data URIs for the self-contained HTML. Each raster is resampled to about
 * twice its printed size: small maps are enlarged by pixel repetition (each measured pixel stays a crisp
 * square instead of being smoothed by the PDF viewer), large ones are reduced by averaging the finite
 * values of each block (NaN only where a whole block is NaN), which keeps a 4k map from making a 40 MB
 * report; the full-resolution float32 data is in the data folder. NaN is dark grey, as in the previews.
 */
import type { GreyImage } from '../imageio';
import { PNG } from 'pngjs';
import { colourAt } from '../render/colormap';
import type { Rect } from './model';

const NAN_GREY = 40;
/** Okabe–Ito colours for inset boxes A, B, C, D (distinguishable with colour-vision deficiency). */
export const INSET_COLOURS = ['#e69f00', '#56b4e9', '#009e73', '#cc79a7'];

export interface Raster {
  width: number;
  height: number;
  data: Float32Array;
  /** raster pixels per map pixel (> 1 enlarged, < 1 reduced) */
  factor: number;
}

/** Resamples a map so its longer side is about `target` pixels (see the file note). */
export function resample(values: Float32Array, width: number, height: number, target: number): Raster {
  const side = Math.max(width, height);
  if (side <= target) {
    const f = Math.max(1, Math.floor(target / side));
    const w = width * f, h = height * f;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const row = Math.floor(y / f) * width;
      for (let x = 0; x < w; x++) data[y * w + x] = values[row + Math.floor(x / f)];
    }
    return { width: w, height: h, data, factor: f };
  }
  const d = Math.ceil(side / target);
  const w = Math.ceil(width / d), h = Math.ceil(height / d);
  const data = new Float32Array(w * h);
  for (let by = 0; by < h; by++) for (let bx = 0; bx < w; bx++) {
    let s = 0, n = 0;
    for (let y = by * d; y < Math.min(height, (by + 1) * d); y++) for (let x = bx * d; x < Math.min(width, (bx + 1) * d); x++) {
      const v = values[y * width + x];
      if (Number.isFinite(v)) (s += v), n++;
    }
    data[by * w + bx] = n ? s / n : Number.NaN;
  }
  return { width: w, height: h, data, factor: 1 / d };
}

type Colormap = 'viridis' | 'diverging' | 'grey';
const LUTS = new Map<Colormap, Uint8Array>();

/** 256-entry RGB table of a colour map (colormap.ts colours; 256 levels are more than print resolves). */
function lut(map: Colormap): Uint8Array {
  let t = LUTS.get(map);
  if (!t) {
    t = new Uint8Array(256 * 3);
    for (let k = 0; k < 256; k++) t.set(map === 'grey' ? [k, k, k] : colourAt(map, k / 255), 3 * k);
    LUTS.set(map, t);
  }
  return t;
}

/** RGBA pixels through a colour table; values outside the range take the end colours, NaN dark grey. */
function colourRgba(values: Float32Array, map: Colormap, range: [number, number]): Uint8Array {
  const table = lut(map);
  const rgba = new Uint8Array(values.length * 4);
  const [a, b] = range;
  const f = 255 / (b - a || 1);
  for (let k = 0, o = 0; k < values.length; k++, o += 4) {
    const v = values[k];
    if (Number.isFinite(v)) {
      const i = 3 * Math.min(255, Math.max(0, Math.round((v - a) * f)));
      (rgba[o] = table[i]), (rgba[o + 1] = table[i + 1]), (rgba[o + 2] = table[i + 2]);
    } else rgba[o] = rgba[o + 1] = rgba[o + 2] = NAN_GREY;
    rgba[o + 3] = 255;
  }
  return rgba;
}

const greyRgba = (values: Float32Array, range: [number, number]) => colourRgba(values, 'grey', range);

/** RGB PNG with the Paeth filter: several times faster than trying every filter, and as small. */
function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 6, filterType: 4 });
}

const dataUri = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/** A colour-mapped map as a PNG data URI, about `target` px on its longer side. */
export function mapPngUri(values: Float32Array, width: number, height: number, colormap: 'viridis' | 'diverging' | 'grey', range: [number, number], target = 640): string {
  const r = resample(values, width, height, target);
  return dataUri(encodePng(r.width, r.height, colourRgba(r.data, colormap, range)));
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A grey image with coloured boxes (line width scales with the raster), as a PNG data URI. */
export function greyPngUri(img: GreyImage, range: [number, number], boxes: Rect[] = [], target = 900): string {
  const r = resample(img.data, img.width, img.height, target);
  const rgba = greyRgba(r.data, range);
  const lw = Math.max(2, Math.round(r.width / 250));
  boxes.forEach((b, k) => {
    const [cr, cg, cb] = hexRgb(INSET_COLOURS[k % INSET_COLOURS.length]);
    const x0 = Math.floor(b.x * r.factor), y0 = Math.floor(b.y * r.factor);
    const x1 = Math.min(r.width, Math.ceil((b.x + b.width) * r.factor)), y1 = Math.min(r.height, Math.ceil((b.y + b.height) * r.factor));
    for (let y = Math.max(0, y0); y < y1; y++) for (let x = Math.max(0, x0); x < x1; x++) {
      if (x - x0 < lw || x1 - 1 - x < lw || y - y0 < lw || y1 - 1 - y < lw) rgba.set([cr, cg, cb, 255], 4 * (y * r.width + x));
    }
  });
  return dataUri(encodePng(r.width, r.height, rgba));
}

/** The part of an image inside a rectangle, enlarged by pixel repetition, as a PNG data URI. */
export function insetPngUri(img: GreyImage, rect: Rect, range: [number, number], target = 320): string {
  const w = Math.max(1, Math.min(rect.width, img.width - rect.x)), h = Math.max(1, Math.min(rect.height, img.height - rect.y));
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++) crop.set(img.data.subarray((rect.y + y) * img.width + rect.x, (rect.y + y) * img.width + rect.x + w), y * w);
  const r = resample(crop, w, h, target);
  return dataUri(encodePng(r.width, r.height, greyRgba(r.data, range)));
}
