/**
 * MATLAB-compatible bicubic imresize against test/fixtures/sr/bicubic-reference.json, written by an
 * independent numpy implementation of imresize.m's definition (cross-checked there against PIL inside the
 * border):  /usr/bin/python3 training/fixtures/make_bicubic_reference.py
 * And the bicubic kernel of synth/kernels.ts: blur + [0::s] decimation equals imresize(x, 1/s) inside.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bicubicKernel } from '../../synth/kernels';
import { imresizeBicubic } from './bicubic';
import { degrade } from './data-step';

interface Case { width: number; height: number; scale: number; input: number[]; outWidth: number; outHeight: number; output: number[] }
const REF = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sr', 'bicubic-reference.json'), 'utf8')) as { cases: Case[] };

describe('imresizeBicubic (MATLAB imresize, bicubic)', () => {
  for (const c of REF.cases) {
    it(`${c.width}×${c.height} × ${c.scale.toFixed(3)} → ${c.outWidth}×${c.outHeight} matches the numpy reference`, () => {
      const out = imresizeBicubic(c.input, c.width, c.height, c.scale);
      expect([out.width, out.height]).toEqual([c.outWidth, c.outHeight]);
      let worst = 0;
      for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i] - c.output[i]));
      expect(worst).toBeLessThan(1e-9);
    });
  }

  it('keeps a constant image constant (weights sum to 1, borders included)', () => {
    const out = imresizeBicubic(new Float64Array(35).fill(7), 7, 5, 3);
    for (const v of out.data) expect(v).toBeCloseTo(7, 12);
  });

  it('the bicubic blur kernel + decimation equals imresize(x, 1/s) away from the border', () => {
    const w = 48, h = 36;
    const x = Float64Array.from({ length: w * h }, (_, i) => Math.sin(i * 0.37) * 50 + ((i * 7919) % 13));
    for (const s of [2, 3, 4]) {
      const a = degrade(x, w, h, bicubicKernel(s), s);
      const b = imresizeBicubic(x, w, h, 1 / s);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      const m = Math.ceil(8 / s) + 1;
      let worst = 0;
      for (let r = m; r < a.height - m; r++) for (let c = m; c < a.width - m; c++) worst = Math.max(worst, Math.abs(a.data[r * a.width + c] - b.data[r * b.width + c]));
      expect(worst).toBeLessThan(1e-9);
    }
  });
});
