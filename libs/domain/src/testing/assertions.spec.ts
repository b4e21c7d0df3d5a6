import fc from 'fast-check';
import { utf8ByteLength } from '../portable/template.js';
import { casePassed, checkAssertions, judgeCriteria, MAX_STORED_ANSWER_BYTES, truncateAnswer, withJudgement } from './assertions.js';
import type { Assertion } from './test-case.js';

/** A stand-in for libs/runtime's safeRegexTest (the domain takes the engine injected). */
const matcher = (pattern: string, text: string) => new RegExp(pattern).test(text);

describe('checkAssertions', () => {
  it.each<[string, Assertion, string, boolean, string | null]>([
    ['contains, any case', { type: 'contains', value: 'REFUND' }, 'Your refund is on its way.', true, null],
    ['contains, missing', { type: 'contains', value: 'refund' }, 'Hello.', false, 'the answer does not contain "refund"'],
    ['not_contains, absent', { type: 'not_contains', value: 'sorry' }, 'Hello.', true, null],
    ['not_contains, present in another case', { type: 'not_contains', value: 'sorry' }, 'SORRY!', false, 'the answer contains "sorry"'],
    ['regex, matching', { type: 'regex', value: '^Dear \\w+' }, 'Dear Ada, hello', true, null],
    ['regex, not matching', { type: 'regex', value: '^Dear' }, 'Hi Ada', false, 'the answer does not match the pattern'],
    ['max_chars, at the limit in code points', { type: 'max_chars', value: 3 }, '😀😀😀', true, null],
    ['max_chars, over', { type: 'max_chars', value: 1000 }, 'a'.repeat(1234), false, 'the answer is 1,234 characters, over the limit of 1,000'],
    ['is_json, an object with spaces around', { type: 'is_json', value: null }, ' {"a": 1}\n', true, null],
    ['is_json, a fenced block', { type: 'is_json', value: null }, '```json\n{"a":1}\n```', false, 'the answer is not valid JSON (it begins "```json\\n{\\"a\\":1}\\n```")'],
    ['is_json, empty', { type: 'is_json', value: null }, '', false, 'the answer is empty, not JSON'],
  ])('%s', (_what, assertion, output, passed, detail) => {
    expect(checkAssertions(output, [assertion], matcher)).toEqual([{ type: assertion.type, value: assertion.value, passed, detail }]);
  });

  it('leaves judge assertions as placeholders, in the case\'s order, and fills them from the judge in order', () => {
    const assertions: Assertion[] = [
      { type: 'judge', value: 'is formal' }, { type: 'contains', value: 'a' }, { type: 'judge', value: 'is short' },
    ];
    const results = checkAssertions('a', assertions, matcher);
    expect(results.map((r) => r.passed)).toEqual([null, true, null]);
    expect(casePassed(results)).toBe(false);
    expect(judgeCriteria(assertions)).toEqual(['is formal', 'is short']);
    const judged = withJudgement(results, [{ passed: true, reason: 'says Dear' }, { passed: false, reason: 'three paragraphs' }]);
    expect(judged).toEqual([
      { type: 'judge', value: 'is formal', passed: true, detail: 'says Dear' },
      { type: 'contains', value: 'a', passed: true, detail: null },
      { type: 'judge', value: 'is short', passed: false, detail: 'three paragraphs' },
    ]);
    expect(casePassed(judged)).toBe(false);
    expect(() => withJudgement(results, [])).toThrow(/0 judgements for 2/);
  });

  it('passes a case without assertions, and fails a regex the matcher cannot run rather than throwing', () => {
    expect(casePassed(checkAssertions('x', [], matcher))).toBe(true);
    const broken = () => { throw new Error('boom'); };
    expect(checkAssertions('x', [{ type: 'regex', value: 'x' }], broken)).toEqual([{ type: 'regex', value: 'x', passed: false, detail: 'the pattern could not be run on the answer' }]);
  });

  it('contains and not_contains always disagree, and contains agrees with lower-cased includes (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }), (output, value) => {
      const [c, n] = checkAssertions(output, [{ type: 'contains', value }, { type: 'not_contains', value }], matcher);
      expect(c.passed).toBe(!n.passed);
      expect(c.passed).toBe(output.toLowerCase().includes(value.toLowerCase()));
      if (output.includes(value)) expect(c.passed).toBe(true);
    }));
  });
});

describe('truncateAnswer', () => {
  it('keeps an answer of 16 KiB and cuts a longer one at a character boundary', () => {
    expect(truncateAnswer('a'.repeat(MAX_STORED_ANSWER_BYTES))).toHaveLength(MAX_STORED_ANSWER_BYTES);
    expect(truncateAnswer('a'.repeat(MAX_STORED_ANSWER_BYTES + 1))).toHaveLength(MAX_STORED_ANSWER_BYTES);
    // 16,383 bytes of 'a', then a 4-byte emoji that does not fit: it goes whole.
    expect(truncateAnswer(`${'a'.repeat(MAX_STORED_ANSWER_BYTES - 1)}😀`)).toBe('a'.repeat(MAX_STORED_ANSWER_BYTES - 1));
    expect(truncateAnswer('é'.repeat(10), 5)).toBe('éé');
  });

  it('returns a prefix of at most the limit, never a broken surrogate pair, as long as possible (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (text, max) => {
      const cut = truncateAnswer(text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(utf8ByteLength(cut)).toBeLessThanOrEqual(max);
      if (cut.length < text.length) {
        const last = cut.charCodeAt(cut.length - 1);
        const next = text.charCodeAt(cut.length);
        expect(last >= 0xd800 && last <= 0xdbff && (next & 0xfc00) === 0xdc00).toBe(false);
        // The next character (a whole pair, or one unit) would not have fitted.
        const pair = next >= 0xd800 && next <= 0xdbff && (text.charCodeAt(cut.length + 1) & 0xfc00) === 0xdc00;
        expect(utf8ByteLength(text.slice(0, cut.length + (pair ? 2 : 1)))).toBeGreaterThan(max);
      }
    }));
  });
});
