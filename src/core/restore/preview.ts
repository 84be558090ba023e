/**
 * @file Side-by-side preview of a restoration: input | output in one 8-bit grey PNG, optionally with a
 * label strip above each panel.
 *
 * Note: Side-by-side preview. Both panels use ONE linear grey mapping, the input's finite min–max (or a
 * window the caller gives), so a brighter or contrastier output looks so, instead of each panel being
 * stretched on its own; output values beyond the window clip to black or white (only in the preview: the
 * TIFF keeps them). When the panels differ in size (super-resolution: a small input beside a large
 * output), the input is enlarged by pixel replication to the output's size, so the preview shows the
 * pixels the input really had rather than an interpolation that would flatter or blur it. Panels are
 * separated by a 4 px mid-grey bar. Labels are drawn with a built-in 5 × 7 pixel font (upper-case
 * letters, digits and a little punctuation; anything else draws as "?"), white on black, scaled ×2 for
 * images taller than 600 px.
 */
import { LabError } from '../errors';
import type { GreyImage } from '../imageio/types';
import { encodePngPreview } from '../imageio/write-png';

export interface SideBySideOptions {
  /** grey window; default the left (input) image's finite min–max */
  min?: number;
  max?: number;
  /** labels over the left and right panels; omitted = no label strip */
  labels?: [string, string];
}

const GAP = 4;

/** 5 × 7 glyphs, 7 rows of 5 bits (bit 4 = leftmost column), as 14 hex digits. */
const FONT: Record<string, string> = {
  A: '0e11111f111111', B: '1e11111e11111e', C: '0e11101010110e', D: '1e11111111111e',
  E: '1f10101e10101f', F: '1f10101e101010', G: '0e11101711110f', H: '1111111f111111',
  I: '0e04040404040e', J: '0702020202120c', K: '11121418141211', L: '1010101010101f',
  M: '111b1515111111', N: '11111915131111', O: '0e11111111110e', P: '1e11111e101010',
  Q: '0e11111115120d', R: '1e11111e141211', S: '0f10100e01011e', T: '1f040404040404',
  U: '1111111111110e', V: '11111111110a04', W: '1111111515150a', X: '11110a040a1111',
  Y: '1111110a040404', Z: '1f01020408101f',
  '0': '0e11131519110e', '1': '040c040404040e', '2': '0e11010204081f', '3': '1f02040201110e',
  '4': '02060a121f0202', '5': '1f101e0101110e', '6': '0608101e11110e', '7': '1f010204080808',
  '8': '0e11110e11110e', '9': '0e11110f01020c',
  ' ': '00000000000000', '-': '0000001f000000', '.': '00000000000c0c', ':': '000c0c000c0c00',
  '(': '02040808080402', ')': '08040202020408', '/': '00010204081000', '+': '0004041f040400',
  '=': '00001f001f0000', '_': '0000000000001f', '|': '04040404040404', ',': '000000000c0408',
  '?': '0e110102040004',
};

function glyph(ch: string): number[] {
  const hex = FONT[ch] ?? FONT[ch.toUpperCase()] ?? FONT['?'];
  const rows: number[] = [];
  for (let r = 0; r < 7; r++) rows.push(parseInt(hex.slice(2 * r, 2 * r + 2), 16));
  return rows;
}

/** Draws `text` (0–255 values) into `canvas` at (x0, y0), clipped to `maxWidth` px. */
function drawText(canvas: Float32Array, cw: number, x0: number, y0: number, text: string, scale: number, maxWidth: number): void {
  const advance = 6 * scale;
  const fit = Math.max(0, Math.floor((maxWidth + scale) / advance));
  const shown = text.length > fit ? text.slice(0, Math.max(0, fit - 1)) + '.' : text;
  [...shown].forEach((ch, k) => {
    const rows = glyph(ch);
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 5; c++) {
        if (!((rows[r] >> (4 - c)) & 1)) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) canvas[(y0 + r * scale + sy) * cw + x0 + k * advance + c * scale + sx] = 255;
        }
      }
    }
  });
}

function finiteMinMax(data: Float32Array): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const v of data) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
  return { min, max };
}

/**
 * The preview as a grey image with values 0–255 (Note: Side-by-side preview); `encodeSideBySide` makes
 * the PNG. Exposed for tests and for callers that compose their own figures.
 */
export function sideBySide(left: GreyImage, right: GreyImage, opts: SideBySideOptions = {}): GreyImage {
  for (const [img, name] of [[left, 'left'], [right, 'right']] as const) {
    if (!(img.width > 0 && img.height > 0 && img.data.length === img.width * img.height)) {
      throw new LabError('E_INVALID_INPUT', `The ${name} preview panel is not a valid ${img.width}×${img.height} image.`);
    }
  }
  const { width: w, height: h } = right;
  let lo = opts.min, hi = opts.max;
  if (lo === undefined || hi === undefined) {
    const s = finiteMinMax(left.data);
    lo ??= s.min;
    hi ??= s.max;
  }
  const span = hi > lo && Number.isFinite(hi - lo) ? hi - lo : 0;
  const grey = (v: number) => (Number.isNaN(v) || span === 0 ? 0 : Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / span))));
  const scale = h > 600 ? 2 : 1;
  const strip = opts.labels ? 7 * scale + 6 * scale : 0;
  const cw = 2 * w + GAP;
  const ch = strip + h;
  const canvas = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = w; x < w + GAP; x++) canvas[y * cw + x] = 128;
  for (let y = 0; y < h; y++) {
    // Pixel replication of the left panel onto the right panel's grid (identity when the sizes agree).
    const ly = Math.min(left.height - 1, Math.floor((y * left.height) / h));
    const o = (strip + y) * cw;
    for (let x = 0; x < w; x++) {
      const lx = Math.min(left.width - 1, Math.floor((x * left.width) / w));
      canvas[o + x] = grey(left.data[ly * left.width + lx]);
      canvas[o + w + GAP + x] = grey(right.data[y * w + x]);
    }
  }
  if (opts.labels) {
    const pad = 3 * scale;
    drawText(canvas, cw, pad, pad, opts.labels[0], scale, w - 2 * pad);
    drawText(canvas, cw, w + GAP + pad, pad, opts.labels[1], scale, w - 2 * pad);
  }
  return { width: cw, height: ch, data: canvas };
}

/** The side-by-side preview as PNG bytes (Note: Side-by-side preview). */
export function encodeSideBySide(left: GreyImage, right: GreyImage, opts: SideBySideOptions = {}): Uint8Array {
  return encodePngPreview(sideBySide(left, right, opts), { min: 0, max: 255 }, 'the side-by-side preview');
}
