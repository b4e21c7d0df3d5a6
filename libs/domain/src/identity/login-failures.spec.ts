import { LoginFailureCounter } from './login-failures.js';

describe('LoginFailureCounter', () => {
  const t0 = 1_700_000_000_000;

  it('counts attempts up to the limit, then refuses without counting until the window that began at the first attempt passes', () => {
    const c = new LoginFailureCounter(3, 60_000);
    expect(c.reserve('a@b.c', t0)).toBe(0);
    expect(c.reserve('a@b.c', t0 + 1000)).toBe(0);
    expect(c.reserve('a@b.c', t0 + 2000)).toBe(0);
    expect(c.reserve('a@b.c', t0 + 2000)).toBe(58);
    expect(c.reserve('a@b.c', t0 + 3000)).toBe(57);
    expect(c.count('a@b.c', t0 + 3000)).toBe(3);
    expect(c.reserve('other@b.c', t0 + 2000)).toBe(0);
    expect(c.reserve('a@b.c', t0 + 60_000)).toBe(0);
    expect(c.count('a@b.c', t0 + 60_000)).toBe(1);
  });

  it('never lets more than the limit through, however many attempts arrive in one instant', () => {
    const c = new LoginFailureCounter(10, 60_000);
    const answers = Array.from({ length: 100 }, () => c.reserve('a@b.c', t0));
    expect(answers.filter((a) => a === 0)).toHaveLength(10);
    expect(c.count('a@b.c', t0)).toBe(10);
  });

  it('release gives one attempt back (never below zero), and clear forgets a key', () => {
    const c = new LoginFailureCounter(2, 1000);
    c.reserve('k', t0);
    c.reserve('k', t0);
    expect(c.reserve('k', t0)).toBeGreaterThan(0);
    c.release('k', t0);
    expect(c.reserve('k', t0)).toBe(0);
    c.clear('k');
    expect(c.count('k', t0)).toBe(0);
    c.release('k', t0);
    expect(c.count('k', t0)).toBe(0);
  });

  it('stays bounded in memory', () => {
    const c = new LoginFailureCounter(10, 60_000, 100);
    for (let i = 0; i < 1000; i++) c.reserve(`u${i}@b.c`, t0);
    expect((c as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(100);
  });
});
