import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionProviderSchema } from '../../shared/contract';
import { LabError } from '../errors';
import { modelsDir } from './manifest';
import { probeExecutionProvider, SELFTEST_KERNEL, selftestImage, selftestReference } from './probe';

describe('probeExecutionProvider', () => {
  it('reports a provider that really computed, in the contract shape', async () => {
    const info = await probeExecutionProvider({ providers: ['cuda', 'cpu'] });
    expect(ExecutionProviderSchema.parse(info)).toEqual(info);
    expect(['cuda', 'cpu']).toContain(info.active);
    expect(info.tried.at(-1)).toEqual({ name: info.active, ok: true });
    expect(info.ortVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('records providers that failed before the one that worked', async () => {
    const info = await probeExecutionProvider({ providers: ['bogus', 'cpu'] });
    expect(info.active).toBe('cpu');
    expect(info.tried[0]).toMatchObject({ name: 'bogus', ok: false });
  });

  it('refuses an altered self-test model', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-probe-'));
    try {
      await cp(modelsDir(), dir, { recursive: true });
      const file = path.join(dir, 'selftest.onnx');
      const bytes = await readFile(file);
      bytes[bytes.length - 1] ^= 0x01;
      await writeFile(file, bytes);
      const err = await probeExecutionProvider({ providers: ['cpu'], modelsDir: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('E_CORRUPT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('self-test reference', () => {
  it('uses an image on which a flipped or transposed kernel gives a clearly different answer', () => {
    const [w, h] = [7, 5];
    const x = selftestImage(w, h);
    const y = selftestReference(x, w, h);
    // Flipping the kernel (true convolution) = correlating with the kernel reversed.
    const k = [...SELFTEST_KERNEL];
    const flipped = selftestReferenceWith(x, w, h, [...k].reverse());
    const transposed = selftestReferenceWith(x, w, h, [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => k[i]));
    expect(maxDiff(y, flipped)).toBeGreaterThan(0.1);
    expect(maxDiff(y, transposed)).toBeGreaterThan(0.1);
  });
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function selftestReferenceWith(x: Float32Array, w: number, h: number, k: number[]): Float32Array {
  const y = new Float32Array(w * h);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      let acc = 0.5;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const rr = r + dy;
          const cc = c + dx;
          if (rr >= 0 && rr < h && cc >= 0 && cc < w) acc += k[(dy + 1) * 3 + dx + 1] * x[rr * w + cc];
        }
      y[r * w + c] = acc;
    }
  return y;
}
