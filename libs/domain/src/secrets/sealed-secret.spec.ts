import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { evalJobKeyBinding, lastFour, openSecret, sealSecret, SealedSecretError } from './sealed-secret.js';

const KEY = randomBytes(32);

describe('sealed secrets', () => {
  it('round-trips any text, with a fresh nonce each time', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (plain, ad) => {
      const a = sealSecret(KEY, plain, ad);
      const b = sealSecret(KEY, plain, ad);
      expect(a).not.toBe(b);
      expect(openSecret(KEY, a, ad)).toBe(plain);
    }), { numRuns: 200 });
  });

  it('never contains the plaintext', () => {
    const canary = 'sk-ant-canary-0123456789abcdef';
    const sealed = sealSecret(KEY, canary, 'x');
    expect(sealed).not.toContain(canary);
    expect(Buffer.from(sealed).toString('base64')).not.toContain(Buffer.from(canary).toString('base64'));
  });

  it.each([
    ['other additional data (another job)', (s: string) => openSecret(KEY, s, evalJobKeyBinding('job-2', '2030-01-01T00:00:00.000Z'))],
    ['another key', (s: string) => openSecret(randomBytes(32), s, evalJobKeyBinding('job-1', '2030-01-01T00:00:00.000Z'))],
    ['a flipped ciphertext bit', (s: string) => {
      const p = s.split('.');
      const c = Buffer.from(p[2], 'base64url');
      c[0] ^= 1;
      p[2] = c.toString('base64url');
      return openSecret(KEY, p.join('.'), evalJobKeyBinding('job-1', '2030-01-01T00:00:00.000Z'));
    }],
    ['a changed expiry', (s: string) => openSecret(KEY, s, evalJobKeyBinding('job-1', '2031-01-01T00:00:00.000Z'))],
    ['garbage', () => openSecret(KEY, 'v1.a.b.c', 'x')],
    ['an unknown version', () => openSecret(KEY, 'v9.a.b.c', 'x')],
  ])('refuses %s', (_what, open) => {
    const sealed = sealSecret(KEY, 'secret', evalJobKeyBinding('job-1', '2030-01-01T00:00:00.000Z'));
    expect(() => open(sealed)).toThrow(SealedSecretError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => sealSecret(randomBytes(16), 'x', 'y')).toThrow(SealedSecretError);
  });

  it('shows only the last four characters', () => {
    expect(lastFour('sk-abcdef1234')).toBe('1234');
    expect(lastFour('abc')).toBe('');
  });
});
