/**
 * @file Synthetic scenes for the deblurring tests and benchmark: deterministic SEM-like pictures of discs
 * and rectangles (sharp edges, a power spectrum close to k^-2 like real micrographs), and a stand-in
 * "deblur" model folder for tests that must not depend on the trained nets.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findModel, loadManifest, modelsDir } from '../../infer/manifest';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An SEM-like 8-bit scene: random discs and rectangles of random grey on a mid-grey background. */
export function scene(width: number, height: number, seed = 1): Float32Array {
  const r = rng(seed);
  const img = new Float32Array(width * height).fill(90);
  for (let k = 0; k < 140; k++) {
    const cx = r() * width, cy = r() * height, size = 3 + r() * 18, v = 20 + r() * 215;
    const disc = r() < 0.5;
    for (let y = Math.max(0, Math.floor(cy - size)); y < Math.min(height, cy + size); y++) {
      for (let x = Math.max(0, Math.floor(cx - size)); x < Math.min(width, cx + size); x++) {
        if (!disc || (x - cx) ** 2 + (y - cy) ** 2 < size * size) img[y * width + x] = v;
      }
    }
  }
  return img;
}

/**
 * A models folder whose "midnet-s" is selftest.onnx: y = Σ w·x over a 3×3 window (zero padding) + 0.5,
 * weights (k − 5)/8 summing to 0. Under unit-range normalisation a flat 8-bit image therefore comes back
 * as 0.5·255 = 127.5 → 128 inside (the zero padding changes only the 1-px border).
 */
export async function standInModels(target: string): Promise<string> {
  const entry = findModel(await loadManifest(), 'selftest');
  await copyFile(join(modelsDir(), 'selftest.onnx'), join(target, 'selftest.onnx'));
  const manifest = {
    manifestVersion: 1,
    models: [{ ...entry, id: 'midnet-s', task: 'deblur', stride: 4, normalisation: { kind: 'unit-range', notes: 'test stand-in' } }],
  };
  await writeFile(join(target, 'manifest.json'), JSON.stringify(manifest));
  return target;
}
