import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { gpuProviderFor, parseProviderList, providerOrder, PROVIDERS_ENV } from './providers';

describe('gpuProviderFor', () => {
  it('names the GPU provider the prebuilt binaries carry per platform', () => {
    expect(gpuProviderFor('linux', 'x64')).toBe('cuda');
    expect(gpuProviderFor('linux', 'arm64')).toBeNull();
    expect(gpuProviderFor('win32', 'x64')).toBe('dml');
    expect(gpuProviderFor('win32', 'arm64')).toBe('dml');
    expect(gpuProviderFor('darwin', 'arm64')).toBe('coreml');
    expect(gpuProviderFor('freebsd', 'x64')).toBeNull();
  });
});

describe('providerOrder', () => {
  it('puts the GPU provider first and cpu last', () => {
    expect(providerOrder('linux', 'x64', {})).toEqual(['cuda', 'cpu']);
    expect(providerOrder('win32', 'x64', {})).toEqual(['dml', 'cpu']);
    expect(providerOrder('darwin', 'x64', {})).toEqual(['coreml', 'cpu']);
    expect(providerOrder('linux', 'arm64', {})).toEqual(['cpu']);
  });

  it('lets LAB_EXECUTION_PROVIDERS replace the order exactly', () => {
    expect(providerOrder('linux', 'x64', { [PROVIDERS_ENV]: 'CPU' })).toEqual(['cpu']);
    expect(providerOrder('linux', 'x64', { [PROVIDERS_ENV]: ' cuda , cpu,cpu,' })).toEqual(['cuda', 'cpu']);
    expect(providerOrder('linux', 'x64', { [PROVIDERS_ENV]: 'cuda' })).toEqual(['cuda']);
    expect(providerOrder('linux', 'x64', { [PROVIDERS_ENV]: '  ' })).toEqual(['cuda', 'cpu']);
  });

  it('refuses a malformed override with a message saying what to write', () => {
    expect(() => parseProviderList(',,')).toThrowError(/names no provider/);
    try {
      parseProviderList('cuda;cpu');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('E_INVALID_INPUT');
      expect((err as LabError).message).toMatch(/cuda;cpu.*comma-separated/);
    }
  });
});
