import fc from 'fast-check';
import { API_KEY_PREFIX_LENGTH, checkApiKeyFormat, generateApiKey, hashApiKey, sameKeyHash } from './api-key.js';

describe('API keys', () => {
  it('generates well-formed live and test keys whose checksum verifies', () => {
    for (const kind of ['live', 'test'] as const) {
      const k = generateApiKey(kind);
      expect(k.key).toMatch(new RegExp(`^pg_${kind}_[0-9A-Za-z]{38}$`));
      expect(checkApiKeyFormat(k.key)).toBe(kind);
      expect(k.prefix).toBe(k.key.slice(0, API_KEY_PREFIX_LENGTH));
      expect(k.hash).toBe(hashApiKey(k.key));
      expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey('test').key));
    expect(keys.size).toBe(2000);
  });

  it.each([
    ['empty', ''],
    ['wrong product', 'sk_live_0123456789abcdefghijABCDEFGHIJ012345'],
    ['unknown kind', 'pg_prod_0123456789abcdefghijABCDEFGHIJ012345'],
    ['too short', 'pg_live_0123'],
    ['bad character', 'pg_live_0123456789abcdefghijABCDEFGHI-012345'],
    ['Bearer prefix left in', 'Bearer pg_live_0123456789abcdefghijABCDEFGHIJ012345'],
  ])('refuses a malformed key (%s)', (_why, key) => {
    expect(checkApiKeyFormat(key)).toBeNull();
  });

  it('refuses any single-character typo through the checksum', () => {
    const { key } = generateApiKey('live');
    fc.assert(fc.property(fc.integer({ min: 8, max: key.length - 1 }), fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), (i, c) => {
      fc.pre(key[i] !== c);
      const typo = key.slice(0, i) + c + key.slice(i + 1);
      expect(checkApiKeyFormat(typo)).toBeNull();
    }), { numRuns: 300 });
  });

  it('compares hashes exactly', () => {
    const a = hashApiKey('a');
    expect(sameKeyHash(a, hashApiKey('a'))).toBe(true);
    expect(sameKeyHash(a, hashApiKey('b'))).toBe(false);
    expect(sameKeyHash(a, 'ab')).toBe(false);
  });
});
