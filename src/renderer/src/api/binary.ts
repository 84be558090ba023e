/**
 * @file Fetching the large arrays that travel by URL instead of JSON (see Note: One contract, two
 * transports, in src/shared/contract.ts): `lab-data:` under Electron, `/data/...` over HTTP in the harness.
 * The bytes are float32, little-endian, row-major.
 */
import { ContractError } from '../../../shared/result';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Float32 view of little-endian bytes. On a little-endian host (every platform we ship on) this is a
 * zero-copy view; a big-endian host gets a byte-swapped copy, so values are right everywhere.
 */
export function float32FromLittleEndian(buf: ArrayBuffer, littleEndianHost = HOST_IS_LITTLE_ENDIAN): Float32Array {
  if (buf.byteLength % 4 !== 0) {
    throw new ContractError('E_CORRUPT', `Expected float32 data but got ${buf.byteLength} bytes, which is not a multiple of 4.`);
  }
  if (littleEndianHost) return new Float32Array(buf);
  const view = new DataView(buf);
  const out = new Float32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Fetches raw float32 pixels (or field values) from a `dataUrl` the back end returned.
 * @param dataUrl  URL from e.g. `image.open`'s `dataUrl`
 * @param expectedLength  when given, the number of values the array must hold (width·height)
 */
export async function fetchFloat32(
  dataUrl: string,
  expectedLength?: number,
  doFetch: (url: string) => Promise<Response> = (url) => fetch(url),
): Promise<Float32Array> {
  let res: Response;
  try {
    res = await doFetch(dataUrl);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ContractError('E_TRANSPORT', `Could not fetch the pixel data from ${dataUrl}: ${why}.`);
  }
  if (!res.ok) {
    throw new ContractError(
      res.status === 404 ? 'E_NOT_FOUND' : 'E_TRANSPORT',
      `Could not fetch the pixel data from ${dataUrl} (HTTP ${res.status}); the image may have been closed. Open it again.`,
    );
  }
  const values = float32FromLittleEndian(await res.arrayBuffer());
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new ContractError(
      'E_SIZE_MISMATCH',
      `The pixel data from ${dataUrl} holds ${values.length} values but the image needs ${expectedLength}.`,
    );
  }
  return values;
}
