/**
 * @file Reader for MATLAB Level 5 MAT-files (the format `save` writes by default up to -v7, and what
 * scipy.io.savemat writes), enough for the data a lab exchanges as .mat: numeric arrays of any class
 * (double, single, integer; real or complex), char arrays, cell arrays and structs, each of them possibly
 * inside zlib-compressed (miCOMPRESSED, -v7) elements. The first user of this is the 12 standard blur
 * kernels of the USRNet paper (kernels_12.mat: a 1×12 cell of 25×25 single matrices).
 *
 * Note: MAT v5 layout. A 128-byte header (116 bytes of text, 8 bytes subsystem offset, 2 bytes version
 * 0x0100, 2 bytes endian indicator "IM" when little-endian, "MI" when big-endian), then data elements.
 * Each element has an 8-byte tag (u32 type, u32 byte count) and its data padded to 8 bytes; a "small"
 * element packs type (low 16 bits) and count (high 16 bits) into the first word and up to 4 bytes of data
 * into the second. An miMATRIX holds sub-elements: array flags (class in the low byte, complex bit
 * 0x0800), dimensions, name, then the class-specific payload. Numbers are stored column-major, and MATLAB
 * may store them in a smaller type than their class (a double array of small integers as miUINT8), so
 * every numeric payload is converted to float64 here. MATLAB 7.3 files are HDF5 containers, not this
 * format; they (and v4 files, sparse and object arrays) are refused with a LabError naming the file.
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { LabError } from '../errors';

export type MatValue =
  | { kind: 'numeric'; className: string; dims: number[]; /** column-major */ real: Float64Array; imag?: Float64Array }
  | { kind: 'char'; dims: number[]; text: string }
  | { kind: 'cell'; dims: number[]; /** column-major */ cells: MatValue[] }
  | { kind: 'struct'; dims: number[]; fieldNames: string[]; /** one record per struct element, column-major */ elements: Record<string, MatValue>[] };

/** The variables of a MAT-file by name, in file order. */
export type MatFile = Map<string, MatValue>;

// Data types (miXXX) and array classes (mxXXX_CLASS) of the format.
const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 } as const;
const CLASS_NAMES: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const ELEMENT_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };

interface Element {
  type: number;
  /** the element's data bytes (not including the tag or padding) */
  data: DataView;
}

class Reader {
  constructor(
    readonly name: string,
    readonly little: boolean,
  ) {}

  corrupt(why: string): LabError {
    return new LabError('E_CORRUPT', `The MAT-file "${this.name}" is damaged or not a MAT-file: ${why}.`, this.name);
  }

  /** Reads the elements of `view` from offset 0 to its end. */
  elements(view: DataView): Element[] {
    const out: Element[] = [];
    let p = 0;
    while (p + 8 <= view.byteLength) {
      const first = view.getUint32(p, this.little);
      let type: number;
      let n: number;
      let start: number;
      let next: number;
      if (first >>> 16 !== 0) {
        // Small data element format: data in the tag's second word.
        type = first & 0xffff;
        n = first >>> 16;
        if (n > 4) throw this.corrupt(`a small data element claims ${n} bytes (at most 4)`);
        start = p + 4;
        next = p + 8;
      } else {
        type = first;
        n = view.getUint32(p + 4, this.little);
        start = p + 8;
        // Compressed elements are not padded; all others are to a multiple of 8 bytes.
        next = type === MI.COMPRESSED ? start + n : start + Math.ceil(n / 8) * 8;
      }
      if (start + n > view.byteLength) {
        throw new LabError('E_TRUNCATED', `The MAT-file "${this.name}" ends inside a data element (needs ${start + n - view.byteLength} more bytes).`, this.name);
      }
      out.push({ type, data: new DataView(view.buffer, view.byteOffset + start, n) });
      p = Math.min(next, view.byteLength);
    }
    return out;
  }

