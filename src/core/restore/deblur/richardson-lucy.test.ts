/**
 * Richardson–Lucy and its PSF estimate (richardson-lucy.ts) on synthetic scenes blurred with a known
 * Gaussian: the estimated σ is close to the true one, and RL raises PSNR substantially.
 */
import { describe, expect, it } from 'vitest';
import { psnr } from '../../metrics/image-quality';
import { quietContext } from '../../progress';
import { estimateGaussianSigma, gaussianBlur, richardsonLucy } from './richardson-lucy';
import { rng, scene } from './test-support';

/** Direct 2-D Gaussian blur (not the separable code under test), mirrored borders, then noise and 8-bit rounding. */
function blur8(img: Float32Array, width: number, height: number, sigma: number, noise: number, seed = 2): Float32Array {
  const r = Math.ceil(4 * sigma);
  const k: number[] = [];
  let sum = 0;
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) sum += k[k.length] = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
  const m = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i);
  const rand = rng(seed);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0, j = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += k[j++] * img[m(y + dy, height) * width + m(x + dx, width)];
      // Box–Muller Gaussian noise
      const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(s / sum + noise * g)));
    }
  }
  return out;
}

const W = 192, H = 160;
const sharp = scene(W, H);

describe('Gaussian PSF estimate', () => {
  it.each([1.2, 2, 3])('finds σ = %f within 15 %', (sigma) => {
    const est = estimateGaussianSigma(blur8(sharp, W, H, sigma, 1), W, H);
    console.log(`true σ ${sigma}: estimated ${est.sigma.toFixed(3)} (β ${est.beta.toFixed(2)}${est.betaFixed ? ' fixed' : ''}, band ${est.band.map((k) => k.toFixed(3)).join('–')}, ${est.points} rings)`);
    expect(Math.abs(est.sigma - sigma) / sigma).toBeLessThan(0.15);
  });

  it('the separable blur equals the direct 2-D one', async () => {
    const direct = blur8(sharp, W, H, 1.7, 0);
    const sep = await gaussianBlur(sharp, W, H, 1.7);
    let worst = 0;
    for (let i = 0; i < sep.length; i++) worst = Math.max(worst, Math.abs(Math.round(sep[i]) - direct[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('Richardson–Lucy', () => {
  it('raises PSNR substantially with the estimated PSF, keeps the mean, reports progress', async () => {
    const blurry = blur8(sharp, W, H, 2, 1);
    const est = estimateGaussianSigma(blurry, W, H);
    const fractions: number[] = [];
    const ctx = quietContext();
    ctx.progress.report = (f: number) => void fractions.push(f);
    const out = await richardsonLucy(blurry, W, H, { sigma: est.sigma, iterations: 30 }, ctx);
    const q = { dataRange: 255, border: 8 };
    const before = psnr({ width: W, height: H, data: blurry }, { width: W, height: H, data: sharp }, q);
    const after = psnr({ width: W, height: H, data: out }, { width: W, height: H, data: sharp }, q);
    console.log(`RL (σ ${est.sigma.toFixed(2)}, 30 it.): PSNR ${before.toFixed(2)} → ${after.toFixed(2)} dB`);
    // Measured 21.5 → 23.6 dB; RL on step edges is limited by ringing, so the bar is a clear 1.8 dB.
    expect(after - before).toBeGreaterThan(1.8);
    expect(fractions.length).toBe(30);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(out) - mean(blurry))).toBeLessThan(1);
  });

  it('stops when cancelled and refuses bad parameters', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(richardsonLucy(sharp, W, H, { sigma: 2, iterations: 5 }, quietContext(ac.signal))).rejects.toThrowError(/cancelled/);
    await expect(richardsonLucy(sharp, W, H, { sigma: 0, iterations: 5 }, quietContext())).rejects.toThrowError(/sigma 0/);
    await expect(richardsonLucy(sharp, W, H, { sigma: 1, iterations: 0 }, quietContext())).rejects.toThrowError(/iteration count 0/);
  });
});
