import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: [3, { d: 1, c: 2 }], x: null } }, '{"z":{"x":null,"y":[3,{"c":2,"d":1}]}}'],
    [{ a: undefined, b: 'é\n"' }, '{"b":"é\\n\\""}'],
    [[1, 'two', true, null], '[1,"two",true,null]'],
    [{ n: 7.0, m: -0.5, big: 1e21, small: 1e-7 }, '{"big":1e+21,"m":-0.5,"n":7,"small":1e-7}'],
    [{ '\u00e9': 1, e: 2, E: 3 }, '{"E":3,"e":2,"é":1}'],
    ['plain', '"plain"'],
    [42, '42'],
  ])('writes %j as %s', (input, expected) => {
    expect(canonicalJson(input)).toBe(expected);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });

  it('does not depend on key insertion order, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
        const reordered = JSON.parse(JSON.stringify(v), (_k, val) =>
          val && typeof val === 'object' && !Array.isArray(val)
            ? Object.fromEntries(Object.entries(val).reverse())
            : val,
        );
        expect(canonicalJson(reordered)).toBe(text);
        expect(text).not.toMatch(/\n/);
      }),
    );
  });
});
