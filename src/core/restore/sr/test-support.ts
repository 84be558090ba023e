/**
 * @file Stand-in models for the super-resolution tests, so the USRNet and fast-net paths run on a fresh
 * machine without the trained models: a models folder with a manifest whose `usrnet-s-hypa` returns fixed
 * weights (α_k = 0.05·2^−k, β_k = 0.01, K = 8) and whose `usrnet-s-prior` is the identity, and an
 * `espcn-x3` that is a fixed 3×3 convolution + pixel shuffle (test/fixtures/models/*-stub-*.onnx and
 * tiling-sr-test.onnx, built by training/fixtures/make_usrnet_stub_models.py and
 * make_tiling_sr_test_model.py).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../../infer/manifest';

const FIXTURES = resolve(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'models');
export const STUB_ALPHAS = Array.from({ length: 8 }, (_, k) => 0.05 * 2 ** -k);
export const STUB_BETA = 0.01;

const spec = (name: string, shape: (number | string)[]) => ({ name, layout: 'NCHW', dtype: 'float32' as const, shape });

/** Writes the stand-in models folder into `target` (which must exist) and returns it. */
export async function srStandInModels(target: string): Promise<string> {
  const models = [
    { id: 'usrnet-s-prior', src: 'usrnet-stub-prior.onnx', inputs: [spec('x', ['N', 1, 'H', 'W']), spec('noise', ['N', 1, 'H', 'W'])], outputs: [spec('y', ['N', 1, 'H', 'W'])], stride: 8 },
    { id: 'usrnet-s-hypa', src: 'usrnet-stub-hypa.onnx', inputs: [spec('cond', ['N', 2, 1, 1])], outputs: [spec('ab', ['N', 16, 1, 1])] },
    { id: 'espcn-x3', src: 'tiling-sr-test.onnx', inputs: [spec('lr', ['N', 1, 'H', 'W'])], outputs: [spec('sr', ['N', 1, 'H3', 'W3'])], stride: 1 },
  ];
  const entries = [];
  for (const m of models) {
    const file = `${m.id}.onnx`;
    await copyFile(join(FIXTURES, m.src), join(target, file));
    const bytes = new Uint8Array(await readFile(join(target, file)));
    entries.push({
      id: m.id,
      task: 'super-resolution',
      file,
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      opset: 17,
      inputs: m.inputs,
      outputs: m.outputs,
      normalisation: { kind: 'unit-range', notes: 'test stand-in' },
      training: { command: `/usr/bin/python3 training/fixtures/make_usrnet_stub_models.py`, hardware: 'none: fixed weights' },
      metrics: {},
      params: 0,
      ...(m.stride ? { stride: m.stride } : {}),
    });
  }
  await writeFile(join(target, 'manifest.json'), JSON.stringify({ manifestVersion: 1, models: entries }, null, 2));
  return target;
}

/** A smooth-plus-edges 8-bit test picture (values 0–255, fractional), deterministic. */
export function srScene(width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = 128 + 60 * Math.sin(c / 5.3) * Math.cos(r / 7.1) + (((c >> 4) + (r >> 4)) % 2 ? 40 : -40);
      out[r * width + c] = Math.max(0, Math.min(255, v));
    }
  }
  return out;
}
