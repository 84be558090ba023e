import { describe, expect, it } from 'vitest';
import { downsample2x } from './downsample';
import { PyramidBuilder } from './pyramid';

function ramp(w: number, h: number): Float32Array {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = 3 * x - 2 * y + ((x * y) % 7);
  return a;
}

describe('pyramid builder', () => {
  it('builds every level as the 2× box mean of the one below', () => {
    const src = ramp(301, 97);
    const b = new PyramidBuilder(src, { width: 301, height: 97 }, 8);
    b.work(Infinity);
    expect(b.done).toBe(true);
    expect(b.levels.length).toBe(b.sizes.length);
    expect(b.sizes.length).toBe(7); // 301 → 151 → 76 → 38 → 19 → 10 → 5
    expect(b.levels[0]).toBe(src);
    for (let k = 1; k < b.levels.length; k++) {
      const below = b.sizes[k - 1];
      expect(b.levels[k]).toEqual(downsample2x(b.levels[k - 1], below.width, below.height));
      expect(b.levels[k].length).toBe(b.sizes[k].width * b.sizes[k].height);
    }
  });

  it('stops at the deadline and resumes where it left off, with the same result', () => {
    const size = { width: 200, height: 300 };
    const src = ramp(size.width, size.height);
    const sliced = new PyramidBuilder(src, size, 8);
    let clock = 0;
    let slices = 0;
    // a clock that passes the deadline at every look: the smallest possible slices
    while (!sliced.done && slices < 10_000) {
      sliced.work(clock + 1, () => ++clock);
      slices++;
    }
    expect(sliced.done).toBe(true);
    expect(slices).toBeGreaterThan(sliced.sizes.length); // really was cut into many slices
    const whole = new PyramidBuilder(src, size, 8);
    whole.work(Infinity);
    for (let k = 0; k < whole.levels.length; k++) expect(sliced.levels[k]).toEqual(whole.levels[k]);
  });

  it('reports the levels completed by each slice, finer levels first', () => {
    const b = new PyramidBuilder(ramp(64, 64), { width: 64, height: 64 }, 16);
    expect(b.levels.length).toBe(1);
    expect(b.work(Infinity)).toBe(2);
    expect(b.work(Infinity)).toBe(0);
  });

  it('refuses values that do not match the size', () => {
    expect(() => new PyramidBuilder(new Float32Array(10), { width: 4, height: 3 })).toThrow(/10 values.*4×3/);
  });
});
