/**
 * @file Accuracy grouped by the true displacement: the classic sub-pixel test, where a pattern is shifted
 * rigidly by a series of known amounts (0, 0.1, ..., 1 px) and the bias and RMSE are plotted against the
 * shift. The bias of an interpolation-based tracker is periodic in the sub-pixel part of the shift with a
 * period of 1 px (the "S-curve" of Schreier, Braasch & Sutton, Opt. Eng. 39 (2000) 2915, doi:10.1117/1.1314593),
 * and the RMSE against shift shows where noise dominates. Experiments with the same true shift (repeated
 * noise realisations, several image pairs) are pooled into one row.
 */
import { LabError } from '../errors';
import { fieldErrors, type FieldErrors } from './field-errors';
import type { FieldArray } from './sums';

/** One rigid-shift experiment: the true constant shift and the measured field. */
export interface ShiftExperiment {
  /** the true displacement, px (I_def(x + u) = I_ref(x)) */
  shift: { u: number; v: number };
  measuredU: FieldArray;
  measuredV: FieldArray;
  /** optional region of interest, one byte per point, non-zero = include */
  mask?: Uint8Array;
  /** optional label for messages (e.g. the file name) */
  label?: string;
}

/** One row of the table: statistics of all experiments sharing one true shift. */
export interface ShiftStatsRow {
  shiftU: number;
  shiftV: number;
  /** experiments pooled into this row */
  experiments: number;
  n: number;
  nValid: number;
  nMissing: number;
  biasU: number;
  biasV: number;
  rmseU: number;
  rmseV: number;
  stdU: number;
  stdV: number;
  epeMean: number;
  epeMax: number;
}

export interface PerDisplacementOptions {
  /** shifts closer than this (px) form one group; default 1e-6 */
  tolerance?: number;
}

/**
 * Bias/RMSE per true shift, rows sorted by shift (u, then v). Pooling concatenates the points of every
 * experiment in a group, so each point weighs the same whatever its experiment's size.
 *
 * @throws LabError E_INVALID_INPUT for a non-finite shift or an empty list; E_SIZE_MISMATCH (naming the
 *   experiment) when an experiment's u, v and mask lengths differ
 */
export function perDisplacementStats(experiments: ShiftExperiment[], opts: PerDisplacementOptions = {}): ShiftStatsRow[] {
  if (experiments.length === 0) throw new LabError('E_INVALID_INPUT', 'perDisplacementStats: the list of experiments is empty.');
  const tol = opts.tolerance ?? 1e-6;
  const groups: { u: number; v: number; members: ShiftExperiment[] }[] = [];
  experiments.forEach((e, i) => {
    const { u, v } = e.shift;
    if (!Number.isFinite(u) || !Number.isFinite(v)) {
      throw new LabError('E_INVALID_INPUT', `perDisplacementStats: experiment ${e.label ?? i} has a non-finite true shift (${u}, ${v}).`);
    }
    const g = groups.find((g) => Math.abs(g.u - u) <= tol && Math.abs(g.v - v) <= tol);
    if (g) g.members.push(e);
    else groups.push({ u, v, members: [e] });
  });
  groups.sort((a, b) => a.u - b.u || a.v - b.v);
  return groups.map((g) => row(g.u, g.v, g.members));
}

function row(shiftU: number, shiftV: number, members: ShiftExperiment[]): ShiftStatsRow {
  // Concatenate the members' points (only those inside their masks) and compare with the constant shift.
  let total = 0;
  for (const [i, e] of members.entries()) {
    if (e.measuredU.length !== e.measuredV.length || (e.mask && e.mask.length !== e.measuredU.length)) {
      throw new LabError(
        'E_SIZE_MISMATCH',
        `perDisplacementStats: experiment ${e.label ?? i} has u, v${e.mask ? ' and mask' : ''} of different lengths ` +
          `(${e.measuredU.length}, ${e.measuredV.length}${e.mask ? `, ${e.mask.length}` : ''}).`,
      );
    }
    total += e.mask ? e.mask.reduce((s, m) => s + (m !== 0 ? 1 : 0), 0) : e.measuredU.length;
  }
  const u = new Float64Array(total);
  const v = new Float64Array(total);
  let k = 0;
  for (const e of members) {
    for (let i = 0; i < e.measuredU.length; i++) {
      if (e.mask && e.mask[i] === 0) continue;
      u[k] = e.measuredU[i];
      v[k++] = e.measuredV[i];
    }
  }
  const err: FieldErrors = fieldErrors({ u, v }, { u: new Float64Array(total).fill(shiftU), v: new Float64Array(total).fill(shiftV) });
  return {
    shiftU,
    shiftV,
    experiments: members.length,
    n: err.n,
    nValid: err.nValid,
    nMissing: err.nMissing,
    biasU: err.bias.u,
    biasV: err.bias.v,
    rmseU: err.rmse.u,
    rmseV: err.rmse.v,
    stdU: err.std.u,
    stdV: err.std.v,
    epeMean: err.epe.mean,
    epeMax: err.epe.max,
  };
}
