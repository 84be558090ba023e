import { describe, expect, it } from 'vitest';

// Test only: the estimate must agree with the core's own grid rule. The path is a variable so that the
// renderer's type check (tsconfig.web.json, no Node types) does not follow it into the core.
const CORE_GRID = '../../../core/track/grid';
type BuildGrid = (w: number, h: number, step: number, margin: number, roi?: unknown) => { spec: { nx: number; ny: number } };
const { buildGrid } = (await import(/* @vite-ignore */ CORE_GRID)) as { buildGrid: BuildGrid };
// Likewise the core's CNN defaults and checks, so the panel cannot allow what the core refuses or the reverse.
const CORE_KERNELS = '../../../core/track/kernels';
const CORE_CNN = '../../../core/track/cnn-method';
const CORE_CNN_ICGN = '../../../core/track/cnn-icgn';
const { CNN_DEFAULT_OPTIONS } = (await import(/* @vite-ignore */ CORE_KERNELS)) as { CNN_DEFAULT_OPTIONS: Record<string, Record<string, unknown>> };
const { validateCnnOptions } = (await import(/* @vite-ignore */ CORE_CNN)) as { validateCnnOptions: (m: string, o: Record<string, unknown>) => void };
const { validateIcgnRefinement } = (await import(/* @vite-ignore */ CORE_CNN_ICGN)) as { validateIcgnRefinement(o: Record<string, unknown>, w: number, h: number): void };
import { defaultCommonForm, defaultMethodForm, gridEstimate, METHOD_IDS, methodOptions, METHODS, newTaskId, SYMMETRY_COUNTS, SYMMETRY_LABELS, toTrackParams, trackerModels, validateParams, type MethodForm, type TrackMethod } from './dic-params';

const img = { width: 192, height: 160 };

describe('method defaults', () => {
  it('match the core defaults and the panel text', () => {
    expect(defaultMethodForm('icgn')).toEqual({ window: '21', search: '32', model: '', passes: '', symmetry: '' });
    expect(defaultMethodForm('zncc')).toEqual({ window: '21', search: '8', model: '', passes: '', symmetry: '' });
    expect(defaultMethodForm('umpa')).toEqual({ window: '11', search: '5', model: '', passes: '', symmetry: '' });
    expect(defaultCommonForm()).toEqual({ step: '4', strainWindow: '' });
    expect(METHODS.icgn.summary).toMatch(/sub-0\.01 px/);
  });
});

