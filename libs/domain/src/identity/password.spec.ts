import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the password it hashed and refuses another', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: two hashes of one password differ and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('stores the algorithm and its parameters, never the password', async () => {
    const hash = await hashPassword('a secret password');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(hash).not.toContain('a secret password');
  });

  it('never matches a malformed or tampered hash', async () => {
    const hash = await hashPassword('password123456');
    const parts = hash.split('$');
    const tampered = [...parts.slice(0, 5), Buffer.alloc(64).toString('base64url')].join('$');
    for (const bad of ['', 'plain', 'bcrypt$x', tampered, hash.replace('$32768$', '$3$'), hash.replace('$32768$', '$abc$')]) {
      expect(await verifyPassword('password123456', bad)).toBe(false);
    }
  });
});
