/**
 * The test case form of the Test cases page and the API's test case shape (API.md, "Test cases and
 * test runs"), converted both ways. The form holds what inputs hold (strings, rows); the API holds
 * typed values (`max_chars` an integer, `is_json` no value, `input` null for "send nothing").
 * The API checks every field again; the checks here only catch what a form can get wrong on its
 * own (a row without a name, two rows of one name, a count that is not a whole number), and they
 * name fields as the API's `validation_failed` details do (`assertions[2].value`), so both kinds
 * of error show next to the same control.
 */

import { ASSERTION_TYPES, type AssertionType } from '../../../../../libs/domain/src/testing/test-case.js';

export { ASSERTION_TYPES, type AssertionType };

export const FILL_ROLES = ['system', 'user', 'assistant'] as const;
export type FillRole = (typeof FILL_ROLES)[number];

/** What each assertion type is called in the form, and what its value field asks for (null: no value). */
export const ASSERTION_KINDS: Record<AssertionType, { label: string; valueLabel: string | null; hint: string }> = {
  contains: { label: 'Contains', valueLabel: 'Text', hint: 'The answer contains this text (case-insensitive).' },
  not_contains: { label: 'Does not contain', valueLabel: 'Text', hint: 'The answer does not contain this text (case-insensitive).' },
  regex: { label: 'Matches regular expression', valueLabel: 'Pattern', hint: 'An RE2 pattern the answer matches, such as ^Dear .+' },
  max_chars: { label: 'At most N characters', valueLabel: 'Maximum characters', hint: 'The answer is at most this many characters long.' },
  is_json: { label: 'Is JSON', valueLabel: null, hint: 'The answer parses as JSON.' },
  judge: { label: 'Judge criterion', valueLabel: 'Criterion', hint: 'A criterion in plain words the judge checks, such as "addresses the customer formally".' },
};

/** A test case as the API answers it (GET /prompts/:id/test-cases items). */
export interface ApiTestCase {
  id: string;
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: Record<string, { role: FillRole; content: string }[]>;
  assertions: { type: AssertionType; value?: string | number | null }[];
}

/** The body of POST /prompts/:id/test-cases and PATCH /test-cases/:id. */
export interface TestCaseBody {
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: Record<string, { role: FillRole; content: string }[]>;
  assertions: ({ type: Exclude<AssertionType, 'is_json' | 'max_chars'>; value: string } | { type: 'max_chars'; value: number } | { type: 'is_json' })[];
}

export interface AssertionDraft { type: AssertionType; value: string }
export interface VariableDraft { name: string; value: string }
export interface FillMessageDraft { role: FillRole; content: string }
export interface PlaceholderDraft { name: string; messages: FillMessageDraft[] }

export interface TestCaseDraft {
  name: string;
  variables: VariableDraft[];
  /** Off: `input: null`, nothing is appended after the rendered prompt. */
  sendInput: boolean;
  input: string;
  placeholders: PlaceholderDraft[];
  assertions: AssertionDraft[];
}

/** Errors by field, in the API's field names (`name`, `variables.customer`, `assertions[0].value`). */
export type FieldErrors = Record<string, string>;

const NAME = /^[A-Za-z0-9_]+$/;
const WHOLE_NUMBER = /^\d+$/;
const VARIABLE = /\{\{([A-Za-z0-9_]+)\}\}/g;

/** The names of `{{variables}}` in the given texts, each once, in order of first appearance. */
export function variableNames(texts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(VARIABLE)) names.add(m[1]);
  return [...names];
}

/** The prompt's live content or messages, as far as a new test case needs them. */
export interface PromptShape {
  content?: string | null;
  messages?: readonly ({ role: string; content?: string; name?: string })[] | null;
}

/**
 * A blank case for a prompt: one variable row per `{{variable}}` of its live version and one
 * placeholder per placeholder message, so the author sees what the prompt needs filled.
 */
export function newTestCaseDraft(prompt: PromptShape | null): TestCaseDraft {
  const texts = prompt?.messages
    ? prompt.messages.flatMap((m) => (m.role === 'placeholder' ? [] : [m.content ?? '']))
    : [prompt?.content ?? ''];
  const placeholders = (prompt?.messages ?? []).flatMap((m) => (m.role === 'placeholder' && m.name ? [m.name] : []));
  return {
    name: '',
    variables: variableNames(texts).map((name) => ({ name, value: '' })),
    sendInput: true,
    input: '',
    placeholders: placeholders.map((name) => ({ name, messages: [] })),
    assertions: [],
  };
}

/** The form's view of a saved case. */
export function testCaseToDraft(testCase: ApiTestCase): TestCaseDraft {
  return {
    name: testCase.name,
    variables: Object.entries(testCase.variables).map(([name, value]) => ({ name, value })),
    sendInput: testCase.input !== null,
    input: testCase.input ?? '',
    placeholders: Object.entries(testCase.placeholders).map(([name, messages]) => ({
      name, messages: messages.map((m) => ({ role: m.role, content: m.content })),
    })),
    assertions: testCase.assertions.map((a) => ({
      type: a.type,
      value: a.value === null || a.value === undefined ? '' : String(a.value),
    })),
  };
}