describe('validateParams', () => {
  const ok = (method: 'icgn' | 'zncc' | 'umpa', w: string, s: string, step = '4', strain = '') =>
    validateParams(method, { window: w, search: s, model: '', passes: '', symmetry: '' }, { step, strainWindow: strain }, img);

  it('accepts the defaults and parses the numbers', () => {
    expect(ok('icgn', '21', '32')).toEqual({ errors: {}, notes: {}, values: { window: 21, search: 32, step: 4, strainWindow: null, model: null, passes: null, symmetry: null } });
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
    const v = { window: 21, search: 32, step: 4, strainWindow: null, model: null, passes: null, symmetry: null };
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
          const v = { window: 15, search: 6, step, strainWindow: null, model: null, passes: null, symmetry: null };
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
    const v = { window: 21, search: 32, step: 4, strainWindow: null, model: null, passes: null, symmetry: null };
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

type CnnMethod = 'cnn-dic' | 'cnn-xst' | 'cnn+icgn';
const CNN: CnnMethod[] = ['cnn-dic', 'cnn-xst', 'cnn+icgn'];
const form = (method: TrackMethod, patch: Partial<MethodForm> = {}): MethodForm => ({ ...defaultMethodForm(method), ...patch });
const common = (step = '4', strainWindow = '') => ({ step, strainWindow });

/** Whether the core accepts these options for `method` on an image of `img`'s size (true, or its message). */
function coreAccepts(method: CnnMethod, options: Record<string, unknown>): true | string {
  const full = { ...CNN_DEFAULT_OPTIONS[method], ...options };
  try {
    validateCnnOptions(method, full);
    if (method === 'cnn+icgn') validateIcgnRefinement(full, img.width, img.height);
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('CNN methods', () => {
  it('the panel offers every method of the core, with the core defaults', () => {
    expect(METHOD_IDS).toEqual(['icgn', 'zncc', 'umpa', 'cnn-dic', 'cnn-xst', 'cnn+icgn']);
    expect(defaultMethodForm('cnn-dic')).toEqual({ window: '15', search: '', model: 'dicnet-s', passes: '3', symmetry: '8' });
    expect(defaultMethodForm('cnn-xst')).toEqual({ window: '15', search: '', model: 'cade-xst-s', passes: '3', symmetry: '8' });
    expect(defaultMethodForm('cnn+icgn')).toEqual({ window: '21', search: '', model: 'dicnet-s', passes: '', symmetry: '' });
    for (const m of CNN) {
      const d = CNN_DEFAULT_OPTIONS[m];
      const f = defaultMethodForm(m);
      expect(f.model).toBe(d.model);
      expect(Number(f.window)).toBe(d[METHODS[m].windowOption]);
      expect(f.passes).toBe(d.passes === undefined ? '' : String(d.passes));
      expect(f.symmetry).toBe(d.symmetry === undefined ? '' : String(d.symmetry));
      expect(METHODS[m].symmetryHelp === null).toBe(d.symmetry === undefined);
    }
    for (const m of ['icgn', 'zncc', 'umpa'] as const) expect(METHODS[m].symmetryHelp).toBeNull();
    // the select offers the counts the core knows, each named
    expect([...SYMMETRY_COUNTS]).toEqual([1, 4, 8]);
    expect(SYMMETRY_COUNTS.map((n) => SYMMETRY_LABELS[String(n)])).toEqual(['1 (off)', '4 (flips)', '8 (all)']);
    expect(METHODS['cnn-xst'].symmetryHelp).toMatch(/8 orientations \(flips, transposes\) on the last pass.*half the noise.*1 = off/);
    // the summaries are honest about accuracy and range
    expect(METHODS['cnn-dic'].summary).toMatch(/±16 px.*3 passes.*0\.045 px/);
    expect(METHODS['cnn-xst'].summary).toMatch(/±1 px.*3 refinement passes.*8 orientations.*RMSE 0\.012 px on the CADE protocol.*ZNCC.*0\.011 px/);
    expect(METHODS['cnn+icgn'].summary).toMatch(/IC-GN/);
  });

  it('has no search radius, and the dense methods no grid step', () => {
    for (const m of CNN) {
      const r = validateParams(m, form(m, { search: 'nonsense' }), common('', ''), img);
      expect(r.errors.search).toBeUndefined();
      // cnn+icgn measures on IC-GN's grid, so it needs the step like IC-GN
      if (METHODS[m].dense) expect(r.values?.step).toBe(1);
      else expect(r.errors.step).toMatch(/Enter the grid step/);
    }
  });

  it('checks passes, quality window and subset with the core’s limits and says how to fix them', () => {
    expect(validateParams('cnn-xst', form('cnn-xst', { passes: '6' }), common(), img).errors.passes).toBe(
      'The number of CNN passes must be a whole number from 1 to 5; each pass after the first refines the field on the warped image.',
    );
    expect(validateParams('cnn-dic', form('cnn-dic', { passes: '' }), common(), img).errors.passes).toMatch(/Enter the number of passes, e.g. 3/);
    expect(validateParams('cnn-xst', form('cnn-xst', { symmetry: '2' }), common(), img).errors.symmetry).toBe(
      'The symmetry averaging 2 must be 1 (off), 4 (flips) or 8 (flips and transposes).',
    );
    expect(coreAccepts('cnn-xst', { symmetry: 2 })).toBe('The symmetry averaging 2 must be 1 (off), 4 (flips) or 8 (flips and transposes).');
    // quality window 0: no quality map, accepted by the form and by the core; for cnn+icgn 0 is a subset, refused
    const off = validateParams('cnn-dic', form('cnn-dic', { window: '0' }), common(), img);
    expect(off.errors.window).toBeUndefined();
    expect(off.notes.window).toMatch(/No quality map/);
    expect(off.values?.window).toBe(0);
    expect(coreAccepts('cnn-dic', { qualityWindow: 0 })).toBe(true);
    expect(validateParams('cnn+icgn', form('cnn+icgn', { window: '0' }), common(), img).errors.window).toMatch(/odd/);
    expect(validateParams('cnn-xst', form('cnn-xst', { symmetry: '' }), common(), img).errors.symmetry).toMatch(/Choose the symmetry averaging, e.g. 8/);
    // cnn+icgn has no symmetry: whatever the form holds is neither checked nor sent
    const seeded = validateParams('cnn+icgn', form('cnn+icgn', { symmetry: 'nonsense' }), common(), img);
    expect(seeded.errors.symmetry).toBeUndefined();
    expect(methodOptions('cnn+icgn', seeded.values!)).not.toHaveProperty('symmetry');
    expect(validateParams('cnn-dic', form('cnn-dic', { window: '16' }), common(), img).errors.window).toBe(
      'The quality window size must be odd so it has a centre pixel: use 15 or 17.',
    );
    expect(validateParams('cnn-xst', form('cnn-xst', { window: '103' }), common(), img).errors.window).toMatch(/at most 101 px/);
    expect(validateParams('cnn+icgn', form('cnn+icgn', { window: '161' }), common(), img).errors.window).toMatch(/use at most 155 px/);
  });

  it('allows exactly what the core accepts', () => {
    const windows = ['1', '2', '3', '4', '5', '15', '100', '101', '103', '155', '157', '201', '203'];
    const passes = ['0', '1', '3', '5', '6'];
    const symmetries = ['0', '1', '2', '3', '4', '5', '8', '16'];
    for (const m of CNN) {
      for (const w of windows) {
        for (const p of METHODS[m].passesHelp === null ? [''] : passes) {
          for (const s of METHODS[m].symmetryHelp === null ? [''] : symmetries) {
            const r = validateParams(m, form(m, { window: w, passes: p, symmetry: s }), common(), img);
            const options = r.values
              ? methodOptions(m, r.values)
              : { [METHODS[m].windowOption]: Number(w), ...(p ? { passes: Number(p) } : {}), ...(s ? { symmetry: Number(s) } : {}) };
            const core = coreAccepts(m, options);
            expect(r.values !== null, `${m} window ${w} passes ${p} symmetry ${s}: UI ${JSON.stringify(r.errors)}, core ${core}`).toBe(core === true);
          }
        }
      }
      expect(coreAccepts(m, toTrackParams(m, validateParams(m, form(m), common(), img).values!, '/r', '/d', null).options ?? {})).toBe(true);
    }
  });

  it('checks the model against the installed tracker models, saying so when there is none', () => {
    const check = (model: string, models: string[] | null) => validateParams('cnn-xst', form('cnn-xst', { model }), common(), img, models).errors.model;
    expect(check('cade-xst-s', ['dicnet-s', 'cade-xst-s'])).toBeUndefined();
    expect(check('cade-xst-s', null)).toBeUndefined();
    expect(check('gone-model', ['dicnet-s', 'cade-xst-s'])).toBe('The model "gone-model" is not installed; choose one of dicnet-s, cade-xst-s.');
    expect(check('cade-xst-s', [])).toMatch(/No displacement model is installed/);
    expect(check('', null)).toMatch(/Choose a model, e.g. cade-xst-s/);
    expect(check('Bad Id', null)).toMatch(/must be a model id from models\/manifest.json/);
    expect(coreAccepts('cnn-xst', { model: 'Bad Id' })).toMatch(/must be a model id from models\/manifest.json/);
    // only displacement models can be trackers
    expect(trackerModels([{ id: 'dicnet-s', task: 'displacement' }, { id: 'midnet-s', task: 'deblur' }, { id: 'cade-xst-s', task: 'displacement' }]).map((m) => m.id)).toEqual([
      'dicnet-s',
      'cade-xst-s',
    ]);
  });

  it('builds each method’s options as the core names them', () => {
    const params = (m: TrackMethod, step = '4') => toTrackParams(m, validateParams(m, form(m), common(step), img).values!, '/r.tif', '/d.tif', null);
    expect(params('cnn-dic')).toEqual({ refPath: '/r.tif', defPath: '/d.tif', method: 'cnn-dic', options: { qualityWindow: 15, model: 'dicnet-s', passes: 3, symmetry: 8 }, step: 1 });
    expect(params('cnn-xst', '8')).toEqual({ refPath: '/r.tif', defPath: '/d.tif', method: 'cnn-xst', options: { qualityWindow: 15, model: 'cade-xst-s', passes: 3, symmetry: 8 }, step: 1 });
    expect(params('cnn+icgn', '6')).toEqual({ refPath: '/r.tif', defPath: '/d.tif', method: 'cnn+icgn', options: { subset: 21, model: 'dicnet-s' }, step: 6 });
    expect(params('icgn').options).toEqual({ subset: 21, search: 32 });
  });

  it('estimates every pixel of the ROI for the dense methods, and the IC-GN grid for cnn+icgn', () => {
    const roi = { x: 40, y: 30, width: 110, height: 100 };
    for (const m of ['cnn-dic', 'cnn-xst'] as const) {
      const v = validateParams(m, form(m), common('4'), img).values!;
      expect(gridEstimate(m, v, img, roi)).toEqual({ nx: 110, ny: 100, points: 11_000, margin: 0 });
      expect(gridEstimate(m, v, img, null).points).toBe(img.width * img.height);
    }
    const v = validateParams('cnn+icgn', form('cnn+icgn'), common('4'), img).values!;
    const icgn = validateParams('icgn', form('icgn'), common('4'), img).values!;
    expect(gridEstimate('cnn+icgn', v, img, roi)).toEqual(gridEstimate('icgn', icgn, img, roi));
    expect(gridEstimate('cnn+icgn', v, img, roi)).toEqual({ nx: 28, ny: 25, points: 700, margin: 12 });
  });
});
