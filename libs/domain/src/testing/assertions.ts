/**
 * Checking one answer against its case's assertions. Everything but `judge` is decided here, on the
 * full answer (before `truncateAnswer` cuts it for storage); `judge` assertions come back as
 * `passed: null` placeholders that `withJudgement` fills from the judge's answer, in order.
 */
import { utf8ByteLength } from '../portable/template.js';
import { codePointLength, type Assertion } from './test-case.js';

/** API.md: answers are stored up to 16 KiB each. */
export const MAX_STORED_ANSWER_BYTES = 16_384;
/** How much of an answer a failure's detail quotes. */
const EXCERPT_CHARS = 40;

export interface AssertionResult {
  type: Assertion['type'];
  value: Assertion['value'];
  /** null only for a `judge` assertion the judge has not answered yet. */
  passed: boolean | null;
  /** Why a failed one failed, in words; for `judge`, the judge's reason (passed or not); else null. */
  detail: string | null;
}

/** Runs a regular expression on a linear-time engine (libs/runtime's safeRegexTest); injected to keep the domain package-free. */
export type RegexMatcher = (pattern: string, text: string) => boolean;

const quote = (text: string) => JSON.stringify(text.length <= EXCERPT_CHARS ? text : `${text.slice(0, EXCERPT_CHARS)}…`);
const count = (n: number) => n.toLocaleString('en-US');

function check(output: string, assertion: Assertion, matcher: RegexMatcher): AssertionResult {
  const result = (passed: boolean | null, detail: string | null): AssertionResult => ({ type: assertion.type, value: assertion.value, passed, detail });
  switch (assertion.type) {
    // Case-insensitive by Unicode lower-casing both sides, the same in every locale.
    case 'contains':
      return output.toLowerCase().includes(assertion.value.toLowerCase())
        ? result(true, null)
        : result(false, `the answer does not contain ${quote(assertion.value)}`);
    case 'not_contains':
      return output.toLowerCase().includes(assertion.value.toLowerCase())
        ? result(false, `the answer contains ${quote(assertion.value)}`)
        : result(true, null);
    case 'regex': {
      let matched: boolean;
      try {
        matched = matcher(assertion.value, output);
      } catch {
        return result(false, 'the pattern could not be run on the answer');
      }
      return matched ? result(true, null) : result(false, 'the answer does not match the pattern');
    }
    case 'max_chars': {
      // Characters are code points: an emoji is one character, as a reader counts it.
      const chars = codePointLength(output);
      return chars <= assertion.value
        ? result(true, null)
        : result(false, `the answer is ${count(chars)} characters, over the limit of ${count(assertion.value)}`);
    }
    case 'is_json':
      // The whole answer must parse, as the application's JSON.parse would: a fenced or prefixed JSON fails.
      try {
        JSON.parse(output);
        return result(true, null);
      } catch {
        return result(false, output.trim() === '' ? 'the answer is empty, not JSON' : `the answer is not valid JSON (it begins ${quote(output.trimStart())})`);
      }
    case 'judge':
      return result(null, null);
  }
}

/** Every assertion's result, in the case's order; `judge` ones are `passed: null` until `withJudgement`. */
export function checkAssertions(output: string, assertions: readonly Assertion[], matcher: RegexMatcher): AssertionResult[] {
  return assertions.map((assertion) => check(output, assertion, matcher));
}

/** The criteria of the case's `judge` assertions, in order: what the judge is asked (buildCaseJudgePrompt). */
export function judgeCriteria(assertions: readonly Assertion[]): string[] {
  return assertions.flatMap((a) => (a.type === 'judge' ? [a.value] : []));
}

/**
 * The results with the judge's answers filled into the `judge` placeholders, in order (the i-th
 * judge assertion takes `judged[i]`). Throws when the counts differ: that is a bug, not input.
 */
export function withJudgement(results: readonly AssertionResult[], judged: readonly { passed: boolean; reason: string }[]): AssertionResult[] {
  const expected = results.filter((r) => r.type === 'judge').length;
  if (judged.length !== expected) throw new Error(`withJudgement: ${judged.length} judgements for ${expected} judge assertions`);
  let next = 0;
  return results.map((r) => {
    if (r.type !== 'judge') return r;
    const { passed, reason } = judged[next++];
    return { ...r, passed, detail: reason };
  });
}

/** A case passes when every one of its assertions passed (a case without assertions passes); an unjudged one is not a pass. */
export const casePassed = (results: readonly AssertionResult[]): boolean => results.every((r) => r.passed === true);

/**
 * The answer as stored: at most 16 KiB of UTF-8, cut at a character boundary (never inside a
 * surrogate pair). A lone surrogate counts as U+FFFD (3 bytes), as the database would store it.
 */
export function truncateAnswer(text: string, maxBytes = MAX_STORED_ANSWER_BYTES): string {
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let width: number;
    let units = 1;
    if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      width = 4;
      units = 2;
    } else width = 3;
    if (bytes + width > maxBytes) return text.slice(0, i);
    bytes += width;
    i += units - 1;
  }
  return text;
}
