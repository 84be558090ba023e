/**
 * PSNR, SSIM and sharpness (image-quality.ts) against independent references: PSNR by hand, SSIM
 * analytically on constant images and against scikit-image on a generated pair.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { psnr, sharpness, ssim } from './image-quality';

const plane = (width: number, height: number, f: (x: number, y: number) => number) => {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
};

/** The pair in the skimage fixture below (float64 formula, stored as float32, exactly as in the script). */
const A = plane(48, 40, (x, y) => 128 + 60 * Math.sin(0.3 * x) * Math.cos(0.23 * y) + (((x * 7 + y * 13) % 17) - 8) * 3);
const B = plane(48, 40, (x, y) => 0.8 * A.data[y * 48 + x] + 20 + 10 * Math.sin(0.5 * x + 0.1 * y));

/**
 * Produced with scikit-image 0.19.3 (Debian python3-skimage), numpy 1.24:
 *   y,x = np.mgrid[0:40,0:48].astype(np.float64)
 *   a = (128 + 60*np.sin(0.3*x)*np.cos(0.23*y) + (((x*7+y*13)%17)-8)*3).astype(np.float32)
 *   b = (0.8*a.astype(np.float64) + 20 + 10*np.sin(0.5*x+0.1*y)).astype(np.float32)
 *   structural_similarity(a64, b64, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
 *   peak_signal_noise_ratio(a64, b64, data_range=255); and SSIM of a[3:-3,3:-3], b[3:-3,3:-3]
 */
const SKIMAGE = { ssim: 0.9470776144020432, psnr: 27.112004507504636, ssimBorder3: 0.9464772884089449 };

describe('psnr', () => {
  it('matches the formula on known arrays', () => {
    // differences 0, 1, 2, 3 → MSE 3.5; R = 255
    const a = { width: 2, height: 2, data: Float32Array.from([10, 20, 30, 40]) };
    const b = { width: 2, height: 2, data: Float32Array.from([10, 21, 32, 43]) };
    expect(psnr(a, b, { dataRange: 255 })).toBeCloseTo(10 * Math.log10((255 * 255) / 3.5), 10);
    expect(psnr(a, a, { dataRange: 255 })).toBe(Infinity);
    // border crop: only the centre pixel of a 3×3 is compared
    const c = plane(3, 3, () => 0);
    const d = plane(3, 3, (x, y) => (x === 1 && y === 1 ? 5 : 100));
    expect(psnr(c, d, { dataRange: 100, border: 1 })).toBeCloseTo(10 * Math.log10(10000 / 25), 10);
    expect(psnr(A, B, { dataRange: 255 })).toBeCloseTo(SKIMAGE.psnr, 9);
  });

  it('refuses mismatched sizes, a bad range and an over-large border', () => {
    expect(() => psnr(A, plane(4, 4, () => 0), { dataRange: 255 })).toThrowError(/48×40 and 4×4/);
    expect(() => psnr(A, B, { dataRange: 0 })).toThrowError(LabError);
    expect(() => psnr(A, B, { dataRange: 255, border: 20 })).toThrowError(/leaves 8×0/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    expect(ssim(A, A, { dataRange: 255 })).toBeCloseTo(1, 12);
  });

  it('equals the analytic luminance term for a constant image and a constant offset', () => {
    // a ≡ m, b ≡ m + c: variances and covariance are 0, so SSIM = (2m(m+c) + C1) / (m² + (m+c)² + C1).
    const m = 100, c = 20, R = 255, C1 = (0.01 * R) ** 2;
    const expected = (2 * m * (m + c) + C1) / (m * m + (m + c) ** 2 + C1);
    expect(ssim(plane(20, 16, () => m), plane(20, 16, () => m + c), { dataRange: R })).toBeCloseTo(expected, 12);
  });

  it('matches scikit-image structural_similarity (Gaussian, population covariance)', () => {
    expect(ssim(A, B, { dataRange: 255 })).toBeCloseTo(SKIMAGE.ssim, 9);
    expect(ssim(A, B, { dataRange: 255, border: 3 })).toBeCloseTo(SKIMAGE.ssimBorder3, 9);
  });

  it('needs an 11×11 window after the crop and finite values', () => {
    expect(() => ssim(plane(10, 20, () => 1), plane(10, 20, () => 1), { dataRange: 1 })).toThrowError(/at least 11×11/);
    const n = plane(20, 20, () => 1);
    n.data[25] = Number.NaN;
    expect(() => ssim(n, n, { dataRange: 1 })).toThrowError(/non-finite/);
  });
});

describe('sharpness', () => {
  it('is 0 on a flat image, rises with edge contrast and compares across bit depths', () => {
    expect(sharpness(plane(16, 16, () => 7), { dataRange: 255 })).toMatchObject({ laplacianVariance: 0, tenengrad: 0 });
    const step = (hi: number) => plane(32, 32, (x) => (x < 16 ? 0 : hi));
    const ramp = (hi: number) => plane(32, 32, (x) => Math.min(hi, Math.max(0, ((x - 12) * hi) / 8)));
    const s8 = sharpness(step(255), { dataRange: 255 });
    const s16 = sharpness(step(65535), { dataRange: 65535 });
    expect(s16.tenengrad).toBeCloseTo(s8.tenengrad, 10);
    expect(s16.laplacianVariance).toBeCloseTo(s8.laplacianVariance, 10);
    const soft = sharpness(ramp(255), { dataRange: 255 });
    expect(s8.tenengrad).toBeGreaterThan(soft.tenengrad);
    expect(s8.laplacianVariance).toBeGreaterThan(soft.laplacianVariance);
    // Tenengrad of a unit step: Sobel gives |Gx| = 4·255/255 in the two columns beside the edge.
    expect(s8.tenengrad).toBeCloseTo((2 * 30 * 16) / (30 * 30), 10);
  });
});
