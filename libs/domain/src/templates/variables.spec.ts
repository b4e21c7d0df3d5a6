import fc from 'fast-check';
import { compileTemplate, MAX_RENDERED_BYTES, parseVarsItems, renderedByteLength, renderTemplate, variablesFromObject } from './variables.js';

const render = (content: string, vars: Record<string, string>) =>
  renderTemplate(compileTemplate(content), new Map(Object.entries(vars)))!;

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
        const out = renderTemplate(compiled, new Map(Object.entries(vars)))!;
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
      expect(renderTemplate(compileTemplate(content), new Map())!.content).toBe(content);
      expect(compileTemplate(content)).toEqual(compileTemplate(content));
    }));
  });

  it('sizes a render exactly in UTF-8 without building it', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 10 }), name), { maxLength: 6 }),
      fc.dictionary(name, fc.string({ unit: 'binary', maxLength: 10 })),
      (pairs, vars) => {
        const compiled = compileTemplate(pairs.map(([t, n]) => `${t}{{${n}}}`).join(''));
        const values = new Map(Object.entries(vars));
        expect(renderedByteLength(compiled, values)).toBe(Buffer.byteLength(renderTemplate(compiled, values)!.content));
      },
    ));
  });
});

describe('the rendered size cap (API.md: over 1 MiB is 422 rendered_too_large)', () => {
  it('is 1 MiB', () => {
    expect(MAX_RENDERED_BYTES).toBe(1024 * 1024);
  });

  it('refuses 600 {{x}} with x of 1 MB before building the string (which would not even fit in a JS string)', () => {
    const compiled = compileTemplate('{{x}}'.repeat(600));
    expect(renderTemplate(compiled, new Map([['x', 'a'.repeat(1_000_000)]]))).toBeNull();
    expect(renderTemplate(compiled, new Map([['x', 'é'.repeat(1_000_000)]]))).toBeNull();
  });

  it.each([
    ['ASCII', 'a', 1],
    ['two-byte', 'é', 2],
    ['three-byte', '€', 3],
    ['four-byte (a surrogate pair)', '😀', 4],
  ])('renders exactly 1 MiB and refuses one byte more, with %s values', (_what, char, bytes) => {
    // Two copies of x, 'ab' and 'cd', one unfilled {{y}} (5 bytes), and text padding to land on the cap.
    const x = char.repeat(Math.floor((MAX_RENDERED_BYTES - 9) / (2 * bytes)));
    const pad = MAX_RENDERED_BYTES - 9 - 2 * Buffer.byteLength(x);
    const values = new Map([['x', x]]);
    const fits = renderTemplate(compileTemplate(`${'q'.repeat(pad)}ab{{x}}cd{{x}}{{y}}`), values);
    expect(Buffer.byteLength(fits!.content)).toBe(MAX_RENDERED_BYTES);
    expect(fits!.unfilled).toEqual(['y']);
    expect(renderTemplate(compileTemplate(`${'q'.repeat(pad + 1)}ab{{x}}cd{{x}}{{y}}`), values)).toBeNull();
    expect(renderTemplate(compileTemplate(`${'q'.repeat(pad)}ab{{x}}cd{{x}}{{yy}}`), values)).toBeNull();
  });

  it('counts a lone surrogate as the 3 bytes it is written as', () => {
    const compiled = compileTemplate('{{x}}');
    const lone = '\uD800'.repeat(Math.floor(MAX_RENDERED_BYTES / 3) + 1);
    expect(renderedByteLength(compiled, new Map([['x', lone]]))).toBe(Buffer.byteLength(lone));
    expect(renderTemplate(compiled, new Map([['x', lone]]))).toBeNull();
    expect(renderTemplate(compiled, new Map([['x', lone.slice(1)]]))).not.toBeNull();
  });

  it('caps a template without placeholders too', () => {
    expect(renderTemplate(compileTemplate('z'.repeat(MAX_RENDERED_BYTES)), new Map())).not.toBeNull();
    expect(renderTemplate(compileTemplate('z'.repeat(MAX_RENDERED_BYTES + 1)), new Map())).toBeNull();
  });
});
