import { ValidationError } from '#domain';
import { containsPattern, readSearch } from './search.js';

describe('prompt list search', () => {
  it.each([
    ['plain text', 'greeting', '%greeting%'],
    ['a percent sign', '100%', '%100\\%%'],
    ['an underscore', 'snake_case', '%snake\\_case%'],
    ['a backslash', 'a\\b', '%a\\\\b%'],
    ['all three', '%_\\', '%\\%\\_\\\\%'],
  ])('escapes %s', (_name, text, pattern) => {
    expect(containsPattern(text)).toBe(pattern);
  });

  it.each([
    ['absent', undefined, null],
    ['blank', '   ', null],
    ['padded', '  greet ', 'greet'],
    ['200 characters', 'x'.repeat(200), 'x'.repeat(200)],
  ])('reads %s', (_name, raw, expected) => {
    expect(readSearch(raw)).toBe(expected);
  });

  it.each([
    ['repeated', ['a', 'b']],
    ['201 characters', 'x'.repeat(201)],
    ['an object', { a: 1 }],
  ])('refuses %s with a validation error', (_name, raw) => {
    expect(() => readSearch(raw)).toThrow(ValidationError);
  });
});
