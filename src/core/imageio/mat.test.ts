/**
 * MAT v5 reader. Fixtures written by scipy (compressed and plain), with:
 *   cd test/fixtures/sr/mat && /usr/bin/python3 -c "
 *   import numpy as np, scipy.io as sio
 *   k = np.empty((1,3), dtype=object)
 *   for i in range(3): k[0,i] = (np.arange(12, dtype=np.float32).reshape(3,4) + 100*i)
 *   d = dict(kernels=k, a=np.array([[1.5,-2.0,3.25],[4.0,5.0,6.5]]), small=np.array([[1,2],[3,250]],dtype=np.float64),
 *            i16=np.array([[-3,7]],dtype=np.int16), s='hello', c=np.array([[1+2j, 3-4j]]), st={'x': np.array([[7.0]]), 'name': 'ab'})
 *   sio.savemat('v5_compressed.mat', d, do_compression=True); sio.savemat('v5_plain.mat', d, do_compression=False)"
 * plus files built here byte by byte for what scipy does not write (big-endian, MATLAB's narrow storage of
 * doubles, small data elements) and for the refusals.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { matrix2d, parseMat, readMat } from './mat';

const DIR = resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'sr', 'mat');

/** A 128-byte v5 header followed by `body`; `little` picks the byte order. */
function header(little: boolean, text = 'MATLAB 5.0 MAT-file, built by mat.test.ts', version = 0x0100): Uint8Array {
  const h = new Uint8Array(128).fill(32);
  h.set(new TextEncoder().encode(text));
  const dv = new DataView(h.buffer);
  dv.setUint16(124, version, little);
  h[126] = little ? 0x49 : 0x4d; // "IM" little, "MI" big
  h[127] = little ? 0x4d : 0x49;
  return h;
}

/** One data element (tag + data padded to 8), in the given byte order. */
function element(type: number, data: Uint8Array, little: boolean): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(data.length / 8) * 8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, little);
  dv.setUint32(4, data.length, little);
  out.set(data, 8);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};

function u32s(values: number[], little: boolean, type = 6): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(b.buffer).setUint32(4 * i, v, little));
  return element(type, b, little);
}

/** A 2×2 double matrix stored as miUINT8 (as MATLAB does for small integers), name as a small element. */
function narrowDouble(little: boolean): Uint8Array {
  const flags = u32s([6, 0], little); // mxDOUBLE_CLASS
  const dims = u32s([2, 2], little, 5);
  // Small data element: type 1 (miINT8) and 1 byte in the first word, the name "m" in the second.
  const name = new Uint8Array(8);
  new DataView(name.buffer).setUint32(0, (1 << 16) | 1, little);
  name[4] = 'm'.charCodeAt(0);
  const data = element(2, Uint8Array.from([1, 3, 2, 250]), little); // column-major [[1,2],[3,250]]
  return element(14, concat(flags, dims, name, data), little);
}

describe('MAT v5 reader', () => {
  for (const file of ['v5_compressed.mat', 'v5_plain.mat']) {
    it(`reads cells of single matrices, doubles, integers, chars, complex and structs (${file})`, async () => {
      const m = await readMat(join(DIR, file));
      const k = m.get('kernels')!;
      expect(k.kind).toBe('cell');
      if (k.kind !== 'cell') return;
      expect(k.dims).toEqual([1, 3]);
      const k2 = matrix2d(k.cells[2], 'kernel 3');
      expect([k2.rows, k2.cols]).toEqual([3, 4]);
      expect(Array.from(k2.data)).toEqual(Array.from({ length: 12 }, (_, i) => i + 200));
      expect(k.cells[0].kind === 'numeric' && k.cells[0].className).toBe('single');
      expect(Array.from(matrix2d(m.get('a')!, 'a').data)).toEqual([1.5, -2, 3.25, 4, 5, 6.5]);
      expect(Array.from(matrix2d(m.get('small')!, 'small').data)).toEqual([1, 2, 3, 250]);
      expect(Array.from(matrix2d(m.get('i16')!, 'i16').data)).toEqual([-3, 7]);
      const s = m.get('s')!;
      expect(s.kind === 'char' && s.text).toBe('hello');
      const c = m.get('c')!;
      expect(c.kind === 'numeric' && [Array.from(c.real), Array.from(c.imag!)]).toEqual([[1, 3], [2, -4]]);
      const st = m.get('st')!;
      expect(st.kind).toBe('struct');
      if (st.kind !== 'struct') return;
      expect(st.fieldNames.sort()).toEqual(['name', 'x']);
      expect(matrix2d(st.elements[0].x, 'x').data[0]).toBe(7);
      expect(() => matrix2d(c, 'c')).toThrowError(/c is a complex 1×2 double array/);
    });
  }

  it('reads big- and little-endian files with narrow storage and small data elements', () => {
    for (const little of [true, false]) {
      const m = parseMat(concat(header(little), narrowDouble(little)), 'built.mat');
      expect(Array.from(matrix2d(m.get('m')!, 'm').data)).toEqual([1, 2, 3, 250]);
    }
  });

  it('refuses v7.3 (HDF5), non-MAT, truncated and unsupported files with the file named', () => {
    const v73 = concat(header(true, 'MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00', 0x0200), new Uint8Array(64));
    expect(() => parseMat(v73, 'new.mat')).toThrowError(/"new\.mat" is a MATLAB 7\.3 MAT-file.*-v7/);
    expect(() => parseMat(new Uint8Array(300), 'zeros.mat')).toThrowError(/"zeros\.mat" is not a MATLAB v5 MAT-file/);
    expect(() => parseMat(new Uint8Array(10), 'short.mat')).toThrowError(/short\.mat/);
    const full = concat(header(true), narrowDouble(true));
    try {
      parseMat(full.subarray(0, full.length - 12), 'cut.mat');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('E_TRUNCATED');
      expect((err as LabError).file).toBe('cut.mat');
    }
    // A sparse matrix (class 5) is refused, not misread.
    const sparse = element(14, concat(u32s([5, 0], true), u32s([2, 2], true, 5), element(1, new TextEncoder().encode('sp'), true)), true);
    expect(() => parseMat(concat(header(true), sparse), 'sparse.mat')).toThrowError(/"sparse\.mat".*class "sparse"/);
  });

  it('names a missing file', async () => {
    await expect(readMat(join(DIR, 'nope.mat'))).rejects.toThrowError(/nope\.mat" does not exist/);
  });
});
