/**
 * @file `lab`: the application's core on the command line, headless. Every subcommand is a thin wrapper
 * over the same core functions the app's compute host runs, so results are identical.
 * Errors print one line naming the file and the problem, and exit non-zero (1 for bad input, 2 for usage).
 */
import { LabError, toLabError } from '../core/errors';
import { runInfo } from './info';
import { MODELS_USAGE, runModels } from './models';
import { runCompare } from './compare';
import { runReport, REPORT_USAGE } from './report';
import { runSimulate } from './simulate';
import { runSr, SR_USAGE } from './sr';
import { SIMULATE_XPCI_USAGE } from './simulate-xpci';
import { runTrack } from './track';
import { DEBLUR_USAGE, runDeblur } from './deblur';
import { runWatch, WATCH_USAGE } from './watch';
import { runXpci, XPCI_USAGE } from './xpci';
import { UsageError } from './usage-error';

export const USAGE = `lab — Speckle Lab on the command line

Usage:
  lab info IMAGE [--json]
      Size, sample type, page count, min/max/mean and pixel size (when the file carries it).
  lab simulate pair --out DIR [--size W,H] [--speckle-px S] [--noise none|poisson:PHOTONS|gauss:SIGMA]
                    [--field constant:UX,UY|random-patches|star|sine:AMP,PERIOD] [--seed N]
      Synthetic speckle pair with known displacement: reference.tif, deformed.tif and the ground truth
      u.tif, v.tif (float32, pixels, convention I_def(x + u) = I_ref(x)), previews and result.json.
${SIMULATE_XPCI_USAGE}
  lab track --ref R --def D --method zncc|umpa|icgn|cnn-dic|cnn-xst|cnn+icgn [--model ID] [--passes P] [--symmetry 1|4|8]
            [--window N] [--search R] [--step S]
            [--roi x,y,w,h] [--strain-window N] [--subpixel gaussian|newton] [--no-dark-field]
            [--threads T] --out DIR
      Displacement field from reference to deformed image: u.tif, v.tif, quality.tif (float32, full size,
      NaN outside the ROI and where nothing trustworthy was measured), transmission.tif and darkfield.tif
      (UMPA), exx/eyy/exy.tif (--strain-window), preview.png and result.json. UMPA multi-frame: give
      comma-separated frame lists to --ref and --def. --passes (cnn-dic, cnn-xst; 1–5, default 3; 1 is the fast mode):
      network passes, each further one measuring the residual on the image warped by the field so far;
      --symmetry (default 8): orientations (flips, transposes) averaged on the last pass; --window: the
      warp-back quality window of cnn-dic / cnn-xst (default 15, 0 = no quality map), the subset of cnn+icgn.
${XPCI_USAGE}
${DEBLUR_USAGE}
${SR_USAGE}
  lab compare --truth-u U --truth-v V --u U2 --v V2 [--mask M] [--json]
      Bias, RMSE, MAE and end-point error of a measured field against ground truth.
${WATCH_USAGE}
${REPORT_USAGE}
${MODELS_USAGE}
  lab --version | --help

Exit codes: 0 success, 1 bad input or failed task, 2 usage error.`;


export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return 0;
      case '-v':
      case '--version': {
        const { appVersion } = await import('../core/version');
        console.log(appVersion());
        return 0;
      }
      case 'info':
        return await runInfo(rest);
      case 'simulate':
        return await runSimulate(rest);
      case 'track':
        return await runTrack(rest);
      case 'deblur':
        return await runDeblur(rest);
      case 'sr':
        return await runSr(rest);
      case 'compare':
        return await runCompare(rest);
      case 'xpci':
        return await runXpci(rest);
      case 'watch':
        return await runWatch(rest);
      case 'report':
        return await runReport(rest);
      case 'models':
        return await runModels(rest);
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      console.error(`lab: ${(err as Error).message}. Run "lab --help" for usage.`);
      return 2;
    }
    const e = err instanceof LabError ? err : toLabError(err);
    console.error(`lab: error: ${e.message}`);
    return 1;
  }
}
