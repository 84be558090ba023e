/**
 * @file Recognises an image format from its first bytes (never from the file name, which users rename
 * freely), and words the "not an image we read" error so the user learns what the file looks like instead.
 */
import { LabError } from '../errors';

export type ImageFormat = 'tiff' | 'png' | 'jpeg' | 'bmp';

/** The formats we read, as a phrase for messages. */
export const READABLE_FORMATS = 'TIFF (.tif/.tiff), PNG, JPEG and BMP';

/** Bytes needed to recognise every format we read. */
export const SNIFF_BYTES = 8;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format the leading bytes announce, or null. Classic TIFF and BigTIFF, either byte order. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  const b = head;
  if (b.length >= 4) {
    const ii = b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43) && b[3] === 0;
    const mm = b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 42 || b[3] === 43);
    if (ii || mm) return 'tiff';
  }
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return null;
}

/** A short guess at what an unrecognised file is, for the error message. */
export function describeUnknown(head: Uint8Array): string {
  const ascii = (s: string) => s.split('').every((c, i) => head[i] === c.charCodeAt(0));
  if (ascii('GIF8')) return 'it looks like a GIF';
  if (ascii('RIFF')) return 'it looks like a RIFF container (WebP or AVI)';
  if (ascii('%PDF')) return 'it looks like a PDF';
  if (ascii('PK')) return 'it looks like a ZIP archive (or an Office document)';
  if (ascii('\x89HDF')) return 'it looks like an HDF5 file';
  if (ascii('MATLAB')) return 'it looks like a MATLAB .mat file';
  if (head.length >= 12 && ascii('\0\0\0\x0cjP  ')) return 'it looks like a JPEG 2000 file';
  let text = 0;
  const n = Math.min(head.length, 512);
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127)) text++;
  }
  if (n > 0 && text === n) return 'it looks like a text file';
  return 'its first bytes match none of these formats';
}

/** The E_UNSUPPORTED error for bytes that are no format we read. */
export function unknownFormatError(head: Uint8Array, name: string): LabError {
  return new LabError(
    'E_UNSUPPORTED',
    `"${name}" is not an image format this app reads (${describeUnknown(head)}). Supported formats: ` +
      `${READABLE_FORMATS}; convert the file to one of them, e.g. a 16-bit or float TIFF.`,
    name,
  );
}
