/**
 * @file The one rule by which colour becomes grey, shared by every reader (see "Note: Grey rule").
 *
 * Note: Grey rule. Lab images are usually grey data saved in a colour container (RGB TIFF from a frame
 * grabber, RGBA PNG from a web tool). So: if R, G and B are equal at every pixel, R is taken exactly and no
 * value changes. Otherwise the ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B is computed in double precision
 * and stored as float32 without rounding, so an 8-bit colour image may give fractional grey levels. Alpha is
 * ignored (not premultiplied). Palette images look the colour up first, then apply the same rule. The rule
 * used is recorded in `meta.greyRule`.
 */

export const RULE_EQUAL = 'all colour channels equal: took R exactly';
export const RULE_LUMA = 'ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B (not rounded)';

/** The grey rule's result: the data and the words for meta.greyRule. */
export interface GreyResult {
  data: Float32Array;
  greyRule: string;
}

/**
 * Grey from interleaved samples: pixel i has R at src[i*stride + first], G and B after it.
 * `n` is the pixel count.
 */
export function interleavedToGrey(src: ArrayLike<number>, n: number, stride: number, first = 0): GreyResult {
  let equal = true;
  for (let i = 0, p = first; i < n; i++, p += stride) {
    if (src[p] !== src[p + 1] || src[p] !== src[p + 2]) {
      equal = false;
      break;
    }
  }
  const data = new Float32Array(n);
  if (equal) {
    for (let i = 0, p = first; i < n; i++, p += stride) data[i] = src[p];
    return { data, greyRule: RULE_EQUAL };
  }
  for (let i = 0, p = first; i < n; i++, p += stride) data[i] = 0.299 * src[p] + 0.587 * src[p + 1] + 0.114 * src[p + 2];
  return { data, greyRule: RULE_LUMA };
}

/** Grey from three separate planes (TIFF decoded per sample). */
export function planesToGrey(r: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, n: number): GreyResult {
  let equal = true;
  for (let i = 0; i < n; i++) {
    if (r[i] !== g[i] || r[i] !== b[i]) {
      equal = false;
      break;
    }
  }
  const data = new Float32Array(n);
  if (equal) {
    for (let i = 0; i < n; i++) data[i] = r[i];
    return { data, greyRule: RULE_EQUAL };
  }
  for (let i = 0; i < n; i++) data[i] = 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i];
  return { data, greyRule: RULE_LUMA };
}

/**
 * Grey from palette indices: each palette entry becomes grey by the rule above (decided over the entries
 * the image actually uses), then the indices are looked up. `palette` holds R,G,B triplets.
 */
export function paletteToGrey(indices: ArrayLike<number>, n: number, palette: ArrayLike<number>): GreyResult {
  const entries = palette.length / 3;
  const used = new Uint8Array(entries);
  for (let i = 0; i < n; i++) {
    const k = indices[i];
    if (k < entries) used[k] = 1;
  }
  let equal = true;
  for (let k = 0; k < entries && equal; k++) {
    if (used[k] && (palette[3 * k] !== palette[3 * k + 1] || palette[3 * k] !== palette[3 * k + 2])) equal = false;
  }
  const lut = new Float64Array(entries);
  for (let k = 0; k < entries; k++) {
    const [r, g, b] = [palette[3 * k], palette[3 * k + 1], palette[3 * k + 2]];
    lut[k] = equal ? r : 0.299 * r + 0.587 * g + 0.114 * b;
  }
  const data = new Float32Array(n);
  // An index beyond the palette is a damaged file; 0 (black) is what common viewers show for it.
  for (let i = 0; i < n; i++) data[i] = indices[i] < entries ? lut[indices[i]] : 0;
  return { data, greyRule: `palette: looked up the colour, then ${equal ? RULE_EQUAL : RULE_LUMA}` };
}