  /** A numeric payload of any storage type as float64 values. */
  numbers(el: Element): Float64Array {
    const size = ELEMENT_SIZE[el.type];
    if (!size || el.type === MI.UTF8 || el.type === MI.UTF16 || el.type === MI.UTF32) {
      throw this.corrupt(`data type ${el.type} where numbers were expected`);
    }
    const n = Math.floor(el.data.byteLength / size);
    const out = new Float64Array(n);
    const d = el.data;
    const le = this.little;
    for (let i = 0; i < n; i++) {
      const o = i * size;
      switch (el.type) {
        case MI.INT8: out[i] = d.getInt8(o); break;
        case MI.UINT8: out[i] = d.getUint8(o); break;
        case MI.INT16: out[i] = d.getInt16(o, le); break;
        case MI.UINT16: out[i] = d.getUint16(o, le); break;
        case MI.INT32: out[i] = d.getInt32(o, le); break;
        case MI.UINT32: out[i] = d.getUint32(o, le); break;
        case MI.SINGLE: out[i] = d.getFloat32(o, le); break;
        case MI.DOUBLE: out[i] = d.getFloat64(o, le); break;
        case MI.INT64: out[i] = Number(d.getBigInt64(o, le)); break;
        case MI.UINT64: out[i] = Number(d.getBigUint64(o, le)); break;
      }
    }
    return out;
  }

  text(el: Element): string {
    const bytes = new Uint8Array(el.data.buffer, el.data.byteOffset, el.data.byteLength);
    if (el.type === MI.UTF8 || el.type === MI.INT8 || el.type === MI.UINT8) return new TextDecoder('utf-8').decode(bytes);
    const codes = this.numbers(el.type === MI.UTF16 ? { type: MI.UINT16, data: el.data } : el.type === MI.UTF32 ? { type: MI.UINT32, data: el.data } : el);
    return String.fromCodePoint(...codes);
  }

  /** One top-level or nested element as a named value; null for elements that are not arrays. */
  value(el: Element, depth = 0): { name: string; value: MatValue } | null {
    if (depth > 32) throw this.corrupt('arrays nested more than 32 deep');
    if (el.type === MI.COMPRESSED) {
      let raw: Uint8Array;
      try {
        raw = inflateSync(new Uint8Array(el.data.buffer, el.data.byteOffset, el.data.byteLength));
      } catch (err) {
        throw this.corrupt(`a compressed element does not inflate (${(err as Error).message})`);
      }
      const inner = this.elements(new DataView(raw.buffer, raw.byteOffset, raw.byteLength));
      if (inner.length === 0) throw this.corrupt('a compressed element is empty');
      return this.value(inner[0], depth + 1);
    }
    if (el.type !== MI.MATRIX) return null;
    if (el.data.byteLength === 0) return { name: '', value: { kind: 'numeric', className: 'double', dims: [0, 0], real: new Float64Array(0) } };
    const subs = this.elements(el.data);
    if (subs.length < 3) throw this.corrupt('an array lacks its flags, dimensions or name');
    const flags = this.numbers(subs[0]);
    const cls = flags[0] & 0xff;
    const complex = (flags[0] & 0x0800) !== 0;
    const dims = Array.from(this.numbers(subs[1]));
    const name = this.text(subs[2]);
    const count = dims.reduce((a, b) => a * b, 1);
    const className = CLASS_NAMES[cls] ?? `class ${cls}`;
    const label = name ? `variable "${name}"` : 'an array';
    switch (className) {
      case 'cell': {
        const cells: MatValue[] = [];
        for (let i = 0; i < count; i++) {
          const sub = subs[3 + i];
          const v = sub && this.value(sub, depth + 1);
          if (!v) throw this.corrupt(`the cell array ${label} has fewer elements than its size ${dims.join('×')}`);
          cells.push(v.value);
        }
        return { name, value: { kind: 'cell', dims, cells } };
      }
      case 'struct': {
        const fieldLen = this.numbers(subs[3])[0];
        const namesEl = subs[4];
        const raw = new Uint8Array(namesEl.data.buffer, namesEl.data.byteOffset, namesEl.data.byteLength);
        const fieldNames: string[] = [];
        for (let o = 0; o + fieldLen <= raw.length; o += fieldLen) {
          const chunk = raw.subarray(o, o + fieldLen);
          const end = chunk.indexOf(0);
          fieldNames.push(new TextDecoder().decode(end < 0 ? chunk : chunk.subarray(0, end)));
        }
        const elements: Record<string, MatValue>[] = [];
        let k = 5;
        for (let i = 0; i < count; i++) {
          const rec: Record<string, MatValue> = {};
          for (const f of fieldNames) {
            const sub = subs[k++];
            const v = sub && this.value(sub, depth + 1);
            if (!v) throw this.corrupt(`the struct ${label} lacks field "${f}" of element ${i + 1}`);
            rec[f] = v.value;
          }
          elements.push(rec);
        }
        return { name, value: { kind: 'struct', dims, fieldNames, elements } };
      }
      case 'char': {
        const codes = subs[3] ? this.numbers(subs[3].type === MI.UTF8 ? { type: MI.UINT8, data: subs[3].data } : subs[3]) : new Float64Array(0);
        // Column-major: for a single row this is the string; several rows are joined with newlines.
        const rows = dims[0] ?? 0;
        const cols = count / Math.max(rows, 1);
        const lines: string[] = [];
        for (let r = 0; r < rows; r++) {
          let s = '';
          for (let c = 0; c < cols; c++) s += String.fromCodePoint(codes[c * rows + r] ?? 32);
          lines.push(s);
        }
        return { name, value: { kind: 'char', dims, text: subs[3]?.type === MI.UTF8 ? this.text(subs[3]) : lines.join('\n') } };
      }
      case 'double': case 'single': case 'int8': case 'uint8': case 'int16': case 'uint16':
      case 'int32': case 'uint32': case 'int64': case 'uint64': {
        if (!subs[3]) throw this.corrupt(`the ${className} array ${label} has no data`);
        const real = this.numbers(subs[3]);
        if (real.length !== count) throw this.corrupt(`the ${className} array ${label} holds ${real.length} values but its size ${dims.join('×')} needs ${count}`);
        const value: MatValue = { kind: 'numeric', className, dims, real };
        if (complex) {
          if (!subs[4]) throw this.corrupt(`the complex array ${label} has no imaginary part`);
          value.imag = this.numbers(subs[4]);
        }
        return { name, value };
      }
      default:
        throw new LabError(
          'E_UNSUPPORTED',
          `The MAT-file "${this.name}" holds ${label} of MATLAB class "${className}", which this reader does not support (numeric, char, cell and struct arrays only); save it as a full numeric array.`,
          this.name,
        );
    }
  }
}

