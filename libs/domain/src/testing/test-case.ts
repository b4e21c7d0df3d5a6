/**
 * A prompt's test case as API.md ("Test cases and test runs") fixes it: what the application
 * really sends (variables, the user input, the messages that fill a chat prompt's placeholders)
 * and what a good answer must satisfy (assertions). `readTestCaseInput` reads a POST or PATCH body;
 * every violation is `400 validation_failed` naming the field (`assertions[2].value`).
 */
import { ValidationError } from '../errors.js';
import type { ContentMessage } from '../portable/messages.js';
import { invalid, readFillMessages } from '../prompts/messages.js';
import { overUtf8Bytes } from '../versions/content-limit.js';

/** API.md: at most 200 cases per prompt (`409 too_many_test_cases`). */
export const MAX_TEST_CASES_PER_PROMPT = 200;
/** API.md: a name of 1-200 characters. Counted in code points, as PostgreSQL's varchar(200) counts them. */
export const TEST_CASE_NAME_MAX_CHARS = 200;
/** The user input, like a prompt's content: at most 256 KiB of UTF-8. */
export const TEST_CASE_INPUT_MAX_BYTES = 262_144;
/**
 * Our cap, not API.md's: 50 assertions is far more than a case that reads well needs, and it bounds
 * the work one case costs the worker (and the judge's prompt, which lists every judge criterion).
 */
export const MAX_ASSERTIONS_PER_CASE = 50;
export const ASSERTION_TEXT_MAX_CHARS = 2000;
export const REGEX_PATTERN_MAX_CHARS = 1000;
export const MAX_CHARS_LIMIT = 1_000_000;

export const ASSERTION_TYPES = ['contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge'] as const;
export type AssertionType = (typeof ASSERTION_TYPES)[number];

/** One assertion, normalised: `is_json` always carries `value: null`. */
export type Assertion =
  | { type: 'contains' | 'not_contains' | 'regex' | 'judge'; value: string }
  | { type: 'max_chars'; value: number }
  | { type: 'is_json'; value: null };

export interface TestCaseInput {
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: Record<string, ContentMessage[]>;
  assertions: Assertion[];
}

export const TEST_CASE_FIELDS = ['name', 'variables', 'input', 'placeholders', 'assertions'] as const;

export interface ReadTestCaseOptions {
  /** PATCH: every field is optional and an absent one is left out (not defaulted). */
  partial: boolean;
  /**
   * Whether a regex assertion's pattern compiles on the engine the worker runs: null when it does,
   * else the problem in words. Injected so the domain stays free of packages (libs/runtime's
   * compileSafeRegex is the one to pass).
   */
  compileRegex: (pattern: string) => string | null;
}

/** Variable and placeholder names are what the prompt can refer to: `[A-Za-z0-9_]`, as in `{{name}}`. */
const NAME = /^[A-Za-z0-9_]+$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Code points, so a name of 200 emoji is 200 characters, as the database counts it. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/** The name is trimmed (so "greeting " and "greeting" are one name for uniqueness), then must be 1-200 characters. */
function readName(value: unknown): string {
  if (typeof value !== 'string') throw invalid('name', 'must be a string');
  const name = value.trim();
  if (name === '') throw invalid('name', 'must not be empty or only spaces');
  if (codePointLength(name) > TEST_CASE_NAME_MAX_CHARS) throw invalid('name', `must be at most ${TEST_CASE_NAME_MAX_CHARS} characters`);
  return name;
}

function readVariables(value: unknown): Record<string, string> {
  if (!isObject(value)) throw invalid('variables', 'must be an object of strings');
  const entries: [string, string][] = [];
  for (const [name, v] of Object.entries(value)) {
    if (!NAME.test(name)) throw invalid(`variables.${name}`, 'is not a variable name: names are letters, digits and _, as in {{name}}');
    if (typeof v !== 'string') throw invalid(`variables.${name}`, 'must be a string');
    entries.push([name, v]);
  }
  // fromEntries defines own properties, so a variable called __proto__ stays a variable.
  return Object.fromEntries(entries);
}

function readInput(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid('input', 'must be a string or null');
  if (overUtf8Bytes(value, TEST_CASE_INPUT_MAX_BYTES)) {
    throw invalid('input', `must be at most ${TEST_CASE_INPUT_MAX_BYTES} bytes (UTF-8)`);
  }
  return value;
}

function readPlaceholders(value: unknown): Record<string, ContentMessage[]> {
  if (!isObject(value)) throw invalid('placeholders', 'must be an object of message lists');
  const entries: [string, ContentMessage[]][] = [];
  for (const [name, list] of Object.entries(value)) {
    const at = `placeholders.${name}`;
    if (!NAME.test(name)) throw invalid(at, 'is not a placeholder name: names are letters, digits and _');
    const messages = readFillMessages(list, at);
    if (!Array.isArray(messages)) {
      // readFillMessages says which item is at fault; that item's path is the field.
      const field = /^(\S+) /.exec(messages.problem)?.[1] ?? at;
      const problem = messages.problem.slice(field.length + 1).replace(/\.$/, '');
      throw invalid(field, problem);
    }
    entries.push([name, messages]);
  }
  return Object.fromEntries(entries);
}

