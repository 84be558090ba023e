/**
 * @file Pixel size and a few vendor fields from the metadata that files carry: TIFF resolution tags, ImageJ
 * descriptions, FEI/Thermo Fisher and Zeiss SEM blocks, PNG pHYs, BMP/JPEG densities. Pure text and number
 * parsing, no I/O, so each rule is testable on its own (see "Note: Pixel size rules").
 *
 * Note: Pixel size rules. Sizes are reported in µm. When several sources exist the most specific wins:
 * 1. SEM vendor block (FEI `[Scan] PixelWidth=` in metres, tag 34682/34680 or text; Zeiss tag 34118
 *    `AP_PIXEL_SIZE` / `Image Pixel Size = 2.5 nm`): written by the microscope from its calibration.
 *    A vendor value outside 1 pm .. 1 cm is taken for a broken field and skipped (tiff.ts).
 * 2. TIFF XResolution/YResolution (pixels per unit). ResolutionUnit inch or cm converts directly (a missing
 *    ResolutionUnit means inch, as TIFF 6.0 says). Unit "none" is used only with an ImageJ description that
 *    names a length unit (`unit=um`, `micron`, `µm`, `nm`, `mm` ...), which is how ImageJ stores calibration.
 *    A resolution that names a common software default rather than a measurement is ignored: exactly 1 pixel
 *    per unit, or 72, 96, 150, 300, 600 or 1200 dpi (in inch or the equivalent in cm, ±0.05 dpi).
 * 3. ImageJ `spacing=` (the z step of a stack), only when there are no resolution tags: a calibrated ImageJ
 *    file always has them, so this is the last resort for isotropic voxels.
 * PNG pHYs (pixels per metre) and BMP/JPEG densities follow the same default-dpi rule.
 */
import type { PixelSize } from './types';

/** Software defaults in dots per inch that say nothing about the specimen. */
const DEFAULT_DPI = [72, 96, 150, 300, 600, 1200];

/** Micrometres per unit, for the unit spellings instruments and ImageJ use; null when not a length. */
export function unitToMicrometres(unit: string): number | null {
  const u = unit.trim().replace(/^\\u00b5/i, 'µ').replace(/^Â?[µμ]/, 'µ').toLowerCase();
  const table: Record<string, number> = {
    pm: 1e-6, nm: 1e-3, 'µm': 1, um: 1, micron: 1, microns: 1, micrometer: 1, micrometre: 1, mm: 1e3, cm: 1e4,
    m: 1e6, meter: 1e6, metre: 1e6, inch: 25400, in: 25400,
  };
  return table[u] ?? null;
}

function isDefaultDpi(dpi: number): boolean {
  return DEFAULT_DPI.some((d) => Math.abs(dpi - d) < 0.05);
}

/** Pixel size from "pixels per unit" densities; undefined when absent, invalid or a software default. */
export function densityPixelSize(
  xPerUnit: number | undefined, yPerUnit: number | undefined, micronsPerUnit: number, source: string,
): PixelSize | undefined {
  const x = xPerUnit ?? NaN;
  const y = yPerUnit ?? x;
  if (!(x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y))) return undefined;
  if (x === 1 && y === 1) return undefined;
  const dpi = (v: number) => (v * 25400) / micronsPerUnit;
  if (micronsPerUnit >= 1e4 && isDefaultDpi(dpi(x)) && isDefaultDpi(dpi(y))) return undefined;
  return { x: micronsPerUnit / x, y: micronsPerUnit / y, source };
}

