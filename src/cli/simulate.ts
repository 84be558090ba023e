/**
 * @file `lab simulate pair ...` with a progress line on stderr and Ctrl+C cancelling cleanly (the
 * result folder is written atomically, so a cancelled run leaves nothing behind).
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { runSimulatePairTask } from '../core/tasks/simulate-pair-task';
import { runCliTask, sizeArg } from './args';
import { runSimulateXpci } from './simulate-xpci';
import { UsageError } from './usage-error';

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
  const [width, height] = sizeArg('--size', values.size!);
  const res = await runCliTask(values.quiet, (ctx) =>
    runSimulatePairTask(
      {
        outDir: values.out!,
        width,
        height,
        speckleSize: parseNumber('--speckle-px', values['speckle-px']!, 2, 10),
        noise: values.noise!,
        field: values.field!,
        seed: Math.trunc(parseNumber('--seed', values.seed!, 0, 2 ** 31 - 1)),
      },
      ctx,
    ),
  );
  console.log(`wrote ${res.outDir}`);
  for (const f of res.files) console.log(`  ${f.name.padEnd(14)} ${String(f.bytes).padStart(10)} bytes  ${f.sha256.slice(0, 16)}`);
  return 0;
}