/** A fresh assertion row of `type`, keeping the value typed so far where the new type takes text too. */
export function changeAssertionType(draft: AssertionDraft, type: AssertionType): AssertionDraft {
  if (type === 'is_json') return { type, value: '' };
  if (type === 'max_chars') return { type, value: WHOLE_NUMBER.test(draft.value.trim()) ? draft.value.trim() : '' };
  return { type, value: draft.type === 'max_chars' ? '' : draft.value };
}

/**
 * The API body of a form, or the form's own errors. A variable row without a value and a
 * placeholder without messages are left out (unfilled); anything else the API judges.
 */
export function draftToBody(draft: TestCaseDraft): { body: TestCaseBody; errors: null } | { body: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (draft.name.trim() === '') errors.name = 'A test case needs a name.';

  const variables: [string, string][] = [];
  draft.variables.forEach((row, i) => {
    const name = row.name.trim();
    // A row without a value leaves its variable unfilled (as written), as the rows offered for the prompt's variables start.
    if (row.value === '') return;
    if (!NAME.test(name)) {
      errors[`variables[${i}].name`] = 'A variable name is letters, digits and _, as in {{name}}.';
    } else if (variables.some(([n]) => n === name)) {
      errors[`variables[${i}].name`] = `The variable ${name} is set twice.`;
    } else variables.push([name, row.value]);
  });

  const placeholders: [string, FillMessageDraft[]][] = [];
  draft.placeholders.forEach((row, i) => {
    const name = row.name.trim();
    // No messages: the run drops the placeholder, as it drops one the case does not name.
    if (row.messages.length === 0) return;
    if (!NAME.test(name)) {
      errors[`placeholders[${i}].name`] = 'A placeholder name is letters, digits and _.';
    } else if (placeholders.some(([n]) => n === name)) {
      errors[`placeholders[${i}].name`] = `The placeholder ${name} is filled twice.`;
    } else placeholders.push([name, row.messages.map((m) => ({ role: m.role, content: m.content }))]);
  });

  const assertions: TestCaseBody['assertions'] = [];
  draft.assertions.forEach((row, i) => {
    const field = `assertions[${i}].value`;
    if (row.type === 'is_json') {
      assertions.push({ type: 'is_json' });
    } else if (row.type === 'max_chars') {
      const text = row.value.trim();
      if (!WHOLE_NUMBER.test(text) || Number(text) < 1) errors[field] = 'A whole number of characters, 1 or more.';
      else assertions.push({ type: 'max_chars', value: Number(text) });
    } else if (row.value.trim() === '') {
      errors[field] = `${ASSERTION_KINDS[row.type].valueLabel ?? 'A value'} is needed.`;
    } else {
      assertions.push({ type: row.type, value: row.value });
    }
  });

  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    body: {
      name: draft.name.trim(),
      variables: Object.fromEntries(variables),
      input: draft.sendInput ? draft.input : null,
      placeholders: Object.fromEntries(placeholders),
      assertions,
    },
    errors: null,
  };
}

/**
 * The API's `validation_failed` details (`[{field, messages}]`) as errors by form field. The API
 * names a variable or placeholder by its name (`variables.customer`), the form by its row
 * (`variables[0].name`): the draft maps one to the other. Anything the form has no control for
 * is kept under `form`.
 */
export function apiErrorsToFields(details: unknown, draft: TestCaseDraft): FieldErrors {
  const errors: FieldErrors = {};
  if (!Array.isArray(details)) return errors;
  const add = (field: string, message: string) => {
    errors[field] = errors[field] ? `${errors[field]} ${message}` : message;
  };
  for (const item of details as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { field, messages } = item as { field?: unknown; messages?: unknown };
    if (typeof field !== 'string') continue;
    const texts = Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string') : [];
    const target = formField(field, draft);
    // The API's messages start with the field's name ("assertions[1].value is not..."): next to that very control it goes without saying.
    const message = texts.map((m) => (target === field && m.startsWith(`${field} `) ? m.slice(field.length + 1) : m)).join(' ');
    add(target, sentence(message || `${field} is invalid`));
  }
  return errors;
}

function formField(field: string, draft: TestCaseDraft): string {
  if (field === 'name' || field === 'input' || /^assertions\[\d+\]\.value$/.test(field)) return field;
  const type = /^(assertions\[\d+\])\.type$/.exec(field);
  if (type) return `${type[1]}.value`;
  const named = /^(variables|placeholders)\.([A-Za-z0-9_]+|[^.[]+)/.exec(field);
  if (named) {
    const rows = named[1] === 'variables' ? draft.variables : draft.placeholders;
    const index = rows.findIndex((row) => row.name.trim() === named[2]);
    if (index >= 0) return `${named[1]}[${index}].name`;
  }
  return 'form';
}

const sentence = (text: string) => {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** One line saying what an assertion checks, for the list of cases. */
export function describeAssertion(assertion: { type: AssertionType; value?: string | number | null }): string {
  switch (assertion.type) {
    case 'contains': return `contains "${String(assertion.value)}"`;
    case 'not_contains': return `does not contain "${String(assertion.value)}"`;
    case 'regex': return `matches /${String(assertion.value)}/`;
    case 'max_chars': return `at most ${String(assertion.value)} characters`;
    case 'is_json': return 'is JSON';
    case 'judge': return `judge: ${String(assertion.value)}`;
  }
}
