import { parseDocument, stringify } from 'yaml';
import { invalidFile } from './errors.js';

/**
 * `<key>.prompt.yaml`: one prompt as a file (docs/CLI.md, "Files"). Reading is strict: an unknown
 * field, a missing one or a wrong type stops the command with exit 2, naming the file and the field.
 */
export const PROMPT_FILE_SUFFIX = '.prompt.yaml';
export const PROMPT_KEY = /^[a-z0-9][a-z0-9._-]{0,199}$/;
export const ROLES = ['system', 'user', 'assistant'] as const;
export const ASSERTION_TYPES = ['contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge'] as const;

export type Role = (typeof ROLES)[number];
export type ContentMessage = { role: Role; content: string };
export type PromptMessage = ContentMessage | { role: 'placeholder'; name: string };
export type AssertionType = (typeof ASSERTION_TYPES)[number];
export interface Assertion { type: AssertionType; value: string | number | null }
export interface TestCaseSpec {
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: Record<string, ContentMessage[]>;
  assertions: Assertion[];
}
export type PromptBody = { type: 'text'; content: string } | { type: 'chat'; messages: PromptMessage[] };
export type PromptFile = PromptBody & {
  key: string;
  description: string | null;
  config: Record<string, unknown>;
  test_cases: TestCaseSpec[];
};

export const fileNameOf = (key: string) => `${key}${PROMPT_FILE_SUFFIX}`;

