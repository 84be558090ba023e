/**
 * @file The contract's ROI (a rectangle, or a region of include and exclusion polygons; see Note: ROI
 * shapes, in src/shared/contract.ts) as the trackers take it: a rectangle stays a rectangle (its grid
 * starts at its corner), a region becomes the full-size mask every tracker already honours. Both `track`
 * and `xpci` jobs convert here, so a region runs every method the same way.
 */
import { ROI_MAX_TOTAL_VERTICES, roiTooManyVertices, roiVertexCount } from '../../shared/contract';
import { countSelected, rasteriseRegion, type RoiRegionLike } from '../../shared/roi-raster';
import { LabError } from '../errors';
import type { Roi } from './types';

/** The ROI as a job's parameters carry it (and result.json records it). */
export type RoiSpec = { kind?: 'rect'; x: number; y: number; width: number; height: number } | ({ kind: 'region' } & RoiRegionLike);

/**
 * The tracker ROI for a width × height image; throws a readable error when a region selects no pixel, or
 * has more vertices than the contract allows. That limit is what bounds the rasteriser here, which runs
 * synchronously (no cancellation point inside): ROI_MAX_TOTAL_VERTICES edges, each crossing at most every
 * row, cost about a second on an 8192 × 8192 image at worst (every edge spanning every row), milliseconds
 * for an ordinary outline; see bench/roi-raster.ts.
 */
export function trackerRoi(roi: RoiSpec | undefined, width: number, height: number): Roi | undefined {
  if (!roi) return undefined;
  if (roi.kind !== 'region') return { kind: 'rect', x: roi.x, y: roi.y, width: roi.width, height: roi.height };
  // the schema refuses it already; checked again for callers that build parameters themselves
  const n = roiVertexCount(roi);
  if (n > ROI_MAX_TOTAL_VERTICES) throw new LabError('E_INVALID_INPUT', `${roiTooManyVertices(n)}.`.replace(/^t/, 'T'));
  const mask = rasteriseRegion(roi, width, height);
  if (countSelected(mask) === 0) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The ROI selects no pixel of the ${width}×${height} image: its polygons lie outside the image, or the exclusions cover all of it. ` +
        'Draw the region over the image (a pixel counts when its centre is inside).',
    );
  }
  return { kind: 'mask', mask };
}
