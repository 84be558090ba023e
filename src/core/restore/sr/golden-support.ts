/**
 * @file Reads the USRNet end-to-end golden written by training/export_sr.py (test/fixtures/sr/usrnet-e2e/
 * golden.json + raw little-endian float32 .bin tensors, C order; layout in its "notes") and runs this
 * app's loop on each case: the first data step alone from the golden's own z0 and α_0 (checks the FFT
 * code in isolation), then the whole loop from y, k, s and σ with the shipped ONNX models. Returns the
 * worst max-abs differences. Used by usrnet.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../errors';
import type { ModelManifest } from '../../infer/manifest';
import { quietContext } from '../../progress';
import { makeKernel } from '../../synth/kernels';
import { dataStep, prepareDataStep, upsampleNearest } from './data-step';
import { openUsrnet, runUsrnetLoop, usrnetWeights } from './usrnet';

interface TensorRef { file: string; shape: number[] }
interface GoldenCase { name: string; scale: number; sigma: number; tensors: Record<string, TensorRef> }
interface Golden { prior: string; hypa: string; prior_sha256: string; hypa_sha256: string; cases: GoldenCase[] }

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

export async function runUsrnetGolden(dir: string, manifest: ModelManifest): Promise<{ firstStep: number; loop: number; note: string }> {
  const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
  for (const [id, sha] of [[golden.prior, golden.prior_sha256], [golden.hypa, golden.hypa_sha256]]) {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new LabError('E_NOT_FOUND', `The USRNet golden refers to model "${id}", which the manifest lacks.`);
    if (entry.sha256 !== sha) {
      throw new LabError('E_CORRUPT', `The USRNet golden was made with ${id} sha256 ${sha}, but the manifest has ${entry.sha256}; re-run training/export_sr.py so model and golden agree.`);
    }
  }
  const read = (t: TensorRef) => {
    const b = readFileSync(join(dir, t.file));
    const f = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (f.length !== t.shape.reduce((a, c) => a * c, 1)) throw new Error(`${t.file}: ${f.length} values for shape ${t.shape}`);
    return f;
  };
  const models = await openUsrnet({ providers: ['cpu'] });
  let firstStep = 0;
  let loop = 0;
  const notes: string[] = [];
  for (const c of golden.cases) {
    const T = c.tensors;
    const [h, w] = T.y.shape;
    const s = c.scale;
    const y = read(T.y);
    const [kh, kw] = T.k.shape;
    const k = makeKernel(kw, kh, read(T.k), `${c.name} kernel`, undefined, true);
    const ab = read(T.ab);
    const K = ab.length / 2;
    // The hyper-parameter net on its own.
    const mine = await usrnetWeights(models.hypa, c.sigma, s);
    const dAb = maxAbsDiff([...mine.alphas, ...mine.betas], ab);
    // First data step from the golden's own start and α_0 (float64 here; the golden is float32 torch).
    const setup = prepareDataStep(y, w, h, k, s);
    const z0 = upsampleNearest(y, w, h, s);
    const dZ0 = maxAbsDiff(z0, read(T.z0));
    const d1 = maxAbsDiff(dataStep(setup, z0, ab[0]), read(T.z1_data));
    // One full iteration, then the whole loop.
    const one = await runUsrnetLoop(models, y, w, h, k, s, c.sigma, quietContext(), { iterations: 1 });
    const dP1 = maxAbsDiff(one.x, read(T.z1_prior));
    const all = await runUsrnetLoop(models, y, w, h, k, s, c.sigma, quietContext());
    const dX = maxAbsDiff(all.x, read(T.x));
    firstStep = Math.max(firstStep, d1, dZ0);
    loop = Math.max(loop, dX);
    notes.push(`${c.name} (${w}×${h} ×${s}, K=${K}): ab ${dAb.toExponential(1)}, z1_data ${d1.toExponential(1)}, z1_prior ${dP1.toExponential(1)}, x ${dX.toExponential(1)}`);
  }
  return { firstStep, loop, note: notes.join('; ') };
}
