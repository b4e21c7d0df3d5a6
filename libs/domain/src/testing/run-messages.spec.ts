import fc from 'fast-check';
import { caseMessages, type RunCase } from './run-messages.js';

const testCase = (over: Partial<RunCase> = {}): RunCase => ({ variables: {}, input: null, placeholders: {}, ...over });

describe('caseMessages', () => {
  it('sends a text prompt rendered as the system message, then the input as the user message', () => {
    expect(caseMessages({ type: 'text', content: 'You help {{who}}. {{missing}}' }, testCase({ variables: { who: 'Ada' }, input: 'Hi' }))).toEqual({
      ok: true,
      messages: [{ role: 'system', content: 'You help Ada. {{missing}}' }, { role: 'user', content: 'Hi' }],
      unfilledVariables: ['missing'],
      unfilledPlaceholders: [],
    });
  });

  it('appends nothing when the input is null, and keeps an empty input as an empty user message', () => {
    expect(caseMessages({ type: 'text', content: 'Be brief.' }, testCase())).toMatchObject({ messages: [{ role: 'system', content: 'Be brief.' }] });
    expect(caseMessages({ type: 'text', content: 'Be brief.' }, testCase({ input: '' }))).toMatchObject({
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '' }],
    });
  });

  it('renders a chat prompt with the case\'s variables and placeholders, dropping an unfilled placeholder', () => {
    const version = {
      type: 'chat' as const,
      messages: [
        { role: 'system' as const, content: 'You are {{persona}}.' },
        { role: 'placeholder' as const, name: 'history' },
        { role: 'placeholder' as const, name: 'examples' },
        { role: 'assistant' as const, content: 'How can I help?' },
      ],
    };
    const result = caseMessages(version, testCase({
      variables: { persona: 'a butler' },
      placeholders: { history: [{ role: 'user', content: '{{persona}} stays literal' }, { role: 'assistant', content: 'noted' }], unknown: [] },
      input: 'Tea, please.',
    }));
    expect(result).toEqual({
      ok: true,
      messages: [
        { role: 'system', content: 'You are a butler.' },
        { role: 'user', content: '{{persona}} stays literal' },
        { role: 'assistant', content: 'noted' },
        { role: 'assistant', content: 'How can I help?' },
        { role: 'user', content: 'Tea, please.' },
      ],
      unfilledVariables: [],
      unfilledPlaceholders: ['examples'],
    });
  });

  it('refuses a case with nothing to send, and one over the render limit, in words', () => {
    expect(caseMessages({ type: 'chat', messages: [{ role: 'placeholder', name: 'h' }] }, testCase())).toEqual({ ok: false, problem: expect.stringContaining('nothing to send') });
    expect(caseMessages({ type: 'text', content: 'x{{v}}' }, testCase({ variables: { v: 'é'.repeat(600_000) } }))).toEqual({ ok: false, problem: expect.stringContaining('over 1048576 bytes') });
    expect(caseMessages({ type: 'text', content: 'x' }, testCase({ input: 'a'.repeat(10) }), 10)).toEqual({ ok: false, problem: expect.stringContaining('over 10 bytes') });
    expect(caseMessages({ type: 'text', content: 'x' }, testCase({ input: 'a'.repeat(9) }), 10)).toMatchObject({ ok: true });
  });

  it('sends only {role, content} messages, the input last (property)', () => {
    const message = fc.record({ role: fc.constantFrom('system' as const, 'user' as const, 'assistant' as const), content: fc.string({ maxLength: 20 }) });
    const part = fc.oneof(message, fc.record({ role: fc.constant('placeholder' as const), name: fc.constantFrom('a', 'b', 'c') }));
    fc.assert(fc.property(
      fc.uniqueArray(part, { maxLength: 6, selector: (p) => (p.role === 'placeholder' ? p.name : JSON.stringify(p)) }),
      fc.dictionary(fc.constantFrom('a', 'b'), fc.array(message, { maxLength: 3 })),
      fc.option(fc.string({ maxLength: 10 })),
      (messages, placeholders, input) => {
        const result = caseMessages({ type: 'chat', messages }, testCase({ placeholders, input }));
        if (!result.ok) return;
        for (const m of result.messages) expect(Object.keys(m).sort()).toEqual(['content', 'role']);
        if (input !== null) expect(result.messages.at(-1)).toEqual({ role: 'user', content: input });
        const fills = messages.reduce((n, p) => n + (p.role === 'placeholder' ? (placeholders[p.name]?.length ?? 0) : 1), 0);
        expect(result.messages).toHaveLength(fills + (input === null ? 0 : 1));
      },
    ));
  });
});
