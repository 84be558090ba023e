import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { fieldSpecText, noiseSpecText, parseFieldSpec, parseNoiseSpec } from './specs';

function invalid(fn: () => unknown, quoted: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).code).toBe('E_INVALID_INPUT');
    expect((e as LabError).message).toContain(`"${quoted}"`);
    expect((e as LabError).message).not.toContain('\n');
    return;
  }
  throw new Error(`expected "${quoted}" to be rejected`);
}

describe('parseNoiseSpec', () => {
  it('reads the accepted forms', () => {
    expect(parseNoiseSpec('none')).toEqual({ kind: 'none' });
    expect(parseNoiseSpec('poisson:1000')).toEqual({ kind: 'poisson', photons: 1000 });
    expect(parseNoiseSpec(' Gauss: 2.5 ')).toEqual({ kind: 'gauss', sigma: 2.5 });
    expect(parseNoiseSpec('gauss:0')).toEqual({ kind: 'gauss', sigma: 0 });
    expect(parseNoiseSpec('poisson:1e4')).toEqual({ kind: 'poisson', photons: 1e4 });
  });
  it.each(['', 'noise', 'poisson', 'poisson:', 'poisson:0', 'poisson:-5', 'poisson:abc', 'gauss:-1', 'gauss:0x10', 'uniform:3'])(
    'rejects %j with E_INVALID_INPUT quoting it',
    (text) => invalid(() => parseNoiseSpec(text), text),
  );
  it('names the accepted forms in the message', () => {
    expect(() => parseNoiseSpec('poison:10')).toThrow(/"none", "poisson:PHOTONS".*"gauss:SIGMA"/);
  });
  it('round-trips through its text form', () => {
    for (const t of ['none', 'poisson:250', 'gauss:1.5']) expect(noiseSpecText(parseNoiseSpec(t))).toBe(t);
  });
});

describe('parseFieldSpec', () => {
  it('reads the accepted forms', () => {
    expect(parseFieldSpec('constant:0.25,-0.5')).toEqual({ kind: 'constant', ux: 0.25, uy: -0.5 });
    expect(parseFieldSpec('random-patches')).toEqual({ kind: 'random-patches' });
    expect(parseFieldSpec('STAR')).toEqual({ kind: 'star' });
    expect(parseFieldSpec('sine:0.5, 40')).toEqual({ kind: 'sine', amplitude: 0.5, period: 40 });
  });
  it.each(['', 'constant', 'constant:1', 'constant:1,2,3', 'constant:a,b', 'sine:1', 'sine:1,0', 'sine:1,1', 'rotate:10', 'stars'])(
    'rejects %j with E_INVALID_INPUT quoting it',
    (text) => invalid(() => parseFieldSpec(text), text),
  );
  it('rejects a sine that folds the image onto itself, and says why', () => {
    invalid(() => parseFieldSpec('sine:5,10'), 'sine:5,10');
    expect(() => parseFieldSpec('sine:5,10')).toThrow(/folds/);
    expect(parseFieldSpec('sine:1.5,10')).toEqual({ kind: 'sine', amplitude: 1.5, period: 10 }); // 2π·0.15 = 0.94
  });
  it('round-trips through its text form', () => {
    for (const t of ['constant:1,-2', 'sine:0.5,40', 'star', 'random-patches']) expect(fieldSpecText(parseFieldSpec(t))).toBe(t);
  });
});
