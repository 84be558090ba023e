/**
 * The shipped tracker models as files and as ONNX Runtime runs them in Node: each file's sha256 matches
 * the manifest and it loads on CPU; and where the training side left golden files under
 * test/fixtures/models/<id>/ (raw float32 .bin inputs and PyTorch outputs, shapes in a JSON), ONNX Runtime
 * on the golden inputs reproduces PyTorch's outputs within 1e-4 px (max abs). The harness itself is
 * checked on the tiling test model, whose golden outputs come from an independent numpy implementation
 * (training/fixtures/make_tiling_test_model.py). A model that is not shipped yet is skipped with a message
 * naming the missing file; it never passes silently.
 *
 * Golden JSON layouts read: {"cases": [{"tensors": {NAME: {"file", "shape"}}}]} (training/export_onnx.py),
 * {"cases": [{"inputs": {NAME: {"file", "shape"}}, "outputs": {...}}]}, the same without "cases" (one case),
 * and {NAME: {"file"?, "shape"}} or {NAME: shape} with NAME.bin beside it. Tensors are raw little-endian
 * float32, the inputs already normalised (what the ONNX model receives).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadManifest, type ModelEntry, modelsDir, sha256Hex } from './manifest';
import { createSession } from './session';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'models');
/** The trackers the app ships (Note: CNN trackers, src/core/track/cnn.ts); checked even if not listed yet. */
const EXPECTED = ['dicnet-s', 'cade-xst-s', 'midnet-s', 'nafnet-s', 'usrnet-s-prior', 'usrnet-s-hypa', 'fsrcnn-x2', 'fsrcnn-x3', 'fsrcnn-x4'];
const TOLERANCE_PX = 1e-4;

interface GoldenTensor {
  name: string;
  shape: number[];
  file: string;
}
interface GoldenCase {
  name: string;
  tensors: GoldenTensor[];
}

const isShape = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((d) => Number.isInteger(d) && d > 0);

/** Tensor entries of one JSON object (see the file note), files resolved against `dir`. */
function tensorsOf(obj: Record<string, unknown>, dir: string, prefix: string): GoldenTensor[] {
  const out: GoldenTensor[] = [];
  for (const [key, val] of Object.entries(obj)) {
    if (key === 'inputs' || key === 'outputs' || key === 'tensors') {
      if (val && typeof val === 'object' && !Array.isArray(val)) out.push(...tensorsOf(val as Record<string, unknown>, dir, prefix));
      continue;
    }
    const spec = val as { shape?: unknown; file?: unknown; path?: unknown; name?: unknown };
    const shape = isShape(val) ? val : spec && typeof spec === 'object' && isShape(spec.shape) ? spec.shape : null;
    if (!shape) continue;
    const name = typeof spec.name === 'string' && !isShape(val) ? spec.name : key;
    const given = !isShape(val) ? (spec.file ?? spec.path) : undefined;
    const candidates = typeof given === 'string' ? [given] : [`${prefix}${name}.bin`, `${name}.bin`];
    const file = candidates.map((f) => path.join(dir, f)).find((f) => existsSync(f)) ?? path.join(dir, candidates[0]);
    out.push({ name, shape, file });
  }
  return out;
}

/** Every golden case of the model whose golden folder is `dir` (any *.json in it). */
async function goldenCases(dir: string): Promise<GoldenCase[]> {
  const cases: GoldenCase[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const doc = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    if (Array.isArray(doc.cases)) {
      for (const [k, c] of (doc.cases as Record<string, unknown>[]).entries()) {
        const name = typeof c.name === 'string' ? c.name : `${f}#${k}`;
        cases.push({ name, tensors: tensorsOf(c, dir, `${name}_`) });
      }
    } else {
      cases.push({ name: f, tensors: tensorsOf(doc, dir, '') });
    }
  }
  return cases;
}

async function readTensor(t: GoldenTensor): Promise<Float32Array> {
  const buf = await readFile(t.file);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== 4 * n) throw new Error(`${t.file} has ${buf.byteLength} bytes; float32 [${t.shape.join(', ')}] needs ${4 * n}`);
  const out = new Float32Array(n);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Runs every golden case through ONNX Runtime (CPU) and returns the worst |ORT − golden| per case. */
