/**
 * @file Colour maps for field heat maps: a diverging map for signed quantities (displacement, strain), shown
 * on a range symmetric about 0 so that white-ish grey means "no motion"; viridis for unsigned ones
 * (|u|, quality, transmission, dark-field); grey for images. NaN (not measured) is a neutral dark grey that
 * none of the maps contains. Display only: values are never changed.
 */

export type ColourMapName = 'diverging' | 'viridis' | 'grey';
export type Rgb = readonly [number, number, number];

/** Colour of NaN (not measured) in every heat map and its legend. */
export const NAN_COLOUR: Rgb = [72, 72, 72];
export const NAN_CSS = `rgb(${NAN_COLOUR.join(',')})`;

/** Control points, evenly spaced over [0, 1]. */
const STOPS: Record<ColourMapName, readonly Rgb[]> = {
  // Moreland's smooth cool–warm diverging map (blue, light grey, red), as in ParaView and matplotlib "coolwarm".
  diverging: [
    [59, 76, 192],
    [98, 130, 234],
    [141, 176, 254],
    [184, 208, 249],
    [221, 221, 221],
    [245, 196, 173],
    [244, 154, 123],
    [222, 96, 77],
    [180, 4, 38],
  ],
  // viridis (van der Walt & Smith), sampled at 9 points
  viridis: [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
  ],
  grey: [
    [0, 0, 0],
    [255, 255, 255],
  ],
};

/** Colour at t in [0, 1] (clamped), linear between control points. */
export function colourAt(name: ColourMapName, t: number): Rgb {
  const stops = STOPS[name];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as unknown as Rgb;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Opaque RGBA packed into one uint32 in ImageData's memory order. */
export function packRgb([r, g, b]: Rgb): number {
  return LITTLE_ENDIAN ? (0xff000000 | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
}

const lutCache = new Map<ColourMapName, Uint32Array>();
/** 256 packed colours of a map. */
export function colourLut(name: ColourMapName): Uint32Array {
  let lut = lutCache.get(name);
  if (!lut) {
    lut = new Uint32Array(256);
    for (let i = 0; i < 256; i++) lut[i] = packRgb(colourAt(name, i / 255));
    lutCache.set(name, lut);
  }
  return lut;
}

/** A value range for colouring: lo → first colour, hi → last. */
export interface ColourRange {
  lo: number;
  hi: number;
}

/**
 * Writes one packed colour per value into `out`: values through `range` into the map, clamped at the ends;
 * NaN and ±Infinity → NAN_COLOUR. A degenerate range (hi ≤ lo) shows everything at the middle colour.
 */
export function renderColour(data: Float32Array, range: ColourRange, name: ColourMapName, out: Uint32Array): void {
  if (out.length < data.length) throw new RangeError(`Output holds ${out.length} pixels but the map has ${data.length}.`);
  const lut = colourLut(name);
  const nan = packRgb(NAN_COLOUR);
  const { lo, hi } = range;
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!Number.isFinite(d)) {
      out[i] = nan;
      continue;
    }
    const t = k ? (d - lo) * k : 127.5;
    out[i] = lut[t <= 0 ? 0 : t >= 255 ? 255 : (t + 0.5) | 0];
  }
}

/** CSS linear-gradient of a map, left (lo) to right (hi), for colour bars. */
export function cssGradient(name: ColourMapName, direction = 'to right', stops = 17): string {
  const parts: string[] = [];
  for (let i = 0; i < stops; i++) {
    const t = i / (stops - 1);
    parts.push(`rgb(${colourAt(name, t).join(',')}) ${(100 * t).toFixed(1)}%`);
  }
  return `linear-gradient(${direction}, ${parts.join(', ')})`;
}
