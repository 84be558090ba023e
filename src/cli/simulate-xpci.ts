/**
 * @file `lab simulate xpci ...`: the wave-optics X-ray speckle phase-contrast simulator on the command
 * line (core: src/core/xpci/simulate-task.ts), with a progress line on stderr and Ctrl+C cancelling
 * cleanly (the result folder is written atomically, so a cancelled run leaves nothing behind).
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import type { SampleSpec } from '../core/xpci/phantoms';
import { runSimulateXpciTask } from '../core/xpci/simulate-task';
import { runCliTask, sizeArg } from './args';
import { UsageError } from './usage-error';

export const SIMULATE_XPCI_USAGE = `  lab simulate xpci --out DIR [--sample sine|sphere|cylinder] [--size W,H] [--pixel-um 12]
                    [--distance-m D] [--energy-kev 30] [--source-m Z] [--speckle-px S] [--visibility V]
                    [--photons N] [--blur-px SIGMA] [--radius-um R] [--diffuser-gap-m G] [--oversample K]
                    [--seed N]
      Wave-optics simulation of single-shot speckle-based X-ray phase contrast (random diffuser, sample,
      angular-spectrum propagation, pixel integration, blur, Poisson noise): reference.tif, sample.tif
      (photons) and the ground truth alpha_x.tif, alpha_y.tif (rad), ux.tif, uy.tif (px, convention
      I_sample(x + u) = I_ref(x)), phase.tif (rad), transmission.tif, previews and result.json. Angles from
      displacements: alpha = u·p/d (p pixel pitch, d sample–detector distance, any source distance).
      Without --distance-m the distance is chosen so the sample's typical angle moves the speckle 2 px
      (about 77 m for the default PMMA sine phantom at 30 keV; it refracts only 0.31 µrad).
      --photons 0 gives noise-free images in units of the open beam.`;

/** A number from a flag, or undefined when the flag is absent; the core checks the ranges. */
function num(flag: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new LabError('E_INVALID_INPUT', `${flag} "${s}" is not a number.`);
  return v;
}

function sampleSpec(kind: string, radiusUm: number | undefined): SampleSpec {
  if (kind === 'sine') return { kind: 'sine' };
  if (kind === 'sphere' || kind === 'cylinder') return { kind, radiusUm };
  throw new UsageError(`--sample must be sine, sphere or cylinder (got "${kind}")`);
}

export async function runSimulateXpci(args: string[]): Promise<number> {
  const rest = args[0] === 'xpci' ? args.slice(1) : args;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      sample: { type: 'string', default: 'sine' },
      size: { type: 'string', default: '512,256' },
      'pixel-um': { type: 'string' },
      'distance-m': { type: 'string' },
      'energy-kev': { type: 'string' },
      'source-m': { type: 'string' },
      'speckle-px': { type: 'string' },
      visibility: { type: 'string' },
      photons: { type: 'string' },
      'blur-px': { type: 'string' },
      'radius-um': { type: 'string' },
      'diffuser-gap-m': { type: 'string' },
      oversample: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.out) throw new UsageError('lab simulate xpci needs --out DIR');
  const [width, height] = sizeArg('--size', values.size!, 8, 16384);
  const radiusUm = num('--radius-um', values['radius-um']);
  if (radiusUm !== undefined && values.sample === 'sine') throw new UsageError('--radius-um applies to --sample sphere or cylinder');
  const params = {
    outDir: values.out,
    width,
    height,
    sample: sampleSpec(values.sample!, radiusUm),
    pixelUm: num('--pixel-um', values['pixel-um']),
    distanceM: num('--distance-m', values['distance-m']),
    energyKeV: num('--energy-kev', values['energy-kev']),
    sourceM: num('--source-m', values['source-m']),
    speckleSizePx: num('--speckle-px', values['speckle-px']),
    visibility: num('--visibility', values.visibility),
    photons: num('--photons', values.photons),
    blurPx: num('--blur-px', values['blur-px']),
    diffuserGapM: num('--diffuser-gap-m', values['diffuser-gap-m']),
    oversample: num('--oversample', values.oversample),
    seed: num('--seed', values.seed),
  };
  const res = await runCliTask(values.quiet, (ctx) => runSimulateXpciTask(params, ctx));
  const d = res.description as Record<string, Record<string, number> & { warnings?: string[] }>;
  console.log(`wrote ${res.outDir}`);
  console.log(
    `  d = ${d.options.distanceM.toPrecision(4)} m${d.options.distanceAuto ? ' (automatic)' : ''}, M = ${d.geometry.magnification.toPrecision(4)}, ` +
      `max |u| = ${d.truth.maxAbsUxPx.toFixed(3)} px, max |v| = ${d.truth.maxAbsUyPx.toFixed(3)} px, ` +
      `speckle ${d.measured.speckleSizePx.toFixed(2)} px, visibility ${d.measured.visibility.toFixed(3)}; alpha = u·${d.geometry.radPerPx.toExponential(4)} rad/px`,
  );
  for (const w of (res.description.warnings as string[]) ?? []) console.log(`  note: ${w}`);
  for (const f of res.files) console.log(`  ${f.name.padEnd(18)} ${String(f.bytes).padStart(10)} bytes  ${f.sha256.slice(0, 16)}`);
  return 0;
}
