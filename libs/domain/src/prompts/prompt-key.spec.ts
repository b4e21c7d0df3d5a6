import { ValidationError } from '../errors.js';
import { checkPromptKey, isPromptKey } from './prompt-key.js';

describe('prompt keys', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['a single letter', 'a', true],
    ['a single digit', '7', true],
    ['dots, dashes and underscores inside', 'support.greeting_v2-final', true],
    ['a trailing dot', 'support.', true],
    ['200 characters', 'a'.repeat(200), true],
    ['201 characters', 'a'.repeat(201), false],
    ['the empty string', '', false],
    ['an uppercase letter', 'Support', false],
    ['a space', 'support greeting', false],
    ['a leading dot', '.support', false],
    ['a leading dash', '-support', false],
    ['a leading underscore', '_support', false],
    ['a slash', 'support/greeting', false],
    ['a trailing newline', 'support\n', false],
    ['a non-ASCII letter', 'café', false],
    ['a number', 42, false],
    ['null', null, false],
  ];

  it.each(cases)('%s: valid is %s', (_name, key, valid) => {
    expect(isPromptKey(key)).toBe(valid);
    if (valid) expect(checkPromptKey(key)).toBe(key);
    else expect(() => checkPromptKey(key)).toThrow(ValidationError);
  });

  it('refuses with validation_failed and names the key field', () => {
    try {
      checkPromptKey('Bad Key');
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('validation_failed');
      expect((err as ValidationError).details).toEqual([{ field: 'key', messages: [expect.stringContaining('a-z 0-9')] }]);
    }
  });
});
