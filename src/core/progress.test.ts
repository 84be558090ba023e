import { describe, expect, it } from 'vitest';
import { makeProgress } from './progress';

describe('makeProgress', () => {
  it('maps nested sub-ranges onto the parent range', () => {
    const seen: number[] = [];
    const p = makeProgress((f) => seen.push(f));
    p.sub(0.5, 1).sub(0, 0.5).report(0.5);
    expect(seen).toEqual([0.625]);
  });
  it('clamps out-of-range and NaN fractions', () => {
    const seen: number[] = [];
    const p = makeProgress((f) => seen.push(f));
    p.report(2);
    p.report(Number.NaN);
    expect(seen).toEqual([1, 0]);
  });
});
