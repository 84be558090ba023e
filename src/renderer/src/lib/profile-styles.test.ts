import { describe, expect, it } from 'vitest';
import { hasMarker, runStyles, styleKey } from './profile-styles';

describe('runStyles', () => {
  it('gives every kept run its own dash and symbol, the newest solid and boldest', () => {
    const s = runStyles(6, 120);
    expect(new Set(s.map(styleKey)).size).toBe(6);
    expect(new Set(s.map((x) => x.symbol)).size).toBe(6);
    expect(s[5].dash).toBe('solid');
    expect(s[5].width).toBeGreaterThan(s[0].width);
    expect(s.slice(0, 5).every((x) => x.dash !== 'solid')).toBe(true);
  });
  it('puts markers of two agreeing runs at different samples, so neither hides the other', () => {
    const [a, b] = runStyles(2, 100);
    const marked = (st: typeof a) => Array.from({ length: 100 }, (_, i) => i).filter((i) => hasMarker(st, i));
    expect(marked(a).length).toBeGreaterThanOrEqual(8);
    expect(marked(b).length).toBeGreaterThanOrEqual(8);
    expect(marked(a).filter((i) => marked(b).includes(i))).toEqual([]);
  });
  it('stays valid for one run and very short lines', () => {
    expect(runStyles(1, 3)).toEqual([{ dash: 'solid', symbol: 'circle', width: 2.5, opacity: 1, every: 1, offset: 0 }]);
    expect(styleKey(runStyles(2, 3)[0])).toBe('10-4/rect');
  });
});
