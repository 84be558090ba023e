// @file Checks an exported tracker in ONNX Runtime (Node, onnxruntime-node from the repository's node_modules)
// against the PyTorch golden files written by training/export_onnx.py. There is no onnxruntime for Python on
// the build machines, so this is how the training side verifies its own exports before handing them over.
//
//   node training/check_onnx_parity.mjs <id> [--models-dir models] [--fixtures-dir test/fixtures/models]
//
// Pass criterion per element: |onnx - torch| <= abs + rel * |torch| (tolerances from golden.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.resolve('package.json'));
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const id = args.find((a) => !a.startsWith('--'));
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
if (!id) {
  console.error('usage: node training/check_onnx_parity.mjs <model id> [--models-dir DIR] [--fixtures-dir DIR]');
  process.exit(2);
}
const modelsDir = opt('--models-dir', 'models');
const fixDir = path.join(opt('--fixtures-dir', 'test/fixtures/models'), id);
const golden = JSON.parse(readFileSync(path.join(fixDir, 'golden.json'), 'utf8'));
const readF32 = (file) => {
  const b = readFileSync(path.join(fixDir, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const session = await ort.InferenceSession.create(path.join(modelsDir, `${id}.onnx`), { executionProviders: ['cpu'] });
let failed = 0;
for (const c of golden.cases) {
  const feeds = {};
  for (const name of golden.inputs) {
    const t = c.tensors[name];
    feeds[name] = new ort.Tensor('float32', readF32(t.file), t.shape);
  }
  const t0 = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - t0;
  const outName = (golden.outputs ?? ['flow'])[0];
  const got = out[outName];
  const want = readF32(c.tensors[outName].file);
  const shapeOk = JSON.stringify(Array.from(got.dims)) === JSON.stringify(c.tensors[outName].shape);
  let maxAbs = 0;
  let bad = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got.data[i] - want[i]);
    maxAbs = Math.max(maxAbs, d);
    if (!(d <= golden.tolerance.abs + golden.tolerance.rel * Math.abs(want[i]))) bad++;
  }
  const ok = shapeOk && bad === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${id} ${c.name}: shape ${got.dims.join('x')}${shapeOk ? '' : ' (expected ' + c.tensors[outName].shape.join('x') + ')'}, max |diff| ${maxAbs.toExponential(2)}, ${bad} elements over tolerance, ${ms.toFixed(0)} ms`);
}
process.exit(failed ? 1 : 0);
