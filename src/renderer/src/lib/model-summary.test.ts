import { describe, expect, it } from 'vitest';
import { metricsTooltip, modelSummary } from './model-summary';

describe('modelSummary', () => {
  it('gives a deblurring net its mean PSNR against the blurry input', () => {
    const m = {
      'test-psnr-db': { '3-1': 16.82, '6-1': 20.717, mean: 18.768 },
      'test-ssim': { mean: 0.6931 },
      'test-blurry-input-psnr-db': { '3-1': 17.83, mean: 19.381 },
      'test-protocol': 'held-out real pairs',
    };
    expect(modelSummary(m)).toEqual({ main: 'PSNR 18.77 dB', versus: 'vs input 19.38 dB', key: 'test-psnr-db.mean' });
  });
  it('gives a fast SR net its PSNR against bicubic, and USRNet its mean over the scales', () => {
    expect(modelSummary({ 'synthetic-val-psnr-db': { fsrcnn: 28.336, bicubic: 27.009 }, 'synthetic-val-protocol': 'x' })).toMatchObject({ main: 'PSNR 28.34 dB', versus: 'vs bicubic 27.01 dB' });
    expect(modelSummary({ 'synthetic-val-psnr-db': { psnr_x2: 26.04, psnr_mean: 24.863 }, 'bicubic-lr-heldout-psnr-db': { 'x2-bicubic': 27 } }).main).toBe('PSNR 24.86 dB');
  });
  it('gives a tracker its RMSE in px, preferring what the app runs', () => {
    expect(modelSummary({ 'synthetic-test': { epe_px: 0.5655, rmse_px: 0.44428 }, 'synthetic-test-zero-flow-baseline': { rmse_px: 9.96 } })).toMatchObject({ main: 'RMSE 0.444 px', versus: null });
    expect(modelSummary({ 'cade-protocol': { rmse_u_px: 0.12515 }, 'cade-protocol-app-default': { rmse_u_px: 0.0115 } }).main).toBe('RMSE 0.0115 px');
  });
  it('says so without metrics or without a known figure', () => {
    expect(modelSummary({}).main).toBe('—');
    expect(modelSummary({ accuracy: 0.9 }).main).toBe('see details');
    expect(metricsTooltip({ a: { b: 1 } })).toBe('a.b: 1');
  });
});
