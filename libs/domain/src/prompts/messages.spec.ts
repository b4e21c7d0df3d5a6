import { ValidationError } from '../errors.js';
import { messagesAsText, readFillMessages, readMessages, readPromptBody, readPromptType } from './messages.js';

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const e = err as ValidationError;
    expect(e.code).toBe('validation_failed');
    const field = (e.details as Array<{ field: string }>)[0].field;
    expect(e.message).toContain(field);
    return field;
  }
  throw new Error('no error');
};

describe('readMessages', () => {
  it('takes content messages and placeholders as API.md fixes them', () => {
    const messages = [
      { role: 'system', content: 'You are {{who}}.' },
      { role: 'placeholder', name: 'history' },
      { role: 'user', content: '' },
      { role: 'assistant', content: 'ok' },
    ];
    expect(readMessages(messages)).toEqual(messages);
  });

  it.each([
    ['not a list', { role: 'user', content: 'x' }, 'messages'],
    ['empty', [], 'messages'],
    ['over 100', Array.from({ length: 101 }, () => ({ role: 'user', content: 'x' })), 'messages'],
    ['a string item', ['hi'], 'messages[0]'],
    ['null item', [null], 'messages[0]'],
    ['unknown role', [{ role: 'tool', content: 'x' }], 'messages[0].role'],
    ['missing role', [{ content: 'x' }], 'messages[0].role'],
    ['content not a string', [{ role: 'user', content: 5 }], 'messages[0].content'],
    ['content missing', [{ role: 'user' }], 'messages[0].content'],
    ['extra field', [{ role: 'user', content: 'x', name: 'bob' }], 'messages[0].name'],
    ['placeholder with content', [{ role: 'placeholder', name: 'h', content: 'x' }], 'messages[0].content'],
    ['placeholder bad name', [{ role: 'placeholder', name: 'chat-history' }], 'messages[0].name'],
    ['placeholder empty name', [{ role: 'placeholder', name: '' }], 'messages[0].name'],
    ['placeholder without name', [{ role: 'placeholder' }], 'messages[0].name'],
    ['duplicate placeholder', [{ role: 'placeholder', name: 'h' }, { role: 'user', content: 'x' }, { role: 'placeholder', name: 'h' }], 'messages[2].name'],
    ['content over 256 KiB', [{ role: 'user', content: 'é'.repeat(131_073) }], 'messages[0].content'],
  ])('refuses %s', (_what, value, field) => {
    expect(fieldOf(() => readMessages(value))).toBe(field);
  });

  it('takes exactly 100 messages and a content of exactly 256 KiB', () => {
    expect(readMessages(Array.from({ length: 100 }, () => ({ role: 'user', content: 'x' })))).toHaveLength(100);
    expect(readMessages([{ role: 'user', content: 'é'.repeat(131_072) }])).toHaveLength(1);
  });
});

describe('readPromptBody', () => {
  it.each([
    ['text', { content: 'x' }, { type: 'text', content: 'x' }],
    ['text', { content: 'x', messages: null }, { type: 'text', content: 'x' }],
    ['chat', { messages: [{ role: 'user', content: 'x' }] }, { type: 'chat', messages: [{ role: 'user', content: 'x' }] }],
  ] as const)('takes the body of a %s prompt', (type, input, expected) => {
    expect(readPromptBody(type, input)).toEqual(expected);
  });

  it.each([
    ['text', { messages: [{ role: 'user', content: 'x' }] }, 'messages'],
    ['text', { content: 'x', messages: [] }, 'messages'],
    ['text', {}, 'content'],
    ['text', { content: '' }, 'content'],
    ['text', { content: 5 }, 'content'],
    ['chat', { content: 'x' }, 'content'],
    ['chat', { content: 'x', messages: [{ role: 'user', content: 'x' }] }, 'content'],
    ['chat', {}, 'messages'],
  ] as const)('refuses for a %s prompt %j', (type, input, field) => {
    expect(fieldOf(() => readPromptBody(type, input))).toBe(field);
  });

  it('reads the type, text by default', () => {
    expect(readPromptType(undefined)).toBe('text');
    expect(readPromptType('chat')).toBe('chat');
    expect(fieldOf(() => readPromptType('Chat'))).toBe('type');
  });
});

describe('messagesAsText', () => {
  it('renders each message as a [role] line then its content lines; an empty content adds no line', () => {
    expect(messagesAsText([
      { role: 'system', content: 'You are a bot.\nBe brief.\n' },
      { role: 'placeholder', name: 'history' },
      { role: 'assistant', content: '' },
      { role: 'user', content: '{{q}}' },
    ])).toBe('[system]\nYou are a bot.\nBe brief.\n[placeholder:history]\n[assistant]\n[user]\n{{q}}');
  });
});

describe('readFillMessages', () => {
  it('takes {role, content} messages of roles system, user, assistant', () => {
    expect(readFillMessages([{ role: 'user', content: 'hi' }, { role: 'assistant', content: '' }], 'placeholders.h'))
      .toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: '' }]);
    expect(readFillMessages([], 'placeholders.h')).toEqual([]);
  });
  it.each([
    [{}, 'placeholders.h must be a list'],
    [[{ role: 'placeholder', name: 'x' }], 'placeholders.h[0].role'],
    [[{ role: 'user', content: 1 }], 'placeholders.h[0].content'],
    [[{ role: 'user', content: 'x', extra: 1 }], 'placeholders.h[0].extra'],
    [['hi'], 'placeholders.h[0] must be an object'],
  ])('refuses %j', (value, problem) => {
    expect(readFillMessages(value, 'placeholders.h')).toEqual({ problem: expect.stringContaining(problem) });
  });
});
