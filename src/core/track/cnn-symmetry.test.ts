/**
 * The dihedral orientations of symmetry averaging (cnn-symmetry.ts): each is undone by another, images
 * are sampled where the transform says, and a field measured in any orientation comes back as the
 * original field (a constant shift s is seen as Mᵀs in orientation M).
 */
import { describe, expect, it } from 'vitest';
import { accumulateField, DIHEDRAL, transformedSize, transformImage } from './cnn-symmetry';

const W = 5, H = 3; // non-square, so a transpose that forgot to swap the sizes cannot pass
const ramp = Float32Array.from({ length: W * H }, (_, i) => (i % W) + 100 * Math.floor(i / W));

describe('dihedral orientations', () => {
  it('are 8 distinct signed permutations, each undone by the one with the transposed matrix', () => {
    const seen = new Set(DIHEDRAL.map((t) => `${t.a},${t.b},${t.c},${t.d}`));
    expect(seen.size).toBe(8);
    for (const t of DIHEDRAL) {
      const inv = DIHEDRAL.find((q) => q.a === t.a && q.b === t.c && q.c === t.b && q.d === t.d)!;
      const { w, h } = transformedSize(t, W, H);
      expect(Array.from(transformImage(inv, transformImage(t, ramp, W, H), w, h))).toEqual(Array.from(ramp));
    }
  });

  it('sample the original where old = M·new + offset puts them', () => {
    const flipX = transformImage(DIHEDRAL[1], ramp, W, H);
    expect(flipX[0]).toBe(W - 1); // new (0, 0) is old (W − 1, 0)
    const transposed = transformImage(DIHEDRAL[4], ramp, W, H); // H × W now: new (x', y') is old (y', x')
    expect(transposed[1]).toBe(100); // new (1, 0) is old (0, 1)
    expect(transposed[H]).toBe(1); // new (0, 1) is old (1, 0)
  });

  it('bring a field measured in any orientation back to the original frame', () => {
    const s = [0.3, -0.7];
    const u = new Float32Array(W * H);
    const v = new Float32Array(W * H);
    for (const t of DIHEDRAL) {
      // A constant shift s seen in orientation M is Mᵀs (M is orthogonal).
      const { w, h } = transformedSize(t, W, H);
      const up = new Float32Array(w * h).fill(t.a * s[0] + t.c * s[1]);
      const vp = new Float32Array(w * h).fill(t.b * s[0] + t.d * s[1]);
      accumulateField(t, up, vp, W, H, u, v, 1 / 8);
    }
    for (let i = 0; i < u.length; i++) {
      expect(u[i]).toBeCloseTo(s[0], 6);
      expect(v[i]).toBeCloseTo(s[1], 6);
    }
  });
});
