import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/result';
import { toContractError } from './preload-adapter';

describe('toContractError', () => {
  it('recovers the code from the preload\'s "CODE: message" form', () => {
    const e = toContractError(new Error("Error invoking remote method 'lab:image.open': Error: E_NOT_FOUND: No such file (/x.tif)."));
    expect(e).toBeInstanceOf(ContractError);
    expect((e as ContractError).code).toBe('E_NOT_FOUND');
    expect(e.message).toBe('No such file (/x.tif).');
  });
  it('keeps an uncoded message whole as E_INTERNAL', () => {
    const e = toContractError(new Error('boom: something odd')) as ContractError;
    expect([e.code, e.message]).toEqual(['E_INTERNAL', 'boom: something odd']);
  });
});
