import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { codePointLength, MAX_ASSERTIONS_PER_CASE, readTestCaseInput, type ReadTestCaseOptions } from './test-case.js';

/** A stand-in for libs/runtime's compileSafeRegex: refuses what RE2 refuses in these tests. */
const compileRegex = (pattern: string): string | null => (/\\1|\(\?=|\[$/.test(pattern) ? `unsupported: \`${pattern}\`` : null);
const create: ReadTestCaseOptions & { partial: false } = { partial: false, compileRegex };
const patch: ReadTestCaseOptions & { partial: true } = { partial: true, compileRegex };

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

describe('readTestCaseInput', () => {
  it('fills the defaults of API.md on create', () => {
    expect(readTestCaseInput({ name: 'greeting' }, create)).toEqual({ name: 'greeting', variables: {}, input: null, placeholders: {}, assertions: [] });
  });

  it('keeps every field as given, normalising is_json to value null and trimming the name', () => {
    const body = {
      name: '  refund request ',
      variables: { customer: 'Ada', order_id: '42' },
      input: 'Where is my refund?',
      placeholders: { history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] },
      assertions: [
        { type: 'contains', value: 'refund' },
        { type: 'not_contains', value: 'sorry' },
        { type: 'regex', value: '^Dear' },
        { type: 'max_chars', value: 500 },
        { type: 'is_json' },
        { type: 'is_json', value: null },
        { type: 'judge', value: 'addresses the customer formally' },
      ],
    };
    expect(readTestCaseInput(body, create)).toEqual({
      ...body,
      name: 'refund request',
      assertions: [...body.assertions.slice(0, 4), { type: 'is_json', value: null }, { type: 'is_json', value: null }, body.assertions[6]],
    });
  });

  it('on PATCH reads only the fields present, and input null clears the input', () => {
    expect(readTestCaseInput({}, patch)).toEqual({});
    expect(readTestCaseInput({ input: null }, patch)).toEqual({ input: null });
    expect(readTestCaseInput({ assertions: [] , name: 'x' }, patch)).toEqual({ assertions: [], name: 'x' });
  });

  it.each([
    ['a body that is not an object', [], 'body'],
    ['an unknown field', { name: 'x', expected: 'y' }, 'expected'],
    ['no name', {}, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name of 201 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a name that is not a string', { name: 5 }, 'name'],
    ['null variables', { name: 'x', variables: null }, 'variables'],
    ['variables as a list', { name: 'x', variables: ['a'] }, 'variables'],
    ['a variable that is not a string', { name: 'x', variables: { n: 1 } }, 'variables.n'],
    ['a variable name the prompt cannot use', { name: 'x', variables: { 'user-name': 'a' } }, 'variables.user-name'],
    ['an input that is a number', { name: 'x', input: 3 }, 'input'],
    ['an input over 256 KiB', { name: 'x', input: 'é'.repeat(131_073) }, 'input'],
    ['placeholders as a list', { name: 'x', placeholders: [] }, 'placeholders'],
    ['a placeholder that is not a list', { name: 'x', placeholders: { h: 'hi' } }, 'placeholders.h'],
    ['a placeholder message with a bad role', { name: 'x', placeholders: { h: [{ role: 'tool', content: 'x' }] } }, 'placeholders.h[0].role'],
    ['a placeholder message with an extra field', { name: 'x', placeholders: { h: [{ role: 'user', content: 'x', name: 'b' }] } }, 'placeholders.h[0].name'],
    ['a placeholder name with a dash', { name: 'x', placeholders: { 'chat-history': [] } }, 'placeholders.chat-history'],
    ['assertions as an object', { name: 'x', assertions: {} }, 'assertions'],
    ['too many assertions', { name: 'x', assertions: Array.from({ length: MAX_ASSERTIONS_PER_CASE + 1 }, () => ({ type: 'is_json' })) }, 'assertions'],
    ['an assertion that is a string', { name: 'x', assertions: ['contains'] }, 'assertions[0]'],
    ['an unknown assertion type', { name: 'x', assertions: [{ type: 'equals', value: 'a' }] }, 'assertions[0].type'],
    ['an unknown assertion field', { name: 'x', assertions: [{ type: 'is_json' }, { type: 'contains', value: 'a', flags: 'i' }] }, 'assertions[1].flags'],
    ['contains with no value', { name: 'x', assertions: [{ type: 'contains' }] }, 'assertions[0].value'],
    ['contains with an empty value', { name: 'x', assertions: [{ type: 'contains', value: '' }] }, 'assertions[0].value'],
    ['not_contains over 2000 characters', { name: 'x', assertions: [{ type: 'not_contains', value: 'a'.repeat(2001) }] }, 'assertions[0].value'],
    ['a regex that does not compile', { name: 'x', assertions: [{ type: 'contains', value: 'a' }, { type: 'contains', value: 'b' }, { type: 'regex', value: '(a)\\1' }] }, 'assertions[2].value'],
    ['a regex over 1000 characters', { name: 'x', assertions: [{ type: 'regex', value: 'a'.repeat(1001) }] }, 'assertions[0].value'],
    ['a regex that is not a string', { name: 'x', assertions: [{ type: 'regex', value: /a/ }] }, 'assertions[0].value'],
    ['max_chars of zero', { name: 'x', assertions: [{ type: 'max_chars', value: 0 }] }, 'assertions[0].value'],
    ['max_chars over 1,000,000', { name: 'x', assertions: [{ type: 'max_chars', value: 1_000_001 }] }, 'assertions[0].value'],
    ['max_chars as a string', { name: 'x', assertions: [{ type: 'max_chars', value: '10' }] }, 'assertions[0].value'],
    ['max_chars as a fraction', { name: 'x', assertions: [{ type: 'max_chars', value: 1.5 }] }, 'assertions[0].value'],
    ['is_json with a value', { name: 'x', assertions: [{ type: 'is_json', value: true }] }, 'assertions[0].value'],
    ['a blank judge criterion', { name: 'x', assertions: [{ type: 'judge', value: ' ' }] }, 'assertions[0].value'],
    ['a judge criterion over 2000 characters', { name: 'x', assertions: [{ type: 'judge', value: 'a'.repeat(2001) }] }, 'assertions[0].value'],
  ])('refuses %s', (_what, body, field) => {
    expect(fieldOf(() => readTestCaseInput(body, create))).toBe(field);
  });

  it('tells the person why a regex was refused, in the engine\'s words', () => {
    expect(() => readTestCaseInput({ name: 'x', assertions: [{ type: 'regex', value: '(?=a)' }] }, create)).toThrow(/unsupported: `\(\?=a\)`/);
  });

  it('refuses the same things on PATCH, except a missing name', () => {
    expect(fieldOf(() => readTestCaseInput({ variables: null }, patch))).toBe('variables');
    expect(fieldOf(() => readTestCaseInput({ name: null }, patch))).toBe('name');
    expect(fieldOf(() => readTestCaseInput({ id: 'x' }, patch))).toBe('id');
  });

  it('takes the limits exactly: a 200-character name (in code points), 50 assertions, max_chars 1 and 1,000,000', () => {
    expect(readTestCaseInput({ name: '😀'.repeat(200) }, create).name).toHaveLength(400);
    expect(readTestCaseInput({ name: 'x', assertions: Array.from({ length: MAX_ASSERTIONS_PER_CASE }, () => ({ type: 'is_json' })) }, create).assertions).toHaveLength(50);
    expect(readTestCaseInput({ name: 'x', assertions: [{ type: 'max_chars', value: 1 }, { type: 'max_chars', value: 1_000_000 }] }, create).assertions).toHaveLength(2);
    expect(readTestCaseInput({ name: 'x', input: 'é'.repeat(131_072) }, create).input).toHaveLength(131_072);
  });

  it('keeps a variable called __proto__ as a variable, not as the prototype', () => {
    const read = readTestCaseInput(JSON.parse('{"name":"x","variables":{"__proto__":"a"},"placeholders":{"__proto__":[]}}'), create);
    expect(Object.getPrototypeOf(read.variables)).toBe(Object.prototype);
    expect(Object.keys(read.variables)).toEqual(['__proto__']);
    expect(Object.keys(read.placeholders)).toEqual(['__proto__']);
  });

  it('either reads a body or throws a ValidationError, never anything else (property)', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    const assertion = fc.record({ type: fc.constantFrom('contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge', 'x'), value }, { requiredKeys: ['type'] });
    const body = fc.record({
      name: value, variables: value, input: value, placeholders: value, assertions: fc.oneof(value, fc.array(assertion, { maxLength: 4 })),
    }, { requiredKeys: [] });
    fc.assert(fc.property(body, fc.boolean(), (b, partial) => {
      try {
        const read = readTestCaseInput(b, { partial, compileRegex });
        // What was read is read again the same way: the stored form is a valid input.
        expect(readTestCaseInput(JSON.parse(JSON.stringify(read)), { partial, compileRegex })).toEqual(read);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
      }
    }));
  });
});

describe('codePointLength', () => {
  it('counts a surrogate pair as one character and a lone surrogate as one', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀a')).toBe(2);
    expect(codePointLength('\ud800a')).toBe(2);
  });

  it('agrees with the string iterator (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => codePointLength(s) === [...s].length));
  });
});
