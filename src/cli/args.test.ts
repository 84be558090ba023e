/**
 * @file The tracker flags mapped onto method options (args.ts), as `lab track` and `lab xpci` share them.
 */
import { describe, expect, it } from 'vitest';
import { validateCnnOptions } from '../core/track/cnn-method';
import { CNN_DEFAULT_OPTIONS } from '../core/track/kernels';
import { methodTrackerOptions } from './args';

describe('methodTrackerOptions', () => {
  it('maps --window to the quality window of cnn-dic / cnn-xst, 0 turning the quality map off, and to the subset of cnn+icgn', () => {
    expect(methodTrackerOptions('cnn-dic', { window: '21', passes: '1', symmetry: '1' })).toEqual({ qualityWindow: 21, passes: 1, symmetry: 1 });
    const off = methodTrackerOptions('cnn-dic', { window: '0', passes: '1', symmetry: '1', model: 'dicnet-s' });
    expect(off).toEqual({ model: 'dicnet-s', qualityWindow: 0, passes: 1, symmetry: 1 });
    // what the core accepts: 0 or an odd window from 3 to 101
    expect(() => validateCnnOptions('cnn-dic', { ...CNN_DEFAULT_OPTIONS['cnn-dic'], ...off })).not.toThrow();
    expect(() => validateCnnOptions('cnn-dic', { ...CNN_DEFAULT_OPTIONS['cnn-dic'], qualityWindow: 2 })).toThrow(/3 to 101 \(or 0: no quality map\)/);
    expect(methodTrackerOptions('cnn+icgn', { window: '25' })).toEqual({ subset: 25 });
    expect(() => methodTrackerOptions('cnn+icgn', { window: '0' })).toThrow(/--window/);
    expect(() => methodTrackerOptions('zncc', { window: '21', passes: '2' })).toThrow(/--passes applies to the CNN methods only/);
  });
});
