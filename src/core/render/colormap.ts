/**
 * @file Colour maps for previews of scalar fields (displacement, strain, quality) and an RGB PNG encoder.
 * Viridis for magnitudes, a blue–white–red diverging map for signed fields shown about zero. NaN is drawn
 * dark grey so "not measured" can never be mistaken for a value.
 */
import { PNG } from 'pngjs';

export type ColormapName = 'viridis' | 'diverging';

// Viridis control points (matplotlib's, sampled at 9 evenly spaced stops), linearly interpolated.
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
const DIVERGING = [
  [59, 76, 192], [98, 130, 234], [141, 176, 254], [184, 208, 249], [221, 221, 221],
  [245, 196, 173], [244, 154, 123], [222, 96, 77], [180, 4, 38],
];
const NAN_RGB = [40, 40, 40];

export function colourAt(map: ColormapName, t: number): [number, number, number] {
  const stops = map === 'viridis' ? VIRIDIS : DIVERGING;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x));
  const f = x - k;
  const a = stops[k], b = stops[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** Robust display range: the 1st and 99th percentiles of the finite values (or min/max when few). */
export function robustRange(values: Float32Array, lo = 0.01, hi = 0.99): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  finite.sort();
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))];
  let [a, b] = [at(lo), at(hi)];
  if (a === b) [a, b] = [a - 0.5, b + 0.5];
  return [a, b];
}

/** RGBA pixels of a field under a colour map and a [min, max] range. */
export function colourise(values: Float32Array, map: ColormapName, range: [number, number]): Uint8Array {
  const rgba = new Uint8Array(values.length * 4);
  const [a, b] = range;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    const [r, g, bl] = Number.isFinite(v) ? colourAt(map, (v - a) / (b - a)) : NAN_RGB;
    rgba.set([r, g, bl, 255], 4 * k);
  }
  return rgba;
}

export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height, colorType: 6 });
  png.data.set(rgba);
  return new Uint8Array(PNG.sync.write(png));
}

/** Several equally sized fields side by side with a gap, each with its own colour map and range. */
export function montage(
  width: number,
  height: number,
  panels: { values: Float32Array; map: ColormapName; range: [number, number] }[],
  gap = 8,
): { width: number; height: number; rgba: Uint8Array } {
  const W = panels.length * width + (panels.length - 1) * gap;
  const rgba = new Uint8Array(W * height * 4).fill(255);
  panels.forEach((p, k) => {
    const img = colourise(p.values, p.map, p.range);
    for (let y = 0; y < height; y++) {
      rgba.set(img.subarray(y * width * 4, (y + 1) * width * 4), (y * W + k * (width + gap)) * 4);
    }
  });
  return { width: W, height, rgba };
}
