import { describe, expect, it, vi } from 'vitest';
import { canOpenResult, childPath, openJobResult, OVERTAKEN, readableOpenError, resultWorkspace, type ResultLoader, type ResultWorkspace } from './open-result';

function loaders(answer: Partial<Record<ResultWorkspace, string | null>> = {}) {
  const calls: [ResultWorkspace, string][] = [];
  const make = (ws: ResultWorkspace): ResultLoader => async (dir) => {
    calls.push([ws, dir]);
    return answer[ws] ?? null;
  };
  return { calls, loaders: { dic: make('dic'), xpci: make('xpci'), restore: make('restore'), acquire: make('acquire') } };
}

describe('open-result routing', () => {
  it('sends every job kind to the workspace that made it', () => {
    expect(['track', 'simulate.pair'].map(resultWorkspace)).toEqual(['dic', 'dic']);
    expect(['xpci', 'simulate.xpci'].map(resultWorkspace)).toEqual(['xpci', 'xpci']);
    expect(['deblur', 'super-resolution', 'sr'].map(resultWorkspace)).toEqual(['restore', 'restore', 'restore']);
    expect(['info', 'something-new'].map(resultWorkspace)).toEqual(['acquire', 'acquire']);
  });

  it('loads the folder in that workspace, then shows it', async () => {
    const { calls, loaders: l } = loaders();
    const show = vi.fn();
    expect(await openJobResult({ kind: 'super-resolution', state: 'done', resultDir: ' /res/sr ' }, l, show)).toBeNull();
    expect(calls).toEqual([['restore', '/res/sr']]);
    expect(show).toHaveBeenCalledWith('restore');
    expect(await openJobResult({ kind: 'xpci', resultDir: '/res/x' }, l, show)).toBeNull();
    expect(show).toHaveBeenLastCalledWith('xpci');
  });

  it('stays where it is and says why when the folder cannot be loaded or is gone', async () => {
    const show = vi.fn();
    const { loaders: bad } = loaders({ xpci: 'The sample image is 3 × 3.' });
    expect(await openJobResult({ kind: 'xpci', resultDir: '/res/x' }, bad, show)).toBe('The sample image is 3 × 3.');
    const { loaders: gone } = loaders({ dic: '/res/t is not a result folder (it has no result.json).' });
    expect(await openJobResult({ kind: 'track', resultDir: '/res/t' }, gone, show)).toMatch(/^This result folder is no longer there \(moved or deleted\?\)/);
    const throwing = { ...bad, restore: async () => { throw new Error('socket closed'); } };
    expect(await openJobResult({ kind: 'deblur', resultDir: '/res/d' }, throwing, show)).toBe('socket closed');
    expect(await openJobResult({ kind: 'deblur', resultDir: null }, throwing, show)).toBe('This job wrote no result folder.');
    expect(show).not.toHaveBeenCalled();
  });

  it('only the latest open switches the workspace: a slow earlier one, when it finishes, is overtaken', async () => {
    const { loaders: l } = loaders();
    const slow: ((answer: string | null) => void)[] = [];
    const slowXray = { ...l, xpci: () => new Promise<string | null>((res) => slow.push(res)) };
    const show = vi.fn();
    const first = openJobResult({ kind: 'xpci', resultDir: '/res/slow' }, slowXray, show);
    expect(await openJobResult({ kind: 'deblur', resultDir: '/res/d' }, slowXray, show)).toBeNull();
    expect(show).toHaveBeenLastCalledWith('restore');
    slow[0](null); // the X-ray result is there now: the user stays in Restoration
    expect(await first).toBe(OVERTAKEN);
    expect(show).toHaveBeenCalledTimes(1);
    // a failure of an overtaken open is not put on its row either
    const second = openJobResult({ kind: 'xpci', resultDir: '/res/slow2' }, slowXray, show);
    expect(await openJobResult({ kind: 'info', resultDir: '/res/i' }, slowXray, show)).toBeNull();
    slow[1]('The sample image is 3 × 3.');
    expect(await second).toBe(OVERTAKEN);
    expect(show.mock.calls.map((c) => c[0])).toEqual(['restore', 'acquire']);
  });

  it('a loader whose store dropped the open for a newer one of its own answers overtaken, not a failure', async () => {
    const { loaders: l } = loaders();
    const show = vi.fn();
    expect(await openJobResult({ kind: 'track', resultDir: '/res/t' }, { ...l, dic: async () => OVERTAKEN }, show)).toBe(OVERTAKEN);
    expect(show).not.toHaveBeenCalled();
  });

  it('offers Open only for done jobs with a folder; paths keep the folder\'s separator', () => {
    expect(canOpenResult({ kind: 'xpci', state: 'done', resultDir: '/r' })).toBe(true);
    expect(canOpenResult({ kind: 'xpci', state: 'failed', resultDir: '/r' })).toBe(false);
    expect(canOpenResult({ kind: 'xpci', state: 'done', resultDir: null })).toBe(false);
    expect(childPath('/res/a/', 'sr.tif')).toBe('/res/a/sr.tif');
    expect(childPath('C:\\res\\a', 'sr.tif')).toBe('C:\\res\\a\\sr.tif');
    expect(readableOpenError('The window is too large.')).toBe('The window is too large.');
    // an input image that is gone is not a gone result folder
    expect(readableOpenError('The image this result was made from, /d/a.tif, could not be opened: No such file')).toMatch(/^The image/);
  });
});
