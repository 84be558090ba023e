/**
 * @file `lab compare --truth-u U --truth-v V --u U2 --v V2 [--mask M] [--json]`: accuracy of a measured
 * displacement field against a known one (bias, RMSE, MAE, std per component, end-point error, valid and
 * missing point counts), read from any images readImage reads (float32 TIFF as `lab simulate pair` and the
 * trackers write them). Errors are measured − true. A mask pixel counts when it is non-zero.
 * Bad files are LabErrors naming the file (exit 1 through main.ts); misuse is a UsageError (exit 2).
 */
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { readImage, type LoadedImage } from '../core/imageio';
import { fieldErrors, formatNumber, formatTable, type FieldErrors } from '../core/metrics';
import { UsageError } from './usage-error';

const FILES = ['truth-u', 'truth-v', 'u', 'v'] as const;

export async function runCompare(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'truth-u': { type: 'string' },
      'truth-v': { type: 'string' },
      u: { type: 'string' },
      v: { type: 'string' },
      mask: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`lab compare takes no positional arguments (got "${positionals[0]}")`);
  const missing = FILES.filter((k) => !values[k]);
  if (missing.length) throw new UsageError(`lab compare needs ${missing.map((k) => `--${k} FILE`).join(', ')}`);

  const paths = { 'truth-u': values['truth-u']!, 'truth-v': values['truth-v']!, u: values.u!, v: values.v!, ...(values.mask ? { mask: values.mask } : {}) };
  const entries = Object.entries(paths);
  const images = await Promise.all(entries.map(([, p]) => readImage(p)));
  const img = Object.fromEntries(entries.map(([k], i) => [k, images[i]])) as Record<string, LoadedImage>;

  // Every field must describe the same pixels as the true u; name both files and sizes when one does not.
  const ref = img['truth-u'];
  for (const [k, p] of entries.slice(1)) {
    const im = img[k];
    if (im.width !== ref.width || im.height !== ref.height) {
      throw new LabError(
        'E_SIZE_MISMATCH',
        `"${p}" (--${k}) is ${im.width} × ${im.height} px but "${paths['truth-u']}" (--truth-u) is ${ref.width} × ${ref.height} px; ` +
          'the compared fields must have the same size.',
        p,
      );
    }
  }
  const mask = img.mask ? maskFrom(img.mask) : undefined;
  const err = fieldErrors({ u: img.u.data, v: img.v.data }, { u: img['truth-u'].data, v: img['truth-v'].data }, { mask });

  if (values.json) {
    // JSON has no NaN: statistics that do not apply (no valid point) become null.
    console.log(JSON.stringify({ files: paths, width: ref.width, height: ref.height, units: 'px', errors: err }, null, 2));
    return 0;
  }
  console.log(formatReport(paths, ref.width, ref.height, err));
  return 0;
}

/** Non-zero, finite pixels of the mask image are inside. */
function maskFrom(m: LoadedImage): Uint8Array {
  const out = new Uint8Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number.isFinite(m.data[i]) && m.data[i] !== 0 ? 1 : 0;
  return out;
}

function formatReport(paths: Record<string, string>, width: number, height: number, e: FieldErrors): string {
  const pct = (k: number) => (e.n ? ` (${formatNumber((100 * k) / e.n, 3)} %)` : '');
  const head = [
    ['truth u', paths['truth-u']],
    ['truth v', paths['truth-v']],
    ['measured u', paths.u],
    ['measured v', paths.v],
    ...(paths.mask ? [['mask', `${paths.mask} (non-zero pixels compared)`]] : []),
    ['size', `${width} × ${height} px`],
    ['points', `${e.n} compared, ${e.nValid} valid, ${e.nMissing} missing${pct(e.nMissing)}`],
    ...(e.nMissing ? [['', `missing: ${e.missingMeasured} not measured, ${e.missingTruth} without truth`]] : []),
  ]
    .map(([k, t]) => `${k.padEnd(12)}${t}`)
    .join('\n');
  const comp = formatTable(
    [
      ['error (px)', 'bias', 'rmse', 'mae', 'std', 'max |e|'],
      ['u', e.bias.u, e.rmse.u, e.mae.u, e.std.u, e.maxAbs.u],
      ['v', e.bias.v, e.rmse.v, e.mae.v, e.std.v, e.maxAbs.v],
    ],
    { digits: 4 },
  );
  const epe = formatTable(
    [
      ['end-point (px)', 'mean', 'rmse', 'p95', 'max'],
      ['|e|', e.epe.mean, e.epe.rmse, e.epe.p95, e.epe.max],
    ],
    { digits: 4 },
  );
  return [head, '', comp, '', epe, '', 'errors are measured − true'].join('\n');
}
