/**
 * @file The measurement grid: which pixels a tracker measures (ROI, step, border margin), how the grid is
 * cut into tiles for parallel work, and how grid values become full-size maps again.
 */
import { LabError } from '../errors';
import type { GridSpec, Roi, Tile } from './types';

export interface Grid {
  spec: GridSpec;
  /** nx*ny, 1 where the point lies inside the ROI */
  active: Uint8Array;
}

/** Full-size ROI mask (1 = inside), or null for "whole image". Validates the ROI against the image. */
export function roiMask(roi: Roi | undefined, width: number, height: number): Uint8Array | null {
  if (!roi) return null;
  if (roi.kind === 'mask') {
    if (roi.mask.length !== width * height) {
      throw new LabError('E_SIZE_MISMATCH', `The ROI mask has ${roi.mask.length} pixels but the image has ${width}×${height}.`);
    }
    return roi.mask;
  }
  const { x, y, width: w, height: h } = roi;
  if (![x, y, w, h].every(Number.isInteger) || w < 1 || h < 1 || x < 0 || y < 0 || x + w > width || y + h > height) {
    throw new LabError(
      'E_INVALID_INPUT',
      `The ROI ${x},${y},${w},${h} (x,y,width,height) does not lie inside the ${width}×${height} image.`,
    );
  }
  const mask = new Uint8Array(width * height);
  for (let r = y; r < y + h; r++) mask.fill(1, r * width + x, r * width + x + w);
  return mask;
}

/**
 * Grid points every `step` px, at least `margin` px from every border, restricted to the ROI's bounding
 * box. For a rectangle ROI the grid starts at its corner, so results line up with what the user drew.
 */
export function buildGrid(width: number, height: number, step: number, margin: number, roi?: Roi): Grid {
  if (!Number.isInteger(step) || step < 1) throw new LabError('E_INVALID_INPUT', `The grid step must be a whole number ≥ 1 (got ${step}).`);
  const mask = roiMask(roi, width, height);
  let bx0 = 0, by0 = 0, bx1 = width - 1, by1 = height - 1;
  if (roi?.kind === 'rect') {
    [bx0, by0, bx1, by1] = [roi.x, roi.y, roi.x + roi.width - 1, roi.y + roi.height - 1];
  }
  const firstOnGrid = (lo: number, origin: number) => origin + Math.ceil(Math.max(0, lo - origin) / step) * step;
  const x0 = firstOnGrid(Math.max(bx0, margin), bx0);
  const y0 = firstOnGrid(Math.max(by0, margin), by0);
  const xEnd = Math.min(bx1, width - 1 - margin);
  const yEnd = Math.min(by1, height - 1 - margin);
  const nx = xEnd >= x0 ? Math.floor((xEnd - x0) / step) + 1 : 0;
  const ny = yEnd >= y0 ? Math.floor((yEnd - y0) / step) + 1 : 0;
  if (nx === 0 || ny === 0) {
    throw new LabError(
      'E_INVALID_INPUT',
      `No point can be measured: the window needs ${margin} px from every border, which leaves nothing of the ` +
        `${width}×${height} image${roi ? ' inside the ROI' : ''}. Use a smaller window or search range, or a larger ROI.`,
    );
  }
  const active = new Uint8Array(nx * ny);
  let any = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * step, y = y0 + j * step;
      any |= active[j * nx + i] = mask ? mask[y * width + x] : 1;
    }
  }
  // A mask can select pixels that no grid point lands on (a thin region, a coarse step, or only the border).
  if (!any) {
    throw new LabError(
      'E_INVALID_INPUT',
      `No point can be measured: no grid point (every ${step} px, at least ${margin} px from the border) lies inside the ROI. ` +
        'Use a smaller step, a smaller window or search range, or a larger region.',
    );
  }
  return { spec: { x0, y0, step, nx, ny }, active };
}

/**
 * Horizontal bands of about `targetPoints` grid points each: enough tiles to balance threads and report
 * progress. At least `minRows` rows per band, because window methods re-read a window's height of image
 * rows at each band edge: thin bands on wide dense grids would repeat most of the work.
 */
export function splitTiles(spec: GridSpec, targetPoints = 4096, minRows = 16): Tile[] {
  const rows = Math.max(1, Math.min(spec.ny, Math.max(minRows, Math.round(targetPoints / spec.nx))));
  const tiles: Tile[] = [];
  for (let j0 = 0; j0 < spec.ny; j0 += rows) tiles.push({ i0: 0, j0, ni: spec.nx, nj: Math.min(rows, spec.ny - j0) });
  return tiles;
}

/**
 * Grid values back to full image size. Inside each grid cell: bilinear when its four corners are valid,
 * otherwise the nearest corner's value (which may be NaN), so invalid points never get invented values.
 * Pixels outside the grid's extent, and outside the ROI mask, are NaN.
 */
export function gridToFull(values: Float32Array, spec: GridSpec, width: number, height: number, mask: Uint8Array | null): Float32Array {
  const out = new Float32Array(width * height).fill(Number.NaN);
  const { x0, y0, step, nx, ny } = spec;
  const xLast = x0 + (nx - 1) * step, yLast = y0 + (ny - 1) * step;
  for (let y = y0; y <= yLast; y++) {
    const gy = (y - y0) / step;
    const j = Math.min(Math.floor(gy), ny - 2 < 0 ? 0 : ny - 2);
    const fy = ny > 1 ? gy - j : 0;
    for (let x = x0; x <= xLast; x++) {
      const p = y * width + x;
      if (mask && !mask[p]) continue;
      const gx = (x - x0) / step;
      const i = Math.min(Math.floor(gx), nx - 2 < 0 ? 0 : nx - 2);
      const fx = nx > 1 ? gx - i : 0;
      const i1 = Math.min(i + 1, nx - 1), j1 = Math.min(j + 1, ny - 1);
      const a = values[j * nx + i], b = values[j * nx + i1], c = values[j1 * nx + i], d = values[j1 * nx + i1];
      if (a === a && b === b && c === c && d === d) {
        out[p] = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
      } else {
        out[p] = values[(fy < 0.5 ? j : j1) * nx + (fx < 0.5 ? i : i1)];
      }
    }
  }
  return out;
}
