/**
 * @file Checks of the 2-D FFT helper: the sign convention (a tone lands in its bin), forward/inverse round
 * trip, Parseval's relation, a shift theorem check, non-square grids and the refusal of other sizes.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synth/rng';
import { Fft2, isPowerOfTwo, nextPowerOfTwo, signedIndex } from './fft2';

function randomField(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const a = new Float64Array(2 * n);
  for (let i = 0; i < a.length; i++) a[i] = rng() - 0.5;
  return a;
}

describe('Fft2', () => {
  it('puts exp(+2πi(3x/W + 5y/H)) into bin (3, 5) with magnitude W·H', () => {
    const [w, h] = [16, 8];
    const f = new Fft2(w, h);
    const buf = new Float64Array(2 * w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ph = 2 * Math.PI * ((3 * x) / w + (5 * y) / h);
        buf[2 * (y * w + x)] = Math.cos(ph);
        buf[2 * (y * w + x) + 1] = Math.sin(ph);
      }
    }
    f.forward(buf);
    for (let i = 0; i < w * h; i++) {
      const mag = Math.hypot(buf[2 * i], buf[2 * i + 1]);
      expect(mag).toBeCloseTo(i === 5 * w + 3 ? w * h : 0, 9);
    }
    expect(signedIndex(3, w)).toBe(3);
    expect(signedIndex(13, w)).toBe(-3);
  });

  it('round-trips forward/inverse and satisfies Parseval on 256×64 and 128×128 grids', () => {
    for (const [w, h] of [[256, 64], [128, 128]]) {
      const f = new Fft2(w, h);
      const orig = randomField(w * h, w + h);
      const buf = orig.slice();
      f.forward(buf);
      let e0 = 0;
      let e1 = 0;
      for (let i = 0; i < orig.length; i++) {
        e0 += orig[i] * orig[i];
        e1 += buf[i] * buf[i];
      }
      const parseval = e1 / (w * h) / e0 - 1;
      f.inverse(buf);
      let maxErr = 0;
      for (let i = 0; i < orig.length; i++) maxErr = Math.max(maxErr, Math.abs(buf[i] - orig[i]));
      console.log(`fft2 ${w}×${h}: round-trip max error ${maxErr.toExponential(2)}, Parseval relative error ${parseval.toExponential(2)}`);
      expect(maxErr).toBeLessThan(1e-13);
      expect(Math.abs(parseval)).toBeLessThan(1e-13);
    }
  });

  it('multiplying the spectrum by exp(−2πi(kx·2/W + ky·1/H)) shifts the field by (2, 1), circularly', () => {
    const [w, h] = [32, 16];
    const f = new Fft2(w, h);
    const orig = randomField(w * h, 7);
    const buf = orig.slice();
    f.forward(buf);
    for (let ky = 0; ky < h; ky++) {
      for (let kx = 0; kx < w; kx++) {
        const ph = -2 * Math.PI * ((kx * 2) / w + (ky * 1) / h);
        const [c, s] = [Math.cos(ph), Math.sin(ph)];
        const o = 2 * (ky * w + kx);
        const [re, im] = [buf[o], buf[o + 1]];
        buf[o] = re * c - im * s;
        buf[o + 1] = re * s + im * c;
      }
    }
    f.inverse(buf);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = 2 * (((y - 1 + h) % h) * w + ((x - 2 + w) % w));
        expect(buf[2 * (y * w + x)]).toBeCloseTo(orig[src], 12);
      }
    }
  });

  it('paced transforms give the same numbers as the synchronous ones', async () => {
    const f = new Fft2(64, 512);
    const a = randomField(64 * 512, 3);
    const b = a.slice();
    f.forward(a);
    let calls = 0;
    await f.forwardPaced(b, async () => {
      calls++;
    });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(calls).toBeGreaterThan(0);
  });

  it('accepts only powers of two, and arrays of the right length', () => {
    expect(isPowerOfTwo(1024)).toBe(true);
    expect(isPowerOfTwo(96)).toBe(false);
    expect(nextPowerOfTwo(513)).toBe(1024);
    expect(() => new Fft2(96, 64)).toThrow(/power of two/);
    expect(() => new Fft2(64, 64).forward(new Float64Array(10))).toThrow(/needs 4096/);
  });
});
