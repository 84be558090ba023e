/**
 * @file Finding out which execution provider really works on this machine. The probe loads the shipped
 * self-test model (models/selftest.onnx, checked against the manifest), tries the providers in order, and
 * accepts a provider only if one inference on a known image matches the same 3x3 correlation computed here
 * in JS. A GPU provider that loads but computes garbage (driver mismatch, unsupported op silently wrong) is
 * therefore reported as failed, and "active" is a provider that computed correctly.
 *
 * The kernel below mirrors training/selftest/make_selftest_model.py; change both together.
 */
import type { z } from 'zod';
import type { ExecutionProviderSchema } from '../../shared/contract';
import { LabError } from '../errors';
import * as ort from 'onnxruntime-node';
import { modelsDir, resolveModel } from './manifest';
import { createSession, ortVersion } from './session';
import { providerOrder } from './providers';

export type ExecutionProviderInfo = z.output<typeof ExecutionProviderSchema>;

export const SELFTEST_MODEL_ID = 'selftest';
/** Row-major 3x3 weights (rows = y, columns = x): (k - 5) / 8 for k = 1..9; exact in float32. */
export const SELFTEST_KERNEL: readonly number[] = [-0.5, -0.375, -0.25, -0.125, 0, 0.125, 0.25, 0.375, 0.5];
export const SELFTEST_BIAS = 0.5;

/**
 * The self-test model's output computed in JS: ONNX Conv is a cross-correlation, zero padding 1, so
 * y[r][c] = bias + sum_{dy,dx in -1..1} k[dy+1][dx+1] * x[r+dy][c+dx], with x = 0 outside the image.
 * `x` is row-major `width * height`.
 */
export function selftestReference(x: Float32Array, width: number, height: number): Float32Array {
  if (x.length !== width * height) {
    throw new LabError('E_INVALID_INPUT', `Expected ${width}x${height} = ${width * height} pixels, got ${x.length}.`);
  }
  const y = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let acc = SELFTEST_BIAS;
      for (let dy = -1; dy <= 1; dy++) {
        const rr = r + dy;
        if (rr < 0 || rr >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const cc = c + dx;
          if (cc < 0 || cc >= width) continue;
          acc += SELFTEST_KERNEL[(dy + 1) * 3 + (dx + 1)] * x[rr * width + cc];
        }
      }
      y[r * width + c] = acc;
    }
  }
  return y;
}

/**
 * A deterministic, non-square, non-symmetric test image, so a provider that swaps rows and columns or
 * flips the kernel cannot pass by accident. Values are small multiples of 1/4: every product with the
 * eighths kernel is exact in float32.
 */
export function selftestImage(width = 7, height = 5): Float32Array {
  const x = new Float32Array(width * height);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7 + 3) % 11) / 4 - 1;
  return x;
}

/** Runs the self-test model once on `selftestImage()` and throws unless it matches the JS reference. */
export async function checkSelftestSession(session: ort.InferenceSession, width = 7, height = 5): Promise<void> {
  const x = selftestImage(width, height);
  const out = await session.run({ x: new ort.Tensor('float32', x, [1, 1, height, width]) });
  const y = out.y;
  if (!y) throw new Error(`the model returned no output "y" (got ${Object.keys(out).join(', ') || 'nothing'})`);
  const dims = y.dims.join('x');
  if (dims !== `1x1x${height}x${width}`) throw new Error(`output shape ${dims}, expected 1x1x${height}x${width}`);
  const want = selftestReference(x, width, height);
  const got = y.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  // Exact in float32 on CPU; 1e-3 leaves room for GPU providers that compute in reduced precision (TF32,
  // fp16) while still catching any wrong kernel, whose errors here are of order 0.1 or more.
  if (!(worst <= 1e-3)) throw new Error(`output differs from the reference by up to ${worst}`);
}

/**
 * Which provider really computes: creates a session on the verified self-test model for each provider in
 * order and accepts the first whose output is correct. E_RUNTIME (with every provider's reason) if none is;
 * E_NOT_FOUND / E_CORRUPT if the self-test model is missing or altered.
 */
export async function probeExecutionProvider(
  opts: { providers?: string[]; modelsDir?: string } = {},
): Promise<ExecutionProviderInfo> {
  const model = await resolveModel(SELFTEST_MODEL_ID, opts.modelsDir ?? modelsDir());
  const created = await createSession(model.bytes, {
    providers: opts.providers ?? providerOrder(),
    label: model.path,
    verify: (s) => checkSelftestSession(s),
  });
  await created.session.release();
  return { active: created.provider, tried: created.tried, ortVersion: ortVersion() };
}
