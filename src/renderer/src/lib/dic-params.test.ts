import { describe, expect, it } from 'vitest';

// Test only: the estimate must agree with the core's own grid rule. The path is a variable so that the
// renderer's type check (tsconfig.web.json, no Node types) does not follow it into the core.
const CORE_GRID = '../../../core/track/grid';
type BuildGrid = (w: number, h: number, step: number, margin: number, roi?: unknown) => { spec: { nx: number; ny: number } };
const { buildGrid } = (await import(/* @vite-ignore */ CORE_GRID)) as { buildGrid: BuildGrid };
import { defaultCommonForm, defaultMethodForm, gridEstimate, METHODS, newTaskId, toTrackParams, validateParams } from './dic-params';

const img = { width: 192, height: 160 };

describe('method defaults', () => {
  it('match the core defaults and the panel text', () => {
    expect(defaultMethodForm('icgn')).toEqual({ window: '21', search: '32' });
    expect(defaultMethodForm('zncc')).toEqual({ window: '21', search: '8' });
    expect(defaultMethodForm('umpa')).toEqual({ window: '11', search: '5' });
    expect(defaultCommonForm()).toEqual({ step: '4', strainWindow: '' });
    expect(METHODS.icgn.summary).toMatch(/sub-0\.01 px/);
  });
});

describe('validateParams', () => {
  const ok = (method: 'icgn' | 'zncc' | 'umpa', w: string, s: string, step = '4', strain = '') =>
    validateParams(method, { window: w, search: s }, { step, strainWindow: strain }, img);

  it('accepts the defaults and parses the numbers', () => {
    expect(ok('icgn', '21', '32')).toEqual({ errors: {}, notes: {}, values: { window: 21, search: 32, step: 4, strainWindow: null } });
  });
  it('wants an odd window and says which odd sizes are near', () => {
    expect(ok('icgn', '20', '32').errors.window).toBe('The subset size must be odd so it has a centre pixel: use 19 or 21.');
    expect(ok('zncc', '21.5', '8').errors.window).toMatch(/whole number/);
    expect(ok('icgn', '3', '8').errors.window).toMatch(/at least 5 px/);
    expect(ok('icgn', '', '8').errors.window).toMatch(/Enter the subset size/);
  });
  it('checks search, step and strain window', () => {
    expect(ok('zncc', '21', '0').errors.search).toMatch(/at least 1/);
    expect(ok('icgn', '21', '32', '0').errors.step).toMatch(/from 1 to 1000/);
    expect(ok('icgn', '21', '32', '4', '14').errors.strainWindow).toMatch(/odd/);
    expect(ok('icgn', '21', '32', '4', '15').values?.strainWindow).toBe(15);
    expect(ok('icgn', '21', '32', '8', '9').notes.strainWindow).toMatch(/17 px/);
  });
  it('checks that the window fits the image, as the core will', () => {
    expect(ok('icgn', '161', '8').errors.window).toMatch(/use at most 155 px/);
    expect(ok('zncc', '101', '30').errors.search).toMatch(/needs 161 px/);
    expect(ok('zncc', '101', '29').errors).toEqual({});
  });
});

describe('gridEstimate', () => {
  it('follows the core grid: ROI corner origin, margin from the borders', () => {
    const v = { window: 21, search: 32, step: 4, strainWindow: null };
    // IC-GN margin 12 px; ROI 40…149 × 30…129 lies inside it
    expect(gridEstimate('icgn', v, img, { x: 40, y: 30, width: 110, height: 100 })).toEqual({ nx: 28, ny: 25, points: 700, margin: 12 });
    // whole image: x from 12 to 179 → 42 points; y from 12 to 147 → 34
    expect(gridEstimate('icgn', v, img, null)).toMatchObject({ nx: 42, ny: 34 });
    expect(gridEstimate('zncc', { ...v, search: 100 }, img, null).points).toBe(0);
  });
  it('agrees with the core buildGrid', () => {
    const rois = [null, { x: 0, y: 0, width: 50, height: 50 }, { x: 37, y: 11, width: 101, height: 77 }, { x: 150, y: 120, width: 42, height: 40 }];
    for (const method of ['icgn', 'zncc', 'umpa'] as const) {
      for (const step of [1, 3, 4, 7]) {
        for (const roi of rois) {
          const v = { window: 15, search: 6, step, strainWindow: null };
          const e = gridEstimate(method, v, img, roi);
          const core = buildGrid(img.width, img.height, step, e.margin, roi ? { kind: 'rect', ...roi } : undefined).spec;
          expect([e.nx, e.ny]).toEqual([core.nx, core.ny]);
        }
      }
    }
  });
});

describe('toTrackParams', () => {
  it('names the window option as the core does and adds ROI and strain only when set', () => {
    const v = { window: 21, search: 32, step: 4, strainWindow: null };
    expect(toTrackParams('icgn', v, '/r.tif', '/d.tif', null)).toEqual({ refPath: '/r.tif', defPath: '/d.tif', method: 'icgn', options: { subset: 21, search: 32 }, step: 4 });
    const p = toTrackParams('zncc', { ...v, strainWindow: 15 }, '/r.tif', '/d.tif', { x: 1, y: 2, width: 3, height: 4 });
    expect(p.options).toEqual({ window: 21, search: 32 });
    expect(p.roi).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    expect(p.strainWindow).toBe(15);
  });
  it('makes task ids the contract accepts', () => {
    const id = newTaskId(1_700_000_000_000, 0.5);
    expect(id).toMatch(/^dic-[0-9a-z]+-[0-9a-z]{6}$/);
    expect(id.length).toBeLessThanOrEqual(64);
  });
});
