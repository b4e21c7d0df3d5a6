import { apiKeyKindFor } from './api-key-kind.js';

describe('apiKeyKindFor', () => {
  it.each([
    [true, 'live'],
    [false, 'test'],
  ])('a protected=%s environment gets %s keys', (isProtected, kind) => {
    expect(apiKeyKindFor({ isProtected })).toBe(kind);
  });
});
