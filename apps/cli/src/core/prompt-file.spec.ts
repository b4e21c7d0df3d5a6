import fc from 'fast-check';
import { CliError } from './errors.js';
import { formatPromptFile, parsePromptFile, type PromptFile } from './prompt-file.js';

const refusal = (file: string, text: string) => {
  try {
    parsePromptFile(file, text);
  } catch (error) {
    return error instanceof CliError ? { code: error.code, exit: error.exit, message: error.message } : error;
  }
  return 'accepted';
};

const text = (lines: string[]) => `${lines.join('\n')}\n`;

describe('<key>.prompt.yaml', () => {
  it('reads a text prompt with test cases, filling the defaults', () => {
    expect(parsePromptFile('support.tone.prompt.yaml', text([
      'key: support.tone', 'content: |', '  You are formal.', '  Answer {{name}}.', 'test_cases:', '  - name: " late order "', '    input: Where?',
      '    assertions:', '      - type: contains', '        value: dear', '      - type: is_json', '      - type: max_chars', '        value: 40',
    ]))).toEqual({
      key: 'support.tone', type: 'text', content: 'You are formal.\nAnswer {{name}}.\n', description: null, config: {},
      test_cases: [{ name: 'late order', variables: {}, input: 'Where?', placeholders: {}, assertions: [{ type: 'contains', value: 'dear' }, { type: 'is_json', value: null }, { type: 'max_chars', value: 40 }] }],
    });
  });

  it('reads a chat prompt with a placeholder', () => {
    expect(parsePromptFile('dir/billing.refund.prompt.yaml', text([
      'key: billing.refund', 'type: chat', 'messages:', '  - role: system', '    content: You handle refunds.', '  - role: placeholder', '    name: history',
    ]))).toMatchObject({ type: 'chat', messages: [{ role: 'system', content: 'You handle refunds.' }, { role: 'placeholder', name: 'history' }] });
  });

  it.each([
    ['a.prompt.yaml', ['key: a', 'content: x', 'colour: red'], 'a.prompt.yaml: colour: unknown field'],
    ['a.prompt.yaml', ['key: b', 'content: x'], 'a.prompt.yaml: key: is "b" but the file is named a.prompt.yaml'],
    ['A.prompt.yaml', ['key: A', 'content: x'], 'A.prompt.yaml: key: must be a prompt key'],
    ['a.prompt.yaml', ['key: a', 'type: image', 'content: x'], 'a.prompt.yaml: type: must be text or chat'],
    ['a.prompt.yaml', ['key: a'], 'a.prompt.yaml: content: must be a non-empty string'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'messages: []'], 'a.prompt.yaml: messages: is for chat prompts'],
    ['a.prompt.yaml', ['key: a', 'type: chat', 'messages:', '  - role: robot', '    content: x'], 'a.prompt.yaml: messages[0].role: must be one of system, user, assistant, placeholder'],
    ['a.prompt.yaml', ['key: a', 'type: chat', 'messages:', '  - role: placeholder', '    name: bad name'], 'a.prompt.yaml: messages[0].name: must be a name'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'config: [1]'], 'a.prompt.yaml: config: must be a mapping'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'test_cases:', '  - name: one', '  - name: one'], 'a.prompt.yaml: test_cases[1].name: "one" is used by another test case'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'test_cases:', '  - name: one', '    variables: {n: 1}'], 'a.prompt.yaml: test_cases[0].variables.n: must be a string'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'test_cases:', '  - name: one', '    assertions: [{type: sounds_nice}]'], 'a.prompt.yaml: test_cases[0].assertions[0].type: must be one of'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'test_cases:', '  - name: one', '    assertions: [{type: max_chars, value: "9"}]'], 'a.prompt.yaml: test_cases[0].assertions[0].value: must be a positive integer'],
    ['a.prompt.yaml', ['key: a', 'content: x', 'test_cases:', '  - name: one', '    placeholders: {history: [{role: user}]}'], 'a.prompt.yaml: test_cases[0].placeholders.history[0].content: must be a string'],
    ['a.prompt.yaml', ['key: a', 'key: a', 'content: x'], 'a.prompt.yaml: yaml: Map keys must be unique'],
    ['a.prompt.yaml', ['key: [a', 'content: x'], 'a.prompt.yaml: yaml: '],
    ['a.prompt.yaml', ['- key: a'], 'a.prompt.yaml: (file): must be a mapping'],
  ])('%s with %j is refused with exit 2: %s', (file, lines, message) => {
    expect(refusal(file, text(lines))).toEqual({ code: 'invalid_file', exit: 2, message: expect.stringContaining(message) });
  });

  const arbitraryFile: fc.Arbitrary<PromptFile> = fc.record({
    key: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
    description: fc.option(fc.string(), { nil: null }),
    config: fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }))),
    content: fc.string({ minLength: 1, unit: 'grapheme' }),
    test_cases: fc.uniqueArray(fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.trim()).filter((s) => s !== ''),
      variables: fc.dictionary(fc.stringMatching(/^[a-z_]{1,6}$/), fc.string()),
      input: fc.option(fc.string(), { nil: null }),
      placeholders: fc.constant({}),
      assertions: fc.array(fc.oneof(
        fc.record({ type: fc.constantFrom('contains' as const, 'not_contains' as const, 'regex' as const, 'judge' as const), value: fc.string({ minLength: 1 }) }),
        fc.record({ type: fc.constant('max_chars' as const), value: fc.integer({ min: 1, max: 1_000_000 }) }),
        fc.record({ type: fc.constant('is_json' as const), value: fc.constant(null) }),
      ), { maxLength: 3 }),
    }), { selector: (tc) => tc.name, maxLength: 3 }),
  }).map((f) => ({ ...f, type: 'text' as const }));

  it('reads back exactly what it writes, whatever the text (multi-line, trailing spaces, quotes, unicode)', () => {
    fc.assert(fc.property(arbitraryFile, (file) => {
      const parsed = parsePromptFile(`${file.key}.prompt.yaml`, formatPromptFile(file));
      expect(parsed).toEqual(file);
    }), { numRuns: 300 });
  });

  it('writes multi-line content as a literal block a person can edit', () => {
    const out = formatPromptFile({ key: 'a', type: 'text', content: 'line one\nline two\n', description: null, config: { temperature: 0.2 }, test_cases: [] });
    expect(out).toBe('key: a\ntype: text\ndescription: null\nconfig:\n  temperature: 0.2\ncontent: |\n  line one\n  line two\ntest_cases: []\n');
  });
});
