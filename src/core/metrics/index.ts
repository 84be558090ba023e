/**
 * @file Public face of metrics: accuracy of displacement fields against a known truth. Point-wise errors
 * (bias, RMSE, MAE, std, end-point error), per-shift tables for rigid-shift series, the spatial resolution
 * and noise on the DIC Challenge 2.0 Star field, the transfer of a single-period sine, profile comparisons
 * for Sample 14, the box-subset transfer sinc(N/p) to compare with, and aligned text tables. Everything is
 * a pure function over typed arrays (NaN = not measured, excluded and counted) except `parseTruthCsv`,
 * which reads a file. Conventions: "Note: Tracking convention" (src/core/track/types.ts); precision:
 * "Note: Metric precision" (sums.ts). Restoration quality (PSNR, SSIM, no-reference sharpness) is in
 * image-quality.ts ("Note: Image quality conventions").
 */
export { fieldErrors, constantField, type VectorField, type FieldErrors, type FieldErrorOptions, type PerComponent } from './field-errors';
export { perDisplacementStats, type ShiftExperiment, type ShiftStatsRow, type PerDisplacementOptions } from './per-displacement';
export {
  STAR,
  starPeriod,
  starTruth,
  starAmplitudeProfile,
  spatialResolution,
  type StarProfile,
  type StarBin,
  type StarProfileOptions,
  type SpatialResolution,
  type SpatialResolutionOptions,
} from './star';
export { sineAmplitudeRatio, type SineRatio, type SineRatioOptions } from './sine';
export { columnMedian, profileErrors, type ProfileErrors, type ProfileStats, type ProfileBin, type ProfileErrorOptions } from './profile';
export { parseTruthCsv, parseTruthCsvText, TRUTH_COLUMNS, type Sample14Truth, type TruthLevel } from './truth-csv';
export { sinc, subsetTransferFunction, periodAtTransfer } from './transfer';
export { HarmonicAccumulator, type HarmonicFit } from './harmonic-fit';
export { formatTable, formatNumber, type Cell, type TableOptions } from './table';
export { CompensatedSum, quantileSorted, finiteMedian, type FieldArray } from './sums';
export { psnr, ssim, mse, sharpness, type QualityOptions, type Sharpness } from './image-quality';