/** Parses MAT-file bytes; `name` is used in messages. */
export function parseMat(bytes: Uint8Array, name: string): MatFile {
  if (bytes.length < 128) {
    throw new LabError('E_TRUNCATED', `"${name}" is ${bytes.length} bytes long, shorter than a MAT-file header (128 bytes).`, name);
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (!head.startsWith('MATLAB')) {
    // v4 files have no text header; HDF5 (v7.3) files start with their own signature at 0 or 512.
    throw new LabError('E_UNSUPPORTED', `"${name}" is not a MATLAB v5 MAT-file (no "MATLAB 5.0 MAT-file" header); save it with save(..., '-v7').`, name);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  const little = endian === 'IM';
  if (!little && endian !== 'MI') throw new LabError('E_CORRUPT', `"${name}" has an invalid MAT-file endian indicator "${endian}".`, name);
  const version = view.getUint16(124, little);
  if (/MATLAB 7\.3/.test(head) || version === 0x0200) {
    throw new LabError(
      'E_UNSUPPORTED',
      `"${name}" is a MATLAB 7.3 MAT-file (an HDF5 container), which this reader does not support; in MATLAB re-save it with save(FILE, VARS, '-v7').`,
      name,
    );
  }
  if (version !== 0x0100) throw new LabError('E_UNSUPPORTED', `"${name}" has MAT-file version 0x${version.toString(16)}; only version 5 (0x0100) is supported.`, name);
  const r = new Reader(name, little);
  const out: MatFile = new Map();
  for (const el of r.elements(new DataView(bytes.buffer, bytes.byteOffset + 128, bytes.byteLength - 128))) {
    const v = r.value(el);
    if (v) out.set(v.name, v.value);
  }
  return out;
}

/** Reads and parses a MAT-file; E_NOT_FOUND / E_IO name the file. */
export async function readMat(path: string): Promise<MatFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('E_NOT_FOUND', `The MAT-file "${path}" does not exist.`, path);
    throw new LabError('E_IO', `Cannot read "${path}" (${code ?? (err as Error).message}).`, path);
  }
  return parseMat(bytes, path);
}

/**
 * A real 2-D numeric value as a row-major float64 matrix (MAT stores column-major). `label` names the
 * value in the error when it is not one.
 */
export function matrix2d(v: MatValue, label: string): { rows: number; cols: number; data: Float64Array } {
  if (v.kind !== 'numeric' || v.dims.length !== 2 || v.imag) {
    const what = v.kind === 'numeric' ? `${v.imag ? 'complex ' : ''}${v.dims.join('×')} ${v.className} array` : `${v.kind} array`;
    throw new LabError('E_INVALID_INPUT', `${label} is a ${what}, not a real 2-D matrix.`);
  }
  const [rows, cols] = v.dims;
  const data = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) data[r * cols + c] = v.real[c * rows + r];
  return { rows, cols, data };
}
