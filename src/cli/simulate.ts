/**
 * @file `lab simulate pair ...` with a progress line on stderr and Ctrl+C cancelling cleanly (the
 * result folder is written atomically, so a cancelled run leaves nothing behind).
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { makeProgress } from '../core/progress';
import { runSimulatePairTask } from '../core/tasks/simulate-pair-task';
import { runSimulateXpci } from './simulate-xpci';
import { UsageError } from './usage-error';

function parseSize(s: string): [number, number] {
  const m = /^(\d+)(?:[,x×](\d+))?$/.exec(s.trim());
  if (!m) throw new LabError('E_INVALID_INPUT', `--size "${s}" is not W,H (for example --size 512,512).`);
  const w = Number(m[1]);
  const h = m[2] ? Number(m[2]) : w;
  for (const v of [w, h]) {
    if (v < 16 || v > 8192) throw new LabError('E_INVALID_INPUT', `--size "${s}": each side must be 16 to 8192 px.`);
  }
  return [w, h];
}

function parseNumber(flag: string, s: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new LabError('E_INVALID_INPUT', `${flag} "${s}" must be a number from ${min} to ${max}.`);
  }
  return v;
}

export async function runSimulate(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'xpci') return runSimulateXpci(rest);
  if (what !== 'pair') throw new UsageError(`lab simulate knows "pair" and "xpci" (got "${what ?? ''}")`);
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      size: { type: 'string', default: '512,512' },
      'speckle-px': { type: 'string', default: '4' },
      noise: { type: 'string', default: 'none' },
      field: { type: 'string', default: 'constant:0.5,0.25' },
      seed: { type: 'string', default: '1' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.out) throw new UsageError('lab simulate pair needs --out DIR');
  const [width, height] = parseSize(values.size!);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const showProgress = !values.quiet && process.stderr.isTTY;
  const progress = makeProgress((f, msg) => {
    if (showProgress) process.stderr.write(`\r${(f * 100).toFixed(0).padStart(3)}% ${msg ?? ''}`.padEnd(60));
  });
  try {
    const res = await runSimulatePairTask(
      {
        outDir: values.out,
        width,
        height,
        speckleSize: parseNumber('--speckle-px', values['speckle-px']!, 2, 10),
        noise: values.noise!,
        field: values.field!,
        seed: Math.trunc(parseNumber('--seed', values.seed!, 0, 2 ** 31 - 1)),
      },
      { signal: controller.signal, progress },
    );
    if (showProgress) process.stderr.write('\n');
    console.log(`wrote ${res.outDir}`);
    for (const f of res.files) console.log(`  ${f.name.padEnd(14)} ${String(f.bytes).padStart(10)} bytes  ${f.sha256.slice(0, 16)}`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
