/**
 * @file What the browser side of the display benchmark (bench/display-page.mts) reports to the Node side
 * (bench/display.ts). No DOM types here: both sides import it.
 */

export interface PathResult {
  path: string;
  firstPictureMs: number;
  /** longest stretch the main thread was busy from creation to first picture (how long the UI froze) */
  firstPictureLongestBlockMs: number;
  contrastFitMs: number;
  contrastOneToOneMs: number;
  panFit: { median: number; p95: number };
  panOneToOne: { median: number; p95: number };
  memoryMiB: number;
}

/** The page API bench/display-page.mts puts on globalThis.displayBench. */
export interface DisplayBenchApi {
  setup(n: number, viewport: { width: number; height: number }): void;
  measure(kind: 'full' | 'tiled', frames: number): Promise<PathResult>;
  openInApp(): Promise<{ pixelsMs: number; firstPictureMs: number; allLevelsMs: number }>;
}