const TOP_FIELDS = ['key', 'type', 'description', 'config', 'content', 'messages', 'test_cases'];
const CASE_FIELDS = ['name', 'variables', 'input', 'placeholders', 'assertions'];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks one prompt file; `file` is its name as the user sees it (for messages). */
export function parsePromptFile(file: string, text: string): PromptFile {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    throw invalidFile(file, 'yaml', `${first.message.split('\n')[0]}${where}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const bad = (field: string, problem: string) => invalidFile(file, field, problem);
  if (!isObject(data)) throw bad('(file)', 'must be a mapping with key, type and content or messages');
  for (const field of Object.keys(data)) {
    if (!TOP_FIELDS.includes(field)) throw bad(field, `unknown field (allowed: ${TOP_FIELDS.join(', ')})`);
  }
  const key = data.key;
  if (typeof key !== 'string' || !PROMPT_KEY.test(key)) throw bad('key', 'must be a prompt key: a-z 0-9 . _ -, starting with a letter or digit, at most 200');
  const base = file.replace(/^.*[\\/]/, '');
  if (base !== fileNameOf(key)) throw bad('key', `is "${key}" but the file is named ${base} (expected ${fileNameOf(key)})`);
  const type = data.type ?? 'text';
  if (type !== 'text' && type !== 'chat') throw bad('type', 'must be text or chat');
  const description = data.description ?? null;
  if (description !== null && typeof description !== 'string') throw bad('description', 'must be a string');
  const config = data.config ?? {};
  if (!isObject(config)) throw bad('config', 'must be a mapping');
  let body: PromptBody;
  if (type === 'text') {
    if (data.messages !== undefined && data.messages !== null) throw bad('messages', 'is for chat prompts; a text prompt has content');
    if (typeof data.content !== 'string' || data.content === '') throw bad('content', 'must be a non-empty string');
    body = { type, content: data.content };
  } else {
    if (data.content !== undefined && data.content !== null) throw bad('content', 'is for text prompts; a chat prompt has messages');
    body = { type, messages: readMessages(data.messages, 'messages', bad) };
  }
  const cases = data.test_cases ?? [];
  if (!Array.isArray(cases)) throw bad('test_cases', 'must be a list');
  const names = new Set<string>();
  const testCases = cases.map((value, i) => {
    const tc = readTestCase(value, `test_cases[${i}]`, bad);
    if (names.has(tc.name)) throw bad(`test_cases[${i}].name`, `"${tc.name}" is used by another test case of this file`);
    names.add(tc.name);
    return tc;
  });
  return { key, ...body, description, config, test_cases: testCases };
}

type Bad = (field: string, problem: string) => Error;

function readMessages(value: unknown, field: string, bad: Bad): PromptMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw bad(field, 'must be a non-empty list of messages');
  return value.map((m, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(m)) throw bad(at, 'must be a mapping {role, content} or {role: placeholder, name}');
    if (m.role === 'placeholder') {
      for (const k of Object.keys(m)) if (k !== 'role' && k !== 'name') throw bad(`${at}.${k}`, 'unknown field (a placeholder has role and name)');
      if (typeof m.name !== 'string' || !/^[A-Za-z0-9_]+$/.test(m.name)) throw bad(`${at}.name`, 'must be a name of A-Z a-z 0-9 _');
      return { role: 'placeholder', name: m.name };
    }
    return readContentMessage(m, at, bad);
  });
}

function readContentMessage(m: Obj, at: string, bad: Bad): ContentMessage {
  for (const k of Object.keys(m)) if (k !== 'role' && k !== 'content') throw bad(`${at}.${k}`, 'unknown field (a message has role and content)');
  if (!ROLES.includes(m.role as Role)) throw bad(`${at}.role`, `must be one of ${ROLES.join(', ')}${at.startsWith('messages') ? ', placeholder' : ''}`);
  if (typeof m.content !== 'string') throw bad(`${at}.content`, 'must be a string');
  return { role: m.role as Role, content: m.content };
}

function readTestCase(value: unknown, at: string, bad: Bad): TestCaseSpec {
  if (!isObject(value)) throw bad(at, 'must be a mapping with name and assertions');
  for (const k of Object.keys(value)) if (!CASE_FIELDS.includes(k)) throw bad(`${at}.${k}`, `unknown field (allowed: ${CASE_FIELDS.join(', ')})`);
  const name = typeof value.name === 'string' ? value.name.trim() : '';
  if (name === '' || name.length > 200) throw bad(`${at}.name`, 'must be a string of 1-200 characters');
  const variables = value.variables ?? {};
  if (!isObject(variables)) throw bad(`${at}.variables`, 'must be a mapping of names to strings');
  for (const [k, v] of Object.entries(variables)) if (typeof v !== 'string') throw bad(`${at}.variables.${k}`, 'must be a string');
  const input = value.input ?? null;
  if (input !== null && typeof input !== 'string') throw bad(`${at}.input`, 'must be a string or null');
  const placeholders = value.placeholders ?? {};
  if (!isObject(placeholders)) throw bad(`${at}.placeholders`, 'must be a mapping of names to message lists');
  const filled: Record<string, ContentMessage[]> = {};
  for (const [k, list] of Object.entries(placeholders)) {
    if (!Array.isArray(list)) throw bad(`${at}.placeholders.${k}`, 'must be a list of {role, content}');
    filled[k] = list.map((m, i) => {
      if (!isObject(m)) throw bad(`${at}.placeholders.${k}[${i}]`, 'must be a mapping {role, content}');
      return readContentMessage(m, `${at}.placeholders.${k}[${i}]`, bad);
    });
  }
  const assertions = value.assertions ?? [];
  if (!Array.isArray(assertions)) throw bad(`${at}.assertions`, 'must be a list');
  return {
    name,
    variables: variables as Record<string, string>,
    input,
    placeholders: filled,
    assertions: assertions.map((a, i) => readAssertion(a, `${at}.assertions[${i}]`, bad)),
  };
}

function readAssertion(a: unknown, at: string, bad: Bad): Assertion {
  if (!isObject(a)) throw bad(at, 'must be a mapping {type, value}');
  for (const k of Object.keys(a)) if (k !== 'type' && k !== 'value') throw bad(`${at}.${k}`, 'unknown field (an assertion has type and value)');
  const type = a.type as AssertionType;
  if (!ASSERTION_TYPES.includes(type)) throw bad(`${at}.type`, `must be one of ${ASSERTION_TYPES.join(', ')}`);
  const value = a.value ?? null;
  if (type === 'is_json') {
    if (value !== null) throw bad(`${at}.value`, 'is_json takes no value');
  } else if (type === 'max_chars') {
    if (!Number.isInteger(value) || (value as number) < 1) throw bad(`${at}.value`, 'must be a positive integer');
  } else if (typeof value !== 'string' || value === '') {
    throw bad(`${at}.value`, 'must be a non-empty string');
  }
  return { type, value: value as string | number | null };
}

/** The file's text for a prompt: the fields in a fixed order, multi-line text as literal blocks. */
export function formatPromptFile(prompt: PromptFile): string {
  const ordered: Obj = { key: prompt.key, type: prompt.type, description: prompt.description, config: prompt.config };
  if (prompt.type === 'text') ordered.content = prompt.content;
  else ordered.messages = prompt.messages;
  ordered.test_cases = prompt.test_cases.map((tc) => ({
    name: tc.name, variables: tc.variables, input: tc.input, placeholders: tc.placeholders, assertions: tc.assertions,
  }));
  return stringify(ordered, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
}
