import { describe, expect, it } from 'vitest';
import { errorTooltip, splitErrorCode } from './error-text';

describe('splitErrorCode', () => {
  it('takes the code off a coded job error', () => {
    const e = splitErrorCode('E_UNSUPPORTED: notes.tif is not an image this app can read.');
    expect(e).toEqual({ message: 'notes.tif is not an image this app can read.', code: 'E_UNSUPPORTED' });
    expect(errorTooltip(e)).toBe('notes.tif is not an image this app can read.\n(error code E_UNSUPPORTED)');
  });
  it('leaves other text whole', () => {
    expect(splitErrorCode('Disk full: nothing written')).toEqual({ message: 'Disk full: nothing written', code: null });
    expect(splitErrorCode('E_X:')).toEqual({ message: 'E_X:', code: null });
    expect(errorTooltip({ message: 'a', code: null })).toBe('a');
  });
});
