/**
 * @file Holds the float32 arrays (opened images, later fields) that the renderer fetches by URL instead of
 * receiving them as JSON. Bounded by total bytes: the least recently used entries are dropped first.
 */
import { randomUUID } from 'node:crypto';

export type BinaryKind = 'image' | 'field';

interface Entry {
  kind: BinaryKind;
  data: Float32Array;
}

export class BinaryStore {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 2 * 1024 ** 3) {}

  put(kind: BinaryKind, data: Float32Array): string {
    const id = randomUUID();
    this.entries.set(id, { kind, data });
    this.bytes += data.byteLength;
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes || key === id) break;
      this.entries.delete(key);
      this.bytes -= e.data.byteLength;
    }
    return id;
  }

  /** Little-endian bytes of the array (every platform we ship on is little-endian), refreshing its LRU slot. */
  get(kind: BinaryKind, id: string): Uint8Array | null {
    const e = this.entries.get(id);
    if (!e || e.kind !== kind) return null;
    this.entries.delete(id);
    this.entries.set(id, e);
    return new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength);
  }

  delete(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    this.bytes -= e.data.byteLength;
    return true;
  }
}
