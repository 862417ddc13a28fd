// client/src/codes.ts (the client's ErrorCode union) is generated from the edge's error
// registry by `npm run client:codes`; this fails when a code was added or changed since.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES_FILE, renderClientCodes } from '../../client/scripts/codes.ts';
import { ERRORS } from '../../proxy/core/errors.ts';

describe('client error codes', () => {
  it('client/src/codes.ts is what `npm run client:codes` writes from proxy/core/errors.ts', () => {
    expect(readFileSync(CODES_FILE, 'utf8'), 'run `npm run client:codes`').toBe(renderClientCodes());
  });

  it('lists every registered code', async () => {
    const { ERROR_CODES } = await import('../../client/src/codes.ts');
    expect(Object.keys(ERROR_CODES).sort()).toEqual(Object.keys(ERRORS).sort());
  });
});