async function runGolden(model: string | Uint8Array, entry: Pick<ModelEntry, 'inputs' | 'outputs'>, dir: string) {
  const created = await createSession(model, { providers: ['cpu'], label: dir });
  const results: { name: string; worst: number; shapes: string }[] = [];
  try {
    const inNames = entry.inputs.map((t) => t.name);
    const outNames = entry.outputs.map((t) => t.name);
    for (const c of await goldenCases(dir)) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const t of c.tensors.filter((t) => inNames.includes(t.name))) feeds[t.name] = new ort.Tensor('float32', await readTensor(t), t.shape);
      const expected = c.tensors.filter((t) => outNames.includes(t.name));
      expect(Object.keys(feeds).sort(), `golden case ${c.name}: inputs`).toEqual([...inNames].sort());
      expect(expected.length, `golden case ${c.name}: outputs`).toBeGreaterThan(0);
      const out = await created.session.run(feeds);
      let worst = 0;
      for (const t of expected) {
        expect(out[t.name].dims, `${c.name}: ${t.name} shape`).toEqual(t.shape);
        const want = await readTensor(t);
        const got = out[t.name].data as Float32Array;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      }
      results.push({ name: c.name, worst, shapes: c.tensors.map((t) => `${t.name} [${t.shape.join('×')}]`).join(', ') });
    }
  } finally {
    await created.session.release();
  }
  return results;
}

describe('golden-file harness (tiling test model vs numpy)', () => {
  it('reproduces the independent reference within 1e-4', async () => {
    const io = (name: string) => ({ name, layout: 'NCHW', dtype: 'float32' as const, shape: [] });
    const res = await runGolden(path.join(FIXTURES, 'tiling-test.onnx'), { inputs: [io('ref'), io('def')], outputs: [io('flow')] }, path.join(FIXTURES, 'tiling-test'));
    for (const r of res) console.log(`parity tiling-test ${r.name} (${r.shapes}): max |ORT − numpy| ${r.worst.toExponential(2)}`);
    expect(res.length).toBe(2);
    for (const r of res) expect(r.worst).toBeLessThan(TOLERANCE_PX);
  });
});

const manifest = await loadManifest();
const ids = [...new Set([...EXPECTED, ...manifest.models.filter((m) => m.task === 'displacement').map((m) => m.id)])];

describe.each(ids)('shipped model %s', (id) => {
  const entry = manifest.models.find((m) => m.id === id);
  const file = path.join(modelsDir(), entry?.file ?? `${id}.onnx`);
  const missing = !entry ? `models/manifest.json has no entry "${id}" (expected file ${file})` : !existsSync(file) ? `${file} is missing` : null;
  const golden = path.join(FIXTURES, id);

  it('matches its manifest sha256 and loads on CPU', async (t) => {
    if (missing) {
      console.log(`SKIPPED ${id}: ${missing}`);
      t.skip(missing);
      return;
    }
    const bytes = new Uint8Array(await readFile(file));
    expect(sha256Hex(bytes)).toBe(entry!.sha256);
    expect(bytes.length).toBe(entry!.bytes);
    const created = await createSession(bytes, { providers: ['cpu'], label: file });
    expect([...created.session.inputNames].sort()).toEqual(entry!.inputs.map((t) => t.name).sort());
    for (const o of entry!.outputs) expect(created.session.outputNames).toContain(o.name);
    await created.session.release();
  });

  it(`reproduces PyTorch's golden outputs within ${TOLERANCE_PX} px`, async (t) => {
    const why = missing ?? (!existsSync(golden) ? `no golden files in ${golden}` : null);
    if (why) {
      console.log(`SKIPPED ${id} parity: ${why}`);
      t.skip(why);
      return;
    }
    const res = await runGolden(new Uint8Array(await readFile(file)), entry!, golden);
    for (const r of res) console.log(`parity ${id} ${r.name} (${r.shapes}): max |ORT − PyTorch| ${r.worst.toExponential(2)} px`);
    expect(res.length).toBeGreaterThan(0);
    for (const r of res) expect(r.worst).toBeLessThan(TOLERANCE_PX);
  }, 120_000);
});