function readText(value: unknown, field: string, what: string, max: number): string {
  if (typeof value !== 'string') throw invalid(field, `must be ${what} (a string)`);
  if (value.trim() === '') throw invalid(field, `must be ${what}, not empty`);
  if (codePointLength(value) > max) throw invalid(field, `must be at most ${max} characters`);
  return value;
}

function readAssertion(item: unknown, at: string, compileRegex: ReadTestCaseOptions['compileRegex']): Assertion {
  if (!isObject(item)) throw invalid(at, 'must be an object {type, value}');
  for (const key of Object.keys(item)) {
    if (key !== 'type' && key !== 'value') throw invalid(`${at}.${key}`, 'is not a field of an assertion (allowed: type, value)');
  }
  const type = item.type;
  if (typeof type !== 'string' || !(ASSERTION_TYPES as readonly string[]).includes(type)) {
    throw invalid(`${at}.type`, `must be one of ${ASSERTION_TYPES.join(', ')}`);
  }
  const field = `${at}.value`;
  const value = item.value;
  switch (type as AssertionType) {
    case 'contains':
    case 'not_contains':
      return { type: type as 'contains' | 'not_contains', value: readText(value, field, 'the text to look for', ASSERTION_TEXT_MAX_CHARS) };
    case 'judge':
      return { type: 'judge', value: readText(value, field, 'a criterion in plain words', ASSERTION_TEXT_MAX_CHARS) };
    case 'regex': {
      const pattern = readText(value, field, 'a regular expression', REGEX_PATTERN_MAX_CHARS);
      const problem = compileRegex(pattern);
      if (problem !== null) throw invalid(field, `is not a regular expression the worker can run: ${problem}`);
      return { type: 'regex', value: pattern };
    }
    case 'max_chars':
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_CHARS_LIMIT) {
        throw invalid(field, `must be an integer from 1 to ${MAX_CHARS_LIMIT}`);
      }
      return { type: 'max_chars', value: value as number };
    case 'is_json':
      if (value !== undefined && value !== null) throw invalid(field, 'must be absent or null: is_json takes no value');
      return { type: 'is_json', value: null };
  }
}

function readAssertions(value: unknown, compileRegex: ReadTestCaseOptions['compileRegex']): Assertion[] {
  if (!Array.isArray(value)) throw invalid('assertions', 'must be a list of {type, value}');
  if (value.length > MAX_ASSERTIONS_PER_CASE) throw invalid('assertions', `must hold at most ${MAX_ASSERTIONS_PER_CASE} assertions`);
  return value.map((item: unknown, i) => readAssertion(item, `assertions[${i}]`, compileRegex));
}

/**
 * A test case body. Create (`partial: false`): `name` required; `variables` `{}`, `input` null,
 * `placeholders` `{}` and `assertions` `[]` when absent. Update (`partial: true`): only the fields
 * present, none required (an empty body changes nothing). `input: null` means "append nothing";
 * a null for any other field is refused, as `config: null` is. Unknown fields are refused.
 */
export function readTestCaseInput(body: unknown, options: ReadTestCaseOptions & { partial: false }): TestCaseInput;
export function readTestCaseInput(body: unknown, options: ReadTestCaseOptions & { partial: true }): Partial<TestCaseInput>;
export function readTestCaseInput(body: unknown, options: ReadTestCaseOptions): Partial<TestCaseInput>;
export function readTestCaseInput(body: unknown, options: ReadTestCaseOptions): Partial<TestCaseInput> {
  if (!isObject(body)) {
    throw new ValidationError('The request body must be a JSON object.', [{ field: 'body', messages: ['body must be a JSON object'] }]);
  }
  for (const key of Object.keys(body)) {
    if (!(TEST_CASE_FIELDS as readonly string[]).includes(key)) throw invalid(key, `is not a field of a test case (allowed: ${TEST_CASE_FIELDS.join(', ')})`);
  }
  const has = (key: (typeof TEST_CASE_FIELDS)[number]) => Object.hasOwn(body, key) && body[key] !== undefined;
  const out: Partial<TestCaseInput> = {};
  if (has('name')) out.name = readName(body.name);
  else if (!options.partial) throw invalid('name', 'is required');
  if (has('variables')) out.variables = readVariables(body.variables);
  if (has('input')) out.input = readInput(body.input);
  if (has('placeholders')) out.placeholders = readPlaceholders(body.placeholders);
  if (has('assertions')) out.assertions = readAssertions(body.assertions, options.compileRegex);
  if (options.partial) return out;
  return { name: out.name, variables: out.variables ?? {}, input: out.input ?? null, placeholders: out.placeholders ?? {}, assertions: out.assertions ?? [] };
}
