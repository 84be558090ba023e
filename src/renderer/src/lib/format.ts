/**
 * @file Number and text formatting for the UI, in one place so the readout, the info panel and the status
 * bar agree. Physical units follow the project convention: pixel pitch and positions in µm.
 */
import type { CallOutput } from '../../../shared/contract';

/** Last path segment, for either separator (back-end paths may be Windows paths). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}

type SampleType = CallOutput<'image.open'>['meta']['sampleType'];
type PixelSize = NonNullable<CallOutput<'image.open'>['meta']['pixelSize']>;

/**
 * Shortest decimal text that reads back as the same float32 (like numpy's float32 repr): 0.3, not
 * 0.30000001192092896. Non-finite values read NaN, Infinity, -Infinity.
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

/** A native pixel value as stored: integers for integer sample types, float32 text otherwise. */
export function formatNative(v: number, sampleType: SampleType): string {
  if (sampleType.startsWith('float')) return sampleType === 'float64' ? String(v) : formatFloat32(v);
  return String(v);
}

/** A statistic or window bound with `digits` significant digits, without trailing zeros. */
export function formatNumber(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** Decimals that resolve one pixel of the given pitch (7 µm → 0, 0.65 µm → 2, 0.0123 µm → 3). */
export function physDecimals(pitchUm: number): number {
  if (!(pitchUm > 0)) return 2;
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(pitchUm)) + (pitchUm < 1 ? 1 : 0)));
}

/**
 * Physical position of pixel (x, y) in µm, measured to the pixel's centre from the centre of the top-left
 * pixel (the project's origin): "84.0, 21.0 µm".
 */
export function formatPhysical(x: number, y: number, px: PixelSize): string {
  const dx = physDecimals(px.x);
  const dy = physDecimals(px.y);
  return `${(x * px.x).toFixed(dx)}, ${(y * px.y).toFixed(dy)} µm`;
}

/** Pixel pitch: "7 µm" or "7 × 7.5 µm" when x and y differ. */
export function formatPixelSize(px: PixelSize): string {
  const f = (v: number) => formatNumber(v, 5);
  return px.x === px.y ? `${f(px.x)} µm` : `${f(px.x)} × ${f(px.y)} µm`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Sample type in words: "float32", "uint16 (12 bits used)" when the file declares fewer bits. */
export function formatSampleType(sampleType: SampleType, bits: number): string {
  const nominal = Number(sampleType.replace(/\D/g, ''));
  return nominal && bits && bits !== nominal ? `${sampleType} (${bits} bits)` : sampleType;
}

/** Local date-time of an ISO string, compact: "2026-11-21 13:05:02". Unparseable strings pass through. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Duration between two ISO times: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min"; empty if unknown. */
export function formatDuration(fromIso: string, toIso: string): string {
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
