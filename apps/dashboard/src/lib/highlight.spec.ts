import { highlightSegments } from './highlight.js';

describe('highlightSegments', () => {
  it('splits content at its variables, keeping every character', () => {
    const content = 'Hi {{name}}, your order {{order_id}} ships {{name}}.';
    const segments = highlightSegments(content);
    expect(segments).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'variable', text: '{{name}}', name: 'name' },
      { kind: 'text', text: ', your order ' },
      { kind: 'variable', text: '{{order_id}}', name: 'order_id' },
      { kind: 'text', text: ' ships ' },
      { kind: 'variable', text: '{{name}}', name: 'name' },
      { kind: 'text', text: '.' },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(content);
  });

  it('leaves what serving does not substitute as text', () => {
    expect(highlightSegments('{{ spaced }} {{a-b}} {single}')).toEqual([{ kind: 'text', text: '{{ spaced }} {{a-b}} {single}' }]);
  });

  it('handles adjacent variables and empty content', () => {
    expect(highlightSegments('{{a}}{{b}}')).toEqual([
      { kind: 'variable', text: '{{a}}', name: 'a' },
      { kind: 'variable', text: '{{b}}', name: 'b' },
    ]);
    expect(highlightSegments('')).toEqual([]);
  });
});
