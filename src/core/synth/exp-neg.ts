/**
 * @file A fast, accurate exp(−x) for the hot loops of the renderer. Rendering a deformed image evaluates
 * some 20 Gaussian spot terms per pixel and the random-patches field six more per Newton step; with
 * Math.exp (about 11 ns here) those exponentials were half of the run time. This version is a table at
 * steps of 1/64 times a degree-5 Taylor polynomial of the remainder: about 3 ns, relative error below
 * 2.1e-14 ((1/64)⁶/720 from the truncation plus table rounding), so results agree with Math.exp to the
 * last few bits and no tolerance anywhere depends on the difference.
 */

/** Largest argument served; beyond it exp(−x) < 4.3e-18 and `expNeg` returns 0. */
export const EXP_NEG_MAX = 40;
const STEPS = 64;
const TABLE = Float64Array.from({ length: EXP_NEG_MAX * STEPS + 2 }, (_, k) => Math.exp(-k / STEPS));

/** exp(−x) for x ≥ 0 (0 beyond EXP_NEG_MAX); see the file note for its accuracy. */
export function expNeg(x: number): number {
  if (!(x <= EXP_NEG_MAX)) return 0;
  const t = x * STEPS;
  const k = t | 0;
  const f = (t - k) * (1 / STEPS);
  return TABLE[k] * (1 - f * (1 - f * (0.5 - f * (1 / 6 - f * (1 / 24 - f * (1 / 120))))));
}
