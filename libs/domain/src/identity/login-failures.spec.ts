import { LoginFailureCounter } from './login-failures.js';
import { normalizeEmail } from './email.js';

describe('LoginFailureCounter', () => {
  const t0 = 1_700_000_000_000;

  it('locks an email out after the limit, until the window that began at its first failure passes', () => {
    const c = new LoginFailureCounter(3, 60_000);
    c.recordFailure('a@b.c', t0);
    c.recordFailure('a@b.c', t0 + 1000);
    expect(c.retryAfterSeconds('a@b.c', t0 + 2000)).toBe(0);
    c.recordFailure('a@b.c', t0 + 2000);
    expect(c.retryAfterSeconds('a@b.c', t0 + 2000)).toBe(58);
    expect(c.retryAfterSeconds('other@b.c', t0 + 2000)).toBe(0);
    expect(c.retryAfterSeconds('a@b.c', t0 + 60_000)).toBe(0);
  });

  it('starts a fresh window after expiry, and clear() forgets an email', () => {
    const c = new LoginFailureCounter(2, 1000);
    c.recordFailure('a@b.c', t0);
    expect(c.recordFailure('a@b.c', t0 + 1500)).toBe(1);
    c.recordFailure('a@b.c', t0 + 1600);
    expect(c.retryAfterSeconds('a@b.c', t0 + 1700)).toBeGreaterThan(0);
    c.clear('a@b.c');
    expect(c.retryAfterSeconds('a@b.c', t0 + 1700)).toBe(0);
  });

  it('stays bounded in memory', () => {
    const c = new LoginFailureCounter(10, 60_000, 100);
    for (let i = 0; i < 1000; i++) c.recordFailure(`u${i}@b.c`, t0);
    expect((c as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(100);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Ana@Example.COM ', 'ana@example.com'],
    ['bob@example.com', 'bob@example.com'],
  ])('%j -> %j', (input, expected) => expect(normalizeEmail(input)).toBe(expected));
});
