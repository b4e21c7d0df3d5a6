import { compileSafeRegex, safeRegexTest } from './safe-regex.js';

describe('safe regular expressions (RE2)', () => {
  it('matches anywhere in the text, as RegExp.prototype.test does, with inline flags', () => {
    expect(safeRegexTest('^Dear \\w+,', 'Dear Ada, hello')).toBe(true);
    expect(safeRegexTest('refund', 'Your refund is here')).toBe(true);
    expect(safeRegexTest('^refund', 'Your refund is here')).toBe(false);
    expect(safeRegexTest('REFUND', 'refund')).toBe(false);
    expect(safeRegexTest('(?i)REFUND', 'refund')).toBe(true);
    expect(safeRegexTest('a.b', 'a\nb')).toBe(false);
    expect(safeRegexTest('(?s)a.b', 'a\nb')).toBe(true);
    expect(safeRegexTest('\\p{Greek}', 'λ')).toBe(true);
  });

  it('finishes a pattern that backtracks catastrophically in JavaScript, on 100,000 a\'s and a b', () => {
    const text = `${'a'.repeat(100_000)}b`;
    expect(compileSafeRegex('(a+)+$')).toBeNull();
    // The answer is no (the text ends in b); a backtracking engine would take about 2^100000 steps to say so.
    expect(safeRegexTest('(a+)+$', text)).toBe(false);
    expect(safeRegexTest('(a+)+b$', text)).toBe(true);
    expect(safeRegexTest('^(a+)+$', text.slice(0, -1))).toBe(true);
    expect(safeRegexTest('^(a|aa)+$', text)).toBe(false);
  });

  it.each([
    ['a backreference', '(a)\\1'],
    ['a lookahead', 'a(?=b)'],
    ['a negative lookahead', 'a(?!b)'],
    ['a lookbehind', '(?<=a)b'],
    ['an unclosed class', '['],
    ['an unclosed group', '(a'],
    ['a repeat over 1000', 'a{1001}'],
    ['a nested repeat too large to compile', '(a{2,1000}){2,1000}'],
  ])('refuses %s with the problem in words', (_what, pattern) => {
    const problem = compileSafeRegex(pattern);
    expect(typeof problem).toBe('string');
    expect(problem).not.toMatch(/^error parsing regexp/);
    expect(() => safeRegexTest(pattern, 'ab')).toThrow();
  });

  it('names what is wrong', () => {
    expect(compileSafeRegex('[')).toBe('missing closing ]: `[`');
  });

  it('keeps giving the same answers past its cache size', () => {
    for (let i = 0; i < 600; i++) expect(safeRegexTest(`^x${i}$`, `x${i}`)).toBe(true);
    expect(safeRegexTest('^x0$', 'x1')).toBe(false);
  });
});
