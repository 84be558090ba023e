/**
 * @file TIFF predictors (2: horizontal differencing, 3: floating point, TIFF Technical Note 3), applied by us
 * instead of by geotiff.
 *
 * Note: geotiff predictor byte order. geotiff 3.0.5 undoes predictor 2 on 16/32-bit samples through
 * host-order (little-endian) typed arrays and rebuilds predictor-3 floats in little-endian byte order, but
 * then reads the samples in the file's byte order. Big-endian files with a predictor therefore decode to
 * wrong values without any error (a ramp 0..65535 came back topping out at 65279). So geotiff decompresses
 * only (we hand it predictor 1), and we undo the predictor here with the file's byte order, leaving the
 * bytes in file order as geotiff's sample readers expect. This is wired in through readRasters' `pool`
 * option, which lets us wrap the decoder without touching geotiff's global registry.
 */
import { getDecoder } from 'geotiff';

interface DecoderParameters {
  tileWidth: number;
  tileHeight: number;
  predictor: number;
  bitsPerSample: number | ArrayLike<number>;
  planarConfiguration: number;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Undoes horizontal differencing on one row of `k`-byte samples, in place. */
function undoHorizontal(dv: DataView, start: number, samples: number, stride: number, k: number, le: boolean) {
  const at = dv.byteOffset + start;
  if ((k === 2 || k === 4) && le === HOST_LITTLE_ENDIAN && at % k === 0) {
    // fast path: the file's byte order is the host's, so a typed array reads the samples directly
    const row = k === 2 ? new Uint16Array(dv.buffer, at, samples) : new Uint32Array(dv.buffer, at, samples);
    for (let i = stride; i < samples; i++) row[i] += row[i - stride];
    return;
  }
  if (k === 1) {
    for (let i = stride; i < samples; i++) dv.setUint8(start + i, dv.getUint8(start + i) + dv.getUint8(start + i - stride));
  } else if (k === 2) {
    for (let i = stride; i < samples; i++) {
      const p = start + 2 * i;
      dv.setUint16(p, dv.getUint16(p, le) + dv.getUint16(p - 2 * stride, le), le);
    }
  } else if (k === 4) {
    for (let i = stride; i < samples; i++) {
      const p = start + 4 * i;
      dv.setUint32(p, dv.getUint32(p, le) + dv.getUint32(p - 4 * stride, le), le);
    }
  } else {
    for (let i = stride; i < samples; i++) {
      const p = start + 8 * i;
      dv.setBigUint64(p, dv.getBigUint64(p, le) + dv.getBigUint64(p - 8 * stride, le), le);
    }
  }
}

/**
 * Undoes the floating-point predictor on one row: bytes were split into planes (most significant first)
 * and then byte-differenced with the sample stride. The bytes are put back in the file's byte order.
 */
function undoFloatingPoint(bytes: Uint8Array, start: number, rowBytes: number, stride: number, k: number, le: boolean) {
  const row = bytes.subarray(start, start + rowBytes);
  for (let i = stride; i < rowBytes; i++) row[i] = (row[i] + row[i - stride]) & 0xff;
  const planes = row.slice();
  const words = rowBytes / k;
  for (let i = 0; i < words; i++) {
    for (let b = 0; b < k; b++) row[k * i + (le ? k - 1 - b : b)] = planes[b * words + i];
  }
}

/** A readRasters `pool` stand-in that decompresses with geotiff and applies the predictor itself. */
export function predictorPool(littleEndian: boolean, samplesPerPixel: number) {
  return {
    bindParameters(compression: number, params: DecoderParameters) {
      const decoderPromise = getDecoder(compression, { ...params, predictor: 1 } as never);
      return {
        async decode(buffer: ArrayBuffer): Promise<ArrayBuffer | Uint8Array> {
          const decoder = await decoderPromise;
          const out = (await decoder.decode(buffer)) as ArrayBuffer | Uint8Array;
          const predictor = params.predictor || 1;
          if (predictor === 1) return out;
          const bits = typeof params.bitsPerSample === 'number' ? params.bitsPerSample : params.bitsPerSample[0];
          const k = bits / 8;
          const stride = params.planarConfiguration === 2 ? 1 : samplesPerPixel;
          const rowSamples = params.tileWidth * stride;
          const rowBytes = rowSamples * k;
          const bytes = ArrayBuffer.isView(out)
            ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
            : new Uint8Array(out);
          const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const rows = Math.min(params.tileHeight, Math.floor(bytes.length / rowBytes));
          if (predictor === 2 && Number.isInteger(k) && [1, 2, 4, 8].includes(k)) {
            for (let r = 0; r < rows; r++) undoHorizontal(dv, r * rowBytes, rowSamples, stride, k, littleEndian);
          } else if (predictor === 3 && (k === 2 || k === 4 || k === 8)) {
            for (let r = 0; r < rows; r++) undoFloatingPoint(bytes, r * rowBytes, rowBytes, stride, k, littleEndian);
          } else {
            throw new Error(`predictor ${predictor} with ${bits}-bit samples is not defined`);
          }
          return out;
        },
      };
    },
  };
}
