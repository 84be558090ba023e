/**
 * @file The float mip pyramid of a display image, built in slices of bounded time so that a large image
 * (8k² takes a few hundred ms) never blocks the UI for long. The levels hold native values (box means, see
 * lib/downsample.ts), not display bytes: a contrast or colour-map change then re-maps only the tiles on
 * screen instead of downsampling again.
 */
import type { Size } from '../composables/useViewport';
import { downsampleRows } from './downsample';
import { pyramidSizes, SMALLEST_LEVEL_SIDE } from './tiles';

/** Output rows done between two looks at the clock. */
const ROWS_PER_CHECK = 16;

export class PyramidBuilder {
  readonly sizes: Size[];
  /** levels[k] holds level k once it is complete (levels[0] is the source itself) */
  readonly levels: Float32Array[];
  private next: Float32Array | null = null;
  private row = 0;

  constructor(source: Float32Array, size: Size, smallest = SMALLEST_LEVEL_SIDE) {
    if (source.length !== size.width * size.height) {
      throw new RangeError(`The pyramid's source holds ${source.length} values but ${size.width}×${size.height} needs ${size.width * size.height}.`);
    }
    this.sizes = pyramidSizes(size, smallest);
    this.levels = [source];
  }

  /** True when every level is built. */
  get done(): boolean {
    return this.levels.length === this.sizes.length;
  }

  /**
   * Builds until every level is done or `now()` passes `deadline` (checked every few rows, so a slice may
   * overrun by one such band). Returns the number of levels completed in this slice.
   */
  work(deadline: number, now: () => number = () => performance.now()): number {
    let completed = 0;
    while (!this.done) {
      const k = this.levels.length;
      const src = this.sizes[k - 1];
      const dstSize = this.sizes[k];
      if (!this.next) {
        this.next = new Float32Array(dstSize.width * dstSize.height);
        this.row = 0;
      }
      const end = Math.min(dstSize.height, this.row + ROWS_PER_CHECK);
      downsampleRows(this.levels[k - 1], src.width, src.height, this.next, this.row, end);
      this.row = end;
      if (end === dstSize.height) {
        this.levels.push(this.next);
        this.next = null;
        completed++;
      }
      if (now() >= deadline) break;
    }
    return completed;
  }
}
