import fc from 'fast-check';
import { readFormatParam, readServeBody, readVarsParam, readVersionParam } from './serve-request.js';

describe('serve request parameters', () => {
  it.each([
    [undefined, undefined],
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
    ['2147483648', Infinity],
    ['99999999999999999999', Infinity],
    ['1'.repeat(400), Infinity],
    ['0', null],
    ['-1', null],
    ['01', null],
    ['1.0', null],
    ['1e3', null],
    [' 1', null],
    ['', null],
    ['abc', null],
    [['1', '2'], null],
  ])('version %j reads as %j', (value, expected) => {
    expect(readVersionParam(value)).toBe(expected);
  });

  it('reads every positive integer in range back as itself', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2_147_483_647 }), (n) => {
      expect(readVersionParam(String(n))).toBe(n);
    }));
  });

  it.each([
    [undefined, 'text'], ['text', 'text'], ['json', 'json'], ['JSON', null], ['xml', null], [['json', 'json'], null],
  ])('format %j reads as %j', (value, expected) => {
    expect(readFormatParam(value)).toBe(expected);
  });

  it.each([
    [undefined, []], ['a=1', ['a=1']], [['a=1', 'b=2'], ['a=1', 'b=2']], [{ nested: 'x' }, []],
  ])('vars %j reads as %j', (value, expected) => {
    expect(readVarsParam(value)).toEqual(expected);
  });

  it.each([
    [undefined, { variables: {} }],
    [{}, { variables: {} }],
    [{ variables: { a: 'x', b: '' } }, { variables: { a: 'x', b: '' } }],
    [{ variables: { a: 1 } }, { problem: 'variables.a must be a string.' }],
    [{ variables: { a: null } }, { problem: 'variables.a must be a string.' }],
    [{ variables: ['x'] }, { problem: 'variables must be an object of strings.' }],
    [{ variables: 'x' }, { problem: 'variables must be an object of strings.' }],
    [{ variables: {}, other: 1 }, { problem: 'Unknown field: other.' }],
    ['text', { problem: 'The body must be a JSON object.' }],
    [[1], { problem: 'The body must be a JSON object.' }],
  ])('POST body %j reads as %j', (body, expected) => {
    expect(readServeBody(body)).toEqual(expected);
  });
});
