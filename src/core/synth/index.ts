/**
 * @file Public surface of `synth/`: synthetic speckle pairs with known displacement (the ground truth of
 * every accuracy figure), their specs, the seeded random numbers and the speckle-size measurement.
 * Conventions: I_def(x + u(x)) = I_ref(x), x = column, y = row, px; ground truth on the reference grid
 * (Note: Ground-truth grid in fields.ts); grey levels on a 0–255 scale, float32 (Note: Speckle model in
 * speckle.ts).
 */
export {
  type NoiseSpec,
  type FieldSpec,
  parseNoiseSpec,
  parseFieldSpec,
  validateNoiseSpec,
  validateFieldSpec,
  noiseSpecText,
  fieldSpecText,
} from './specs';
export { type SimulatePairOptions, type SimulatedPair, simulatePair } from './simulate-pair';
export { type Rng, mulberry32, gaussian, poisson, hashSeed } from './rng';
export { type SpeckleSizeMeasurement, measureSpeckleSize } from './speckle-size';
export { type DisplacementField, makeField, invertPoint, groundTruth } from './fields';
// The analytic pattern itself, for tests elsewhere that want exact samples at arbitrary positions.
export { type SpeckleModel, SPECKLE_SIZE_MIN, SPECKLE_SIZE_MAX, FULL_SCALE, makeSpeckleModel, greyAt } from './speckle';
