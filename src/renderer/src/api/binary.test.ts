import { describe, expect, it } from 'vitest';
import { fetchFloat32, float32FromLittleEndian } from './binary';

function leBytes(values: number[]): ArrayBuffer {
  const buf = new ArrayBuffer(values.length * 4);
  const view = new DataView(buf);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return buf;
}

describe('float32FromLittleEndian', () => {
  it('reads little-endian float32 on either kind of host', () => {
    const values = [0, 1.5, -2.25, 65535, Number.NaN];
    const native = float32FromLittleEndian(leBytes(values));
    const swapped = float32FromLittleEndian(leBytes(values), false);
    for (const arr of [native, swapped]) {
      expect(Array.from(arr.slice(0, 4))).toEqual([0, 1.5, -2.25, 65535]);
      expect(Number.isNaN(arr[4])).toBe(true);
    }
  });

  it('refuses a byte count that is not a multiple of 4', () => {
    expect(() => float32FromLittleEndian(new ArrayBuffer(6))).toThrow(/not a multiple of 4/);
  });
});

describe('fetchFloat32', () => {
  it('fetches, decodes and checks the length', async () => {
    const fake = async () => new Response(leBytes([1, 2, 3, 4]));
    await expect(fetchFloat32('/data/image/1', 4, fake)).resolves.toEqual(new Float32Array([1, 2, 3, 4]));
    await expect(fetchFloat32('/data/image/1', 6, fake)).rejects.toThrow(/holds 4 values but the image needs 6/);
  });

  it('says what failed on an HTTP error', async () => {
    const fake = async () => new Response('gone', { status: 404 });
    await expect(fetchFloat32('/data/image/x', undefined, fake)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
