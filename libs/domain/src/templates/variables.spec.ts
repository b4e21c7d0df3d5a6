import fc from 'fast-check';
import { compileTemplate, parseVarsItems, renderTemplate, variablesFromObject } from './variables.js';

const render = (content: string, vars: Record<string, string>) =>
  renderTemplate(compileTemplate(content), new Map(Object.entries(vars)));

describe('variable substitution', () => {
  it.each([
    ['Hello {{name}}!', { name: 'Ana' }, 'Hello Ana!', []],
    ['{{a}}{{b}}{{a}}', { a: '1', b: '2' }, '121', []],
    ['Hi {{name}}, {{missing}} and {{missing}}', { name: 'Ana' }, 'Hi Ana, {{missing}} and {{missing}}', ['missing']],
    ['Empty: [{{x}}]', { x: '' }, 'Empty: []', []],
    ['No second pass: {{a}}', { a: '{{b}}', b: 'NO' }, 'No second pass: {{b}}', []],
    ['{{ spaced }} and {{bad-name}} stay', { spaced: 'x', 'bad-name': 'y' }, '{{ spaced }} and {{bad-name}} stay', []],
    ['Nested {{{x}}}', { x: 'v' }, 'Nested {v}', []],
    ['plain text', { unused: 'x' }, 'plain text', []],
    ['$& and $1 are literal: {{v}}', { v: '$&$1' }, '$& and $1 are literal: $&$1', []],
    ['{{first}} {{second}} {{first}}', {}, '{{first}} {{second}} {{first}}', ['first', 'second']],
    ['{{constructor}} {{valueOf}} {{__proto__}}', {}, '{{constructor}} {{valueOf}} {{__proto__}}', ['constructor', 'valueOf', '__proto__']],
  ])('%j with %j', (content, vars, expected, unfilled) => {
    expect(render(content, vars)).toEqual({ content: expected, unfilled });
  });

  it('lists every distinct variable in order of appearance', () => {
    expect(compileTemplate('{{b}} {{a}} {{b}} {{c_1}}').variables).toEqual(['b', 'a', 'c_1']);
  });

  it.each([
    [['name=Ana'], { name: 'Ana' }],
    [['expr=a=b=c'], { expr: 'a=b=c' }],
    [['empty='], { empty: '' }],
    [['novalue', '=x', 'bad-name=1', 'sp ace=2', 'ok_1=3'], { ok_1: '3' }],
    [['x=1', 'x=2'], { x: '2' }],
  ])('parses vars items %j', (items, expected) => {
    expect(Object.fromEntries(parseVarsItems(items))).toEqual(expected);
  });

  it('reads a JSON variables object, keeping string values with good names only', () => {
    expect(Object.fromEntries(variablesFromObject({ a: 'x', b: 2, 'c-d': 'y', e: '' }))).toEqual({ a: 'x', e: '' });
    const proto = variablesFromObject(JSON.parse('{"__proto__": "p", "constructor": "c"}'));
    expect(render('{{__proto__}} {{constructor}}', Object.fromEntries(proto)).content).toBe('p c');
  });

  const name = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
  const text = fc.string({ maxLength: 20 });

  it('never scans a value again, and leaves exactly the unfilled names', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(text, name), { maxLength: 6 }), text, fc.dictionary(name, text),
      (pairs, tail, vars) => {
        const content = pairs.map(([t, n]) => `${t}{{${n}}}`).join('') + tail;
        const compiled = compileTemplate(content);
        const out = renderTemplate(compiled, new Map(Object.entries(vars)));
        // Rebuild independently: each placeholder becomes its value, or itself when unset.
        const expected = pairs.map(([t, n]) => t + (Object.hasOwn(vars, n) ? vars[n] : `{{${n}}}`)).join('') + tail;
        // Only when the surrounding text forms no placeholder of its own is the pairing exact.
        if (compiled.names.length === pairs.length) {
          expect(out.content).toBe(expected);
          expect(out.unfilled).toEqual([...new Set(pairs.map(([, n]) => n).filter((n) => !Object.hasOwn(vars, n)))]);
        }
        expect(out.unfilled.every((n) => !Object.hasOwn(vars, n))).toBe(true);
      },
    ));
  });

  it('renders the template unchanged when no values are given, and compiles deterministically', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (content) => {
      expect(renderTemplate(compileTemplate(content), new Map()).content).toBe(content);
      expect(compileTemplate(content)).toEqual(compileTemplate(content));
    }));
  });
});
