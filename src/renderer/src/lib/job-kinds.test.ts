import { describe, expect, it } from 'vitest';
import { jobKindLabel } from './job-kinds';

describe('jobKindLabel', () => {
  it('names the kinds the back end writes', () => {
    expect(['watch.file', 'simulate.pair', 'super-resolution', 'xpci', 'track', 'sr', 'deblur'].map(jobKindLabel)).toEqual([
      'Watched file',
      'Simulated pair',
      'Super-resolution',
      'X-ray phase',
      'Tracking',
      'Super-resolution',
      'Deblurring',
    ]);
  });
  it('shows an unknown kind as it is', () => {
    expect(jobKindLabel('future.kind')).toBe('future.kind');
  });
});
