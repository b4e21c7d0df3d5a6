import { RE2JS } from 're2js';

/**
 * Regular expressions of test assertions, run on RE2 (re2js, its pure-JavaScript port): matching
 * takes time linear in the text whatever the pattern, so no pattern can hang the worker, where
 * JavaScript's backtracking RegExp takes exponential time on `(a+)+$` against "aaa…ab".
 *
 * The price is RE2's syntax, which is mostly JavaScript's with these differences:
 * - no backreferences (`\1`, `\k<name>`) and no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`): refused;
 * - flags go inline, `(?i)` for case-insensitive, `(?s)` for `.` matching newlines, `(?m)` for
 *   `^`/`$` at line ends; there is no `/.../flags` form (a pattern is its source, never between slashes);
 * - named groups are `(?P<name>…)` or `(?<name>…)`; `\p{Greek}` and POSIX classes `[[:alpha:]]` work;
 * - a repeat count is at most 1000 (`a{1001}` is refused), and nested repeats like `(a{2,1000}){2,1000}`
 *   that would compile to a huge program are refused;
 * - `\d`, `\w`, `\s` and `\b` are ASCII-only, as in JavaScript without the `u` flag.
 * The test is unanchored (a match anywhere in the text, as RegExp.prototype.test); anchor with `^`/`$`.
 */

/** How many compiled patterns are kept; a worker runs the same few patterns on every case of a suite. */
const CACHE_SIZE = 256;
const cache = new Map<string, RE2JS>();

function compiled(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) {
    // Re-insert, so the Map's order is least recently used first.
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const re = RE2JS.compile(pattern);
  cache.set(pattern, re);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return re;
}

/** null when `pattern` compiles on RE2, else the problem in words ("missing closing ]: `[`"), for a 400. */
export function compileSafeRegex(pattern: string): string | null {
  try {
    compiled(pattern);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.replace(/^error parsing regexp: /, '') || 'the pattern does not compile';
  }
}

/** Whether `pattern` matches anywhere in `text`, in linear time. Throws when the pattern does not compile (check it with compileSafeRegex first). */
export function safeRegexTest(pattern: string, text: string): boolean {
  return compiled(pattern).test(text);
}
