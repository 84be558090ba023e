/**
 * @file Random access to bytes, either in memory (decoding) or in an open file (the cheap completeness check,
 * which must not read a 200 MB stack just to look at its directory). Reads past the end come back short;
 * callers compare offsets with `size` first so they can say "truncated" with the numbers.
 */
import { open } from 'node:fs/promises';

export interface ByteSource {
  /** total length in bytes */
  readonly size: number;
  /** up to `length` bytes from `offset` (fewer at the end of the data) */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory; reads are views, not copies. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** Opens `path` read-only, runs `fn` over it as a source, and always closes it. */
export async function withFileSource<T>(path: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const src: ByteSource = {
      size,
      read: async (offset, length) => {
        const n = Math.max(0, Math.min(length, size - offset));
        const buf = new Uint8Array(n);
        let done = 0;
        while (done < n) {
          const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
          if (bytesRead === 0) break; // the file shrank while we looked
          done += bytesRead;
        }
        return done === n ? buf : buf.subarray(0, done);
      },
    };
    return await fn(src);
  } finally {
    await fh.close();
  }
}
