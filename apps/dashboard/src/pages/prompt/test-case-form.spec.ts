import { readTestCaseInput, type ValidationError } from '#domain';
import {
  apiErrorsToFields, changeAssertionType, describeAssertion, draftToBody, newTestCaseDraft, testCaseToDraft, variableNames,
  type ApiTestCase, type TestCaseDraft,
} from './test-case-form.js';

const compileRegex = (pattern: string): string | null => (pattern.includes('(?=') ? 'lookahead is not supported' : null);

const saved: ApiTestCase = {
  id: '6f1c2d9e-5b7a-4c1e-9f0a-1b2c3d4e5f60',
  name: 'refund request',
  variables: { customer: 'Ada', order_id: '42' },
  input: 'Where is my refund?',
  placeholders: { history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] },
  assertions: [
    { type: 'contains', value: 'refund' },
    { type: 'not_contains', value: 'sorry' },
    { type: 'regex', value: '^Dear' },
    { type: 'max_chars', value: 500 },
    { type: 'is_json', value: null },
    { type: 'judge', value: 'addresses the customer formally' },
  ],
};

/** What the registry's own reader makes of a body: the form must produce what it accepts. */
const readByApi = (body: unknown) => readTestCaseInput(body, { partial: false, compileRegex });

const draft = (over: Partial<TestCaseDraft>): TestCaseDraft => ({
  name: 'case', variables: [], sendInput: true, input: '', placeholders: [], assertions: [], ...over,
});

