/**
 * @file Summary statistics of a map over its finite values (NaN = not measured is skipped, not counted as 0).
 */
export interface FieldSummary {
  valid: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarise(values: Float32Array): FieldSummary {
  let n = 0, sum = 0, sum2 = 0, min = Infinity, max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sum2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : Number.NaN;
  const variance = n > 1 ? Math.max(0, (sum2 - n * mean * mean) / (n - 1)) : Number.NaN;
  return { valid: n, mean, std: Math.sqrt(variance), min: n ? min : Number.NaN, max: n ? max : Number.NaN };
}
