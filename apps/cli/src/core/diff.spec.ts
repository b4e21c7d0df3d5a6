import fc from 'fast-check';
import { configChanges as domainConfigChanges, messagesAsText as domainMessagesAsText, type ModelConfig, type PromptMessage as DomainMessage } from '../../../../libs/domain/src/index.js';
import { configChanges, diffFile, hasChanges, messagesAsText, renderDiff } from './diff.js';
import type { PromptMessage } from './prompt-file.js';

const message: fc.Arbitrary<PromptMessage> = fc.oneof(
  fc.record({ role: fc.constantFrom('system' as const, 'user' as const, 'assistant' as const), content: fc.oneof(fc.string(), fc.constantFrom('', 'a\n', 'a\r\n', 'x\ny\n\n')) }),
  fc.record({ role: fc.constant('placeholder' as const), name: fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/) }),
);
const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const config = fc.dictionary(fc.constantFrom('provider', 'model', 'temperature', 'response_format', 'type', 'a.b'),
  fc.oneof(leaf, fc.dictionary(fc.constantFrom('type', 'name', 'x'), fc.oneof(leaf, fc.dictionary(fc.constantFrom('y', 'z'), leaf)))), { maxKeys: 4 });

describe('the CLI diffs as the registry does', () => {
  it('renders chat messages as text exactly as libs/domain messagesAsText', () => {
    fc.assert(fc.property(fc.array(message, { maxLength: 6 }), (messages) => {
      expect(messagesAsText(messages)).toBe(domainMessagesAsText(messages as DomainMessage[]));
    }));
  });

  it('lists config changes exactly as libs/domain configChanges', () => {
    fc.assert(fc.property(config, config, (before, after) => {
      expect(configChanges(before, after)).toEqual(domainConfigChanges(before as ModelConfig, after as ModelConfig));
    }));
  });

  it('diffs a file against the live version, and against nothing when none is live', () => {
    const live = { version_num: 3, body: { type: 'text' as const, content: 'a\nb\nc' }, config: { temperature: 0.2 } };
    const d = diffFile(live, { body: { type: 'text', content: 'a\nB\nc' }, config: { temperature: 0.2 } });
    expect(d).toEqual({ base_version_num: 3, lines: [{ op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'B' }, { op: ' ', text: 'c' }], added: 1, removed: 1, config_changes: [] });
    expect(hasChanges(diffFile(live, { body: live.body, config: live.config }))).toBe(false);
    expect(hasChanges(diffFile(live, { body: live.body, config: {} }))).toBe(true);
    expect(diffFile(null, { body: { type: 'text', content: 'x' }, config: {} })).toMatchObject({ base_version_num: null, lines: [{ op: '+', text: 'x' }], added: 1, removed: 0 });
  });

  it('prints hunks with three lines of context, coloured only when asked', () => {
    const before = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    const d = diffFile({ version_num: 1, body: { type: 'text', content: before }, config: {} }, { body: { type: 'text', content: before.replace('line 8', 'LINE 8') }, config: { model: 'm' } });
    const plain = renderDiff('a.prompt.yaml', d, false);
    expect(plain.split('\n')).toEqual([
      'diff a.prompt.yaml (live v1)', '--- live v1', '+++ a.prompt.yaml', '@@ line 5 @@',
      ' line 5', ' line 6', ' line 7', '-line 8', '+LINE 8', ' line 9', ' line 10', ' line 11', 'config.model: null -> "m"',
    ]);
    expect(plain).not.toContain('\u001b[');
    const coloured = renderDiff('a.prompt.yaml', d, true);
    expect(coloured).toContain('\u001b[31m-line 8\u001b[0m');
    expect(coloured).toContain('\u001b[32m+LINE 8\u001b[0m');
  });
});
