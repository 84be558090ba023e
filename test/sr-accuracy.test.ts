/**
 * @file Super-resolution accuracy on real test images (../shared/data/sr; skipped with a message when
 * absent, or when the USRNet models are not installed): two Set12 images, kernel 1 of kernels_12.mat
 * (isotropic Gaussian σ = 0.7), ×2, noise-free, protocol of src/core/restore/sr/evaluate.ts. USRNet, which
 * is told the kernel, must beat bicubic interpolation of the same low-resolution image. Figures are
 * printed; timings belong in bench/sr.ts.
 */
import { describe, expect, it } from 'vitest';
import { findModel, loadManifest } from '../src/core/infer/manifest';
import { quietContext } from '../src/core/progress';
import { imresizeBicubic } from '../src/core/restore/sr/bicubic';
import { degradeForTest, loadHr, modcrop, srPsnr } from '../src/core/restore/sr/evaluate';
import { openUsrnet, USRNET_HYPA_ID, USRNET_PRIOR_ID, usrnetSuperResolve } from '../src/core/restore/sr/usrnet';
import { kernels12 } from '../src/core/synth/kernels';
import { SHARED, SHARED_NOTE, sharedPath } from './shared-data';

const manifest = await loadManifest();
const haveModels = [USRNET_PRIOR_ID, USRNET_HYPA_ID].every((id) => {
  try {
    return !!findModel(manifest, id);
  } catch {
    return false;
  }
});
const NOTE = !SHARED ? SHARED_NOTE : haveModels ? SHARED_NOTE : `(SKIPPED: models ${USRNET_PRIOR_ID} / ${USRNET_HYPA_ID} are not in models/manifest.json)`;

describe.skipIf(!SHARED || !haveModels)(`SR accuracy on Set12 ${NOTE}`, () => {
  it('USRNet beats bicubic on Set12 01 and 02, kernel 1, ×2, noise-free', async () => {
    const models = await openUsrnet();
    const k = await kernels12(1, sharedPath('sr', 'kernels_12.mat'));
    const s = 2;
    for (const name of ['01.png', '02.png']) {
      const hr = modcrop(await loadHr(sharedPath('sr', 'set12', name), name), s);
      const y = degradeForTest(hr, k, s, 0, 1);
      const bic = srPsnr(imresizeBicubic(y.data, y.width, y.height, s).data, hr, s);
      const out = await usrnetSuperResolve(models, y, { sampleType: 'uint8', bitsPerSample: 8 }, k, s, 0, quietContext());
      const usr = srPsnr(out.data, hr, s);
      console.log(`Set12 ${name} ×${s} kernel 1: bicubic ${bic.toFixed(2)} dB, USRNet ${usr.toFixed(2)} dB (+${(usr - bic).toFixed(2)}) on ${out.provider}`);
      expect(usr).toBeGreaterThan(bic + 0.1); // deterministic (noise-free); the margin is what a trained prior adds at least
    }
  }, 300_000);
});
