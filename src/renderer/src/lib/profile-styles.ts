/**
 * @file How each run's line is drawn in the X-ray profile chart, so that runs which agree (two methods giving
 * the same profile) stay distinguishable: besides its colour every run has its own dash pattern and marker
 * symbol, and its markers sit at points shifted from the other runs' markers, so a line hidden under
 * another still shows its symbols. The newest run is solid and boldest; the ground truth keeps its own
 * dashed style (ProfileChart.vue).
 */

/** Line dashes, newest run first: solid, long dash, dots, dash-dot, short dash, dash-dot-dot. */
export const RUN_DASHES: readonly ('solid' | readonly number[])[] = ['solid', [10, 4], [2, 3], [9, 3, 2, 3], [5, 4], [10, 3, 2, 3, 2, 3]];
/** ECharts marker symbols, newest run first. */
export const RUN_SYMBOLS: readonly string[] = ['circle', 'rect', 'triangle', 'diamond', 'pin', 'emptyCircle'];

export interface RunStyle {
  dash: 'solid' | number[];
  symbol: string;
  width: number;
  opacity: number;
  /** a marker every `every` samples … */
  every: number;
  /** … starting at this sample, different for each run */
  offset: number;
}

/** Markers per line: enough to tell the runs apart, few enough not to hide the line. */
const MARKERS = 12;

/**
 * The style of each of `count` measured runs (oldest first, as the chart lists them), for lines of `points`
 * samples. Styles are given from the newest backwards, so the newest run is always the solid, bold one.
 */
export function runStyles(count: number, points: number): RunStyle[] {
  const every = Math.max(1, Math.round(points / MARKERS));
  return Array.from({ length: count }, (_, i) => {
    const j = count - 1 - i; // 0 = newest
    const dash = RUN_DASHES[j % RUN_DASHES.length];
    return {
      dash: dash === 'solid' ? 'solid' : [...dash],
      symbol: RUN_SYMBOLS[j % RUN_SYMBOLS.length],
      width: j === 0 ? 2.5 : 1.6,
      opacity: j === 0 ? 1 : 0.85,
      every,
      offset: count > 1 ? Math.floor((j * every) / count) : 0,
    };
  });
}

/** Whether sample `index` of a line in `style` carries a marker. */
export function hasMarker(style: RunStyle, index: number): boolean {
  return index >= style.offset && (index - style.offset) % style.every === 0;
}

/** A short name of a style for test hooks: `solid/circle`, `10-4/rect`. */
export function styleKey(style: RunStyle): string {
  return `${style.dash === 'solid' ? 'solid' : style.dash.join('-')}/${style.symbol}`;
}
