import { randomBytes, scryptSync } from 'node:crypto';
import {
  hashPassword, MAX_CONCURRENT_HASHES, passwordHashingLoad, passwordNeedsRehash, PASSWORD_SCRYPT_N, verifyPassword,
} from './password.js';

/** A hash in the format and at the parameters the registry used before the cost was raised (N=2^15). */
function oldFormatHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

describe('password hashing', () => {
  it('verifies the password it hashed and refuses another', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: two hashes of one password differ and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password', 2 ** 12), hashPassword('same password', 2 ** 12)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('hashes at N=2^17, r=8, p=1 by default and stores the parameters, never the password', async () => {
    expect(PASSWORD_SCRYPT_N).toBe(131072);
    const hash = await hashPassword('a secret password');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(hash).not.toContain('a secret password');
  });

  it('still verifies an old N=2^15 hash, and says it needs re-hashing; a current hash does not', async () => {
    const old = oldFormatHash('an old password');
    expect(await verifyPassword('an old password', old)).toBe(true);
    expect(await verifyPassword('another password', old)).toBe(false);
    expect(passwordNeedsRehash(old)).toBe(true);
    const current = await hashPassword('an old password');
    expect(passwordNeedsRehash(current)).toBe(false);
    // A lower test cost never downgrades a stronger hash.
    expect(passwordNeedsRehash(current, 2 ** 12)).toBe(false);
    expect(passwordNeedsRehash(await hashPassword('x password', 2 ** 12), 2 ** 14)).toBe(true);
  });

  it('never matches a malformed, tampered or too costly hash', async () => {
    const hash = await hashPassword('password123456', 2 ** 12);
    const parts = hash.split('$');
    const tampered = [...parts.slice(0, 5), Buffer.alloc(64).toString('base64url')].join('$');
    const tooCostly = ['scrypt', 2 ** 20, 8, 1, parts[4], parts[5]].join('$');
    for (const bad of ['', 'plain', 'bcrypt$x', tampered, tooCostly, hash.replace('$4096$', '$3$'), hash.replace('$4096$', '$abc$')]) {
      expect(await verifyPassword('password123456', bad)).toBe(false);
    }
  });

  it('runs at most two scrypt computations at once; the others wait their turn and all finish', async () => {
    expect(MAX_CONCURRENT_HASHES).toBe(2);
    const hashes = Array.from({ length: 6 }, (_, i) => hashPassword(`password number ${i}`, 2 ** 12));
    expect(passwordHashingLoad()).toEqual({ running: 2, waiting: 4 });
    const done = await Promise.all(hashes);
    expect(new Set(done).size).toBe(6);
    expect(passwordHashingLoad()).toEqual({ running: 0, waiting: 0 });
    expect(await verifyPassword('password number 5', done[5])).toBe(true);
  });
});
