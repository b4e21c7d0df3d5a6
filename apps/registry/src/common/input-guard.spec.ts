import fc from 'fast-check';
import { findInputProblem, MAX_INPUT_DEPTH } from './input-guard.js';

/** `depth` arrays, each inside the one before. */
const nested = (depth: number): unknown => {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
};

describe('findInputProblem', () => {
  it('passes ordinary JSON, astral characters included', () => {
    expect(findInputProblem({ name: 'Team 😀', config: { temperature: 0.2, stop: ['\n'] }, n: 2147483647 })).toBeNull();
    expect(findInputProblem(nested(MAX_INPUT_DEPTH))).toBeNull();
  });

  it.each([
    [{ name: 'a\u0000b' }, 'name', 'NUL'],
    [{ note: 'x\ud800' }, 'note', 'lone surrogates'],
    [{ email: '\udc00x@example.com' }, 'email', 'lone surrogates'],
    [{ config: { stop: ['ok', 'bad\u0000'] } }, 'config.stop.1', 'NUL'],
    [{ variables: { 'a\u0000': 'x' } }, 'variables.a\\u0000', 'NUL'],
    [{ variables: { '\ud800': 'x' } }, 'variables.\\ud800', 'lone surrogates'],
    [JSON.parse('{"name":"x","__proto__":{"admin":true}}'), '__proto__', 'should not exist'],
    [{ name: 'x', constructor: { a: 1 } }, 'constructor', 'should not exist'],
    [{ config: { nested: { prototype: 1 } } }, 'config.nested.prototype', 'should not exist'],
    [{ config: { x: JSON.parse('1e400') } }, 'config.x', 'out of range'],
  ])('refuses %j at %s', (value, field, words) => {
    const problem = findInputProblem(value);
    expect(problem?.field).toBe(field);
    expect(problem?.message).toContain(words);
  });

  it(`refuses nesting deeper than ${MAX_INPUT_DEPTH} levels, however deep, without recursion`, () => {
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1))?.message).toContain(`deeper than ${MAX_INPUT_DEPTH}`);
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(findInputProblem({ config: deep })?.field).toMatch(/^config(\.0)+$/);
  });

  it('names a query or path root', () => {
    expect(findInputProblem('k\u0000', 'key')).toEqual({ field: 'key', message: expect.stringContaining('NUL') });
    expect(findInputProblem({ action: 'a\u0000' })?.field).toBe('action');
  });

  it('finds a NUL or lone surrogate wherever fast-check puts it', () => {
    const bad = fc.constantFrom('\u0000', '\ud800', '\udfff');
    fc.assert(fc.property(fc.json(), bad, fc.nat(), (text, poison, at) => {
      const value = JSON.parse(text) as unknown;
      const withPoison = { data: value, s: 'ab'.slice(0, at % 3) + poison };
      expect(findInputProblem(withPoison)?.field).toBeDefined();
    }));
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
      const problem = findInputProblem(value);
      if (problem) expect(problem.message).toMatch(/NUL|surrogate|should not exist/);
    }));
  });
});