/** The key=value lines of an ImageJ description, or null when the text is not one. */
export function parseImageJDescription(text: string | undefined): Record<string, string> | null {
  if (!text || !text.startsWith('ImageJ=')) return null;
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** TIFF resolution tags (+ ImageJ description) to a pixel size, by rules 2 and 3 of the Note. */
export function tiffResolutionPixelSize(
  xRes: number | undefined, yRes: number | undefined, resUnit: number | undefined, description: string | undefined,
): PixelSize | undefined {
  const ij = parseImageJDescription(description);
  const ijUnit = ij?.unit ? unitToMicrometres(ij.unit) : null;
  const unit = resUnit ?? 2;
  if (xRes !== undefined) {
    if (unit === 2) return densityPixelSize(xRes, yRes, 25400, 'TIFF resolution tags (inch)');
    if (unit === 3) return densityPixelSize(xRes, yRes, 1e4, 'TIFF resolution tags (cm)');
    if (unit === 1 && ijUnit) return densityPixelSize(xRes, yRes, ijUnit, `ImageJ description (unit=${ij!.unit})`);
    return undefined;
  }
  const spacing = Number(ij?.spacing);
  if (ijUnit && spacing > 0 && Number.isFinite(spacing)) {
    const um = spacing * ijUnit;
    return { x: um, y: um, source: `ImageJ description (spacing=${ij!.spacing} ${ij!.unit}, assumed isotropic)` };
  }
  return undefined;
}

/** What a vendor block gave: pixel size and display fields. */
export interface VendorInfo {
  pixelSize?: PixelSize;
  vendor: Record<string, string>;
}

const fmt = (v: number, unit: string) => `${+v.toPrecision(4)} ${unit}`;

/** Parses INI text (`[Section]` then `Key=Value` lines); lines that are neither are skipped. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | null = null;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    const s = /^\[([A-Za-z0-9_ ]+)\]$/.exec(line);
    if (s) {
      section = out[s[1]] ??= {};
      continue;
    }
    const kv = /^([A-Za-z0-9_.]+)=(.*)$/.exec(line);
    if (kv && section) section[kv[1]] = kv[2].trim();
  }
  return out;
}

/**
 * FEI / Thermo Fisher SEM metadata (INI text): pixel size from `[Scan] PixelWidth/PixelHeight` (metres,
 * `[EScan]` or `[IScan]` as fallbacks). `imageHeight` lets us report the data-bar rows that FEI appends
 * below the image (`[Image] ResolutionY` is the scanned height). Null when the text has no pixel width.
 */
export function parseFeiMetadata(text: string, imageHeight?: number): VendorInfo | null {
  const ini = parseIni(text);
  const scan = [ini.Scan, ini.EScan, ini.IScan].find((s) => s && Number(s.PixelWidth) > 0);
  if (!scan) return null;
  const px = Number(scan.PixelWidth) * 1e6;
  const py = Number(scan.PixelHeight) > 0 ? Number(scan.PixelHeight) * 1e6 : px;
  const vendor: Record<string, string> = { vendor: 'FEI' };
  const sys = ini.System ?? {};
  const beam = ini.EBeam ?? ini.IBeam ?? {};
  const instrument = sys.SystemType || sys.Type;
  if (instrument) vendor.instrument = instrument;
  const hv = Number(ini.Beam?.HV ?? beam.HV);
  if (hv > 0) vendor.HV = fmt(hv, 'V');
  if (Number(beam.WD) > 0) vendor.WD = fmt(Number(beam.WD) * 1e3, 'mm');
  if (Number(beam.HFW) > 0) vendor.HFW = fmt(Number(beam.HFW) * 1e6, 'µm');
  const dwell = Number(scan.Dwelltime ?? scan.Dwell);
  if (dwell > 0) vendor.dwell = fmt(dwell * 1e6, 'µs');
  if (ini.Detectors?.Name) vendor.detector = ini.Detectors.Name;
  if (ini.User?.Date) vendor.date = [ini.User.Date, ini.User.Time].filter(Boolean).join(' ');
  const scanned = Number(ini.Image?.ResolutionY);
  if (imageHeight && scanned > 0 && imageHeight > scanned) vendor.databarRows = String(imageHeight - scanned);
  return { pixelSize: { x: px, y: py, source: 'FEI metadata ([Scan] PixelWidth)' }, vendor };
}

/**
 * Zeiss SEM metadata (tag 34118, "CZ_SEM"): lines alternate between a parameter id (`AP_PIXEL_SIZE`) and
 * `Label = value unit`. Pixel size from `AP_PIXEL_SIZE` (or any `... Pixel Size = v unit` line). Null when
 * the text has neither a pixel size nor any recognised parameter.
 */
export function parseZeissMetadata(text: string): VendorInfo | null {
  const params: Record<string, string> = {};
  let key: string | null = null;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (/^[A-Z][A-Z0-9_]+$/.test(line)) key = line;
    else if (key) {
      const m = /^[^=:]*[=:]\s*(.*)$/.exec(line);
      if (m) params[key] = m[1].trim();
      key = null;
    }
  }
  let pixel: string | undefined = params.AP_PIXEL_SIZE ?? params.AP_IMAGE_PIXEL_SIZE;
  if (!pixel) pixel = /Pixel Size\s*[=:]\s*([^\r\n]*)/i.exec(text)?.[1];
  const vendor: Record<string, string> = { vendor: 'Zeiss' };
  const pick: Record<string, string> = {
    magnification: 'AP_MAG', HV: 'AP_ACTUALKV', WD: 'AP_WD', detector: 'DP_DETECTOR_CHANNEL',
    instrument: 'SV_INSTRUMENT_ID', date: 'AP_DATE', dwell: 'DP_DWELL_TIME',
  };
  for (const [name, id] of Object.entries(pick)) if (params[id]) vendor[name] = params[id];
  if (!vendor.HV && params.AP_MANUALKV) vendor.HV = params.AP_MANUALKV;
  let pixelSize: PixelSize | undefined;
  const m = pixel ? /^([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*(\S+)/.exec(pixel) : null;
  if (m) {
    const scale = unitToMicrometres(m[2]);
    const v = Number(m[1]);
    if (scale && v > 0) pixelSize = { x: v * scale, y: v * scale, source: 'Zeiss metadata (AP_PIXEL_SIZE)' };
  }
  if (!pixelSize && Object.keys(vendor).length === 1) return null;
  return { pixelSize, vendor };
}

/**
 * Looks for an FEI block in raw file bytes, for files whose metadata is not in a known tag (some FEI/Thermo
 * software writes it into another tag or appends it). Searches for `PixelWidth=` after a `[Scan]`-like
 * header; returns the surrounding text or null. Cost: one byte search over the file.
 */
export function findFeiText(bytes: Uint8Array): string | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let from = 0;
  for (;;) {
    const at = buf.indexOf('PixelWidth=', from, 'latin1');
    if (at < 0) return null;
    const start = Math.max(0, at - 8192);
    const text = buf.toString('latin1', start, Math.min(buf.length, at + 8192));
    if (/\[(E|I)?Scan\]/.test(text)) return text;
    from = at + 1;
  }
}