describe('test case form <-> API', () => {
  it('round-trips a saved case through the form unchanged, as the API reads it', () => {
    const result = draftToBody(testCaseToDraft(saved));
    expect(result.errors).toBeNull();
    expect(readByApi(result.body)).toEqual({
      name: saved.name, variables: saved.variables, input: saved.input, placeholders: saved.placeholders,
      assertions: saved.assertions.map((a) => ({ type: a.type, value: a.value })),
    });
  });

  it('sends max_chars as an integer and is_json without a value', () => {
    const result = draftToBody(draft({ assertions: [{ type: 'max_chars', value: ' 280 ' }, { type: 'is_json', value: 'left over' }] }));
    expect(result.body?.assertions).toEqual([{ type: 'max_chars', value: 280 }, { type: 'is_json' }]);
    expect(readByApi(result.body).assertions).toEqual([{ type: 'max_chars', value: 280 }, { type: 'is_json', value: null }]);
  });

  it('sends input null when the case appends no user message, and keeps an empty input when it does', () => {
    expect(draftToBody(draft({ sendInput: false, input: 'typed, then switched off' })).body?.input).toBeNull();
    expect(draftToBody(draft({ sendInput: true, input: '' })).body?.input).toBe('');
  });

  it('leaves out variables without a value and placeholders without messages (unfilled), and trims names', () => {
    const body = draftToBody(draft({
      name: '  greeting ',
      variables: [{ name: ' customer ', value: 'Ada' }, { name: '', value: '' }, { name: 'order_id', value: '' }, { name: 'bad name', value: '' }],
      placeholders: [{ name: '', messages: [] }, { name: 'summary', messages: [] }, { name: 'history', messages: [{ role: 'user', content: 'hi' }] }],
    })).body;
    expect(body).toEqual({
      name: 'greeting', variables: { customer: 'Ada' }, input: '', placeholders: { history: [{ role: 'user', content: 'hi' }] }, assertions: [],
    });
    expect(readByApi(body).variables).toEqual({ customer: 'Ada' });
  });

  it.each<[string, Partial<TestCaseDraft>, string]>([
    ['a blank name', { name: '  ' }, 'name'],
    ['a variable name with a space', { variables: [{ name: 'first name', value: 'Ada' }] }, 'variables[0].name'],
    ['a value without a variable name', { variables: [{ name: '', value: 'Ada' }] }, 'variables[0].name'],
    ['a variable set twice', { variables: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] }, 'variables[1].name'],
    ['a placeholder filled twice', { placeholders: [{ name: 'h', messages: [{ role: 'user', content: 'a' }] }, { name: 'h', messages: [{ role: 'user', content: 'b' }] }] }, 'placeholders[1].name'],
    ['messages without a placeholder name', { placeholders: [{ name: ' ', messages: [{ role: 'user', content: 'a' }] }] }, 'placeholders[0].name'],
    ['max_chars that is not a whole number', { assertions: [{ type: 'max_chars', value: '12.5' }] }, 'assertions[0].value'],
    ['max_chars of zero', { assertions: [{ type: 'contains', value: 'x' }, { type: 'max_chars', value: '0' }] }, 'assertions[1].value'],
    ['contains without text', { assertions: [{ type: 'contains', value: '   ' }] }, 'assertions[0].value'],
    ['a judge without a criterion', { assertions: [{ type: 'judge', value: '' }] }, 'assertions[0].value'],
  ])('refuses %s, naming the field the API would name', (_what, over, field) => {
    const result = draftToBody(draft(over));
    expect(result.body).toBeNull();
    expect(Object.keys(result.errors ?? {})).toEqual([field]);
  });

  it('maps the API\'s validation details onto the form\'s fields', () => {
    const form = draft({ variables: [{ name: 'x', value: '' }, { name: 'customer', value: 'Ada' }], placeholders: [{ name: 'history', messages: [] }] });
    let details: unknown;
    try {
      readByApi({ name: 'c', assertions: [{ type: 'regex', value: '(?=a)' }] });
    } catch (err) {
      details = (err as ValidationError).details;
    }
    expect(apiErrorsToFields(details, form)).toEqual({ 'assertions[0].value': expect.stringMatching(/^Is not a regular expression/) });
    expect(apiErrorsToFields([
      { field: 'variables.customer', messages: ['variables.customer must be a string'] },
      { field: 'placeholders.history[1].role', messages: ['must be one of system, user, assistant'] },
      { field: 'assertions[3].type', messages: ['must be one of contains'] },
      { field: 'input', messages: ['input must be a string or null'] },
      { field: 'body', messages: ['body must be a JSON object'] },
    ], form)).toEqual({
      'variables[1].name': 'Variables.customer must be a string.',
      'placeholders[0].name': 'Must be one of system, user, assistant.',
      'assertions[3].value': 'Must be one of contains.',
      input: 'Must be a string or null.',
      form: 'Body must be a JSON object.',
    });
    expect(apiErrorsToFields(undefined, form)).toEqual({});
  });

  it('offers one variable row per {{variable}} and one placeholder per placeholder message of the live version', () => {
    expect(newTestCaseDraft({ content: 'Hi {{customer}}, order {{order_id}} for {{customer}}.' }).variables)
      .toEqual([{ name: 'customer', value: '' }, { name: 'order_id', value: '' }]);
    const chat = newTestCaseDraft({
      messages: [{ role: 'system', content: 'You help {{customer}}.' }, { role: 'placeholder', name: 'history' }, { role: 'user', content: '{{question}}' }],
    });
    expect(chat.variables.map((v) => v.name)).toEqual(['customer', 'question']);
    expect(chat.placeholders).toEqual([{ name: 'history', messages: [] }]);
    expect(newTestCaseDraft(null)).toEqual(draft({ name: '' }));
    expect(variableNames(['{{a}} {{ b }} {{c-d}} {{e_1}}'])).toEqual(['a', 'e_1']);
  });

  it('keeps typed text when an assertion changes between text types, and no stale value otherwise', () => {
    expect(changeAssertionType({ type: 'contains', value: 'refund' }, 'judge')).toEqual({ type: 'judge', value: 'refund' });
    expect(changeAssertionType({ type: 'contains', value: 'refund' }, 'max_chars')).toEqual({ type: 'max_chars', value: '' });
    expect(changeAssertionType({ type: 'contains', value: '120' }, 'max_chars')).toEqual({ type: 'max_chars', value: '120' });
    expect(changeAssertionType({ type: 'max_chars', value: '120' }, 'contains')).toEqual({ type: 'contains', value: '' });
    expect(changeAssertionType({ type: 'judge', value: 'formal' }, 'is_json')).toEqual({ type: 'is_json', value: '' });
  });

  it('describes each assertion type in a line', () => {
    expect(saved.assertions.map(describeAssertion)).toEqual([
      'contains "refund"', 'does not contain "sorry"', 'matches /^Dear/', 'at most 500 characters', 'is JSON', 'judge: addresses the customer formally',
    ]);
  });
});
