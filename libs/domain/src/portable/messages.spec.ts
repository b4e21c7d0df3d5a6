import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compileMessages, renderMessages, type ContentMessage, type PromptMessage } from './messages.js';
import { compileTemplate, renderTemplate } from './template.js';

const render = (messages: PromptMessage[], vars: Record<string, string> = {}, fills: Record<string, ContentMessage[]> = {}, max?: number) =>
  renderMessages(compileMessages(messages), new Map(Object.entries(vars)), new Map(Object.entries(fills)), max);

describe('chat rendering', () => {
  const messages: PromptMessage[] = [
    { role: 'system', content: 'You are a support agent for {{company}}. Sign as {{agent}}.' },
    { role: 'placeholder', name: 'history' },
    { role: 'user', content: '{{question}}' },
    { role: 'assistant', content: '' },
  ];

  it('substitutes variables in every message and fills placeholders as is', () => {
    const out = render(messages, { company: 'Acme', agent: 'Ana', question: 'Refund {{company}}?' }, {
      history: [{ role: 'user', content: 'hi {{company}}' }, { role: 'assistant', content: 'hello' }],
    });
    expect(out).toEqual({
      messages: [
        { role: 'system', content: 'You are a support agent for Acme. Sign as Ana.' },
        { role: 'user', content: 'hi {{company}}' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'Refund {{company}}?' },
        { role: 'assistant', content: '' },
      ],
      unfilledVariables: [],
      unfilledPlaceholders: [],
    });
  });

  it('leaves unfilled variables and placeholders in place and lists them once, in order', () => {
    const out = render([...messages, { role: 'user', content: '{{question}} {{agent}}' }], { company: 'Acme' });
    expect(out?.unfilledVariables).toEqual(['agent', 'question']);
    expect(out?.unfilledPlaceholders).toEqual(['history']);
    expect(out?.messages[1]).toEqual({ role: 'placeholder', name: 'history' });
  });

  it('removes a placeholder given an empty list and ignores names the version lacks', () => {
    const out = render(messages, {}, { history: [], other: [{ role: 'user', content: 'x' }] });
    expect(out?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(out?.unfilledPlaceholders).toEqual([]);
  });

  it('lists variables and placeholders of the compiled version', () => {
    const compiled = compileMessages(messages);
    expect(compiled.variables).toEqual(['company', 'agent', 'question']);
    expect(compiled.placeholders).toEqual(['history']);
  });

  it('refuses a render over the byte limit, placeholders included', () => {
    expect(render([{ role: 'user', content: '{{x}}' }], { x: 'é'.repeat(6) }, {}, 11)).toBeNull();
    expect(render([{ role: 'user', content: '{{x}}' }], { x: 'é'.repeat(5) }, {}, 11)).not.toBeNull();
    expect(render([{ role: 'placeholder', name: 'h' }], {}, { h: [{ role: 'user', content: 'x'.repeat(12) }] }, 11)).toBeNull();
  });

  it('renders each message exactly as the text renderer renders its content (property)', () => {
    const content = fc.array(fc.oneof(fc.string(), fc.constantFrom('{{a}}', '{{b_1}}', '{{', '}}', '{{a}')), { maxLength: 6 }).map((p) => p.join(''));
    fc.assert(fc.property(
      fc.array(content, { minLength: 1, maxLength: 6 }),
      fc.dictionary(fc.constantFrom('a', 'b_1', 'c'), fc.string()),
      (contents, vars) => {
        const values = new Map(Object.entries(vars));
        const out = render(contents.map((c) => ({ role: 'user', content: c })), vars)!;
        contents.forEach((c, i) => expect(out.messages[i]).toEqual({ role: 'user', content: renderTemplate(compileTemplate(c), values)!.content }));
      },
    ));
  });
});

describe('portable files', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  it.each(files)('%s imports only files of portable/ (the SDK ships a copy of them)', (file) => {
    const source = readFileSync(`${dir}/${file}`, 'utf8');
    for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) expect(m[1]).toMatch(/^\.\/[a-z-]+\.js$/);
    expect(source).not.toMatch(/\bBuffer\b|\bprocess\b|\brequire\(/);
  });
});
