/**
 * @file Helpers shared by the watch fault tests (not used by the app): real speckle images from the
 * simulator, a recorder of session events, polling waits, checksums of a folder's raw files, and a check
 * that every result folder in an output folder is whole (result.json lists files whose sha256 match).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTiffFloat32 } from '../imageio';
import { quietContext } from '../progress';
import { parseFieldSpec, parseNoiseSpec, simulatePair } from '../synth';
import type { WatchEvent, WatchEvents } from './events';

/** Reference and deformed float32 TIFF bytes (speckle 4 px, shift 1.5, −0.5 px), size×size. */
export async function specklePairBytes(seed: number, size = 64): Promise<{ ref: Uint8Array; def: Uint8Array }> {
  const p = await simulatePair(
    { width: size, height: size, speckleSize: 4, noise: parseNoiseSpec('none'), field: parseFieldSpec('constant:1.5,-0.5'), seed },
    quietContext(),
  );
  return { ref: encodeTiffFloat32(p.reference), def: encodeTiffFloat32(p.deformed) };
}

/** A tiny distinct float32 TIFF (for bursts of single-image jobs). */
export function tinyTiff(seed: number, size = 8): Uint8Array {
  return encodeTiffFloat32({ width: size, height: size, data: new Float32Array(size * size).map((_, i) => (i * 31 + seed * 7) % 251) });
}

export const TRACK_RULE = {
  name: 'dic',
  type: 'pair',
  reference: 'ref_(\\d+)\\.tif',
  sample: 'sample_(\\d+)\\.tif',
  task: { kind: 'track', method: 'zncc', options: { window: 15, search: 4 }, step: 8 },
};

export class Recorder {
  readonly events: WatchEvent[] = [];
  constructor(source: WatchEvents) {
    source.on((ev) => this.events.push(ev));
  }
  of<T extends WatchEvent['type']>(type: T): Extract<WatchEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<WatchEvent, { type: T }>[];
  }
  async until(pred: () => boolean, ms = 20_000): Promise<void> {
    const end = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > end) throw new Error(`timed out waiting; events so far: ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** name → sha256 of every file directly in `dir`. */
export async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const p = join(dir, name);
    if ((await stat(p)).isFile()) out[name] = createHash('sha256').update(await readFile(p)).digest('hex');
  }
  return out;
}

/**
 * The result folders in `outDir` (everything but the job database and its lock), each checked: it has a
 * result.json whose listed files exist with matching sha256. Also returns leftovers (hidden entries).
 */
export async function resultFolders(outDir: string): Promise<{ folders: string[]; hidden: string[]; inputsOf: Record<string, string[]> }> {
  const folders: string[] = [];
  const hidden: string[] = [];
  const inputsOf: Record<string, string[]> = {};
  for (const name of (await readdir(outDir)).sort()) {
    if (name.startsWith('.')) hidden.push(name);
    if (name.startsWith('.') || name.startsWith('jobs.sqlite')) continue;
    const dir = join(outDir, name);
    const rj = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as { files: { name: string; sha256: string }[]; inputs: { name: string }[] };
    for (const f of rj.files) {
      const sha = createHash('sha256').update(await readFile(join(dir, f.name))).digest('hex');
      if (sha !== f.sha256) throw new Error(`${dir}/${f.name} does not match its result.json`);
    }
    folders.push(name);
    inputsOf[name] = rj.inputs.map((i) => i.name);
  }
  return { folders, hidden, inputsOf };
}
