import { evalJobKeyExpiry, judgeModelFor } from './eval-request.js';

describe('judgeModelFor', () => {
  const env = { judgeProvider: 'anthropic', judgeModel: 'claude-sonnet-4-5' };
  it.each([
    ['the request names a model', { provider: 'openai', model: 'gpt-4o' }, env, 'gpt-4o'],
    ['the environment judges with the same provider', { provider: 'anthropic' }, env, 'claude-sonnet-4-5'],
    ['the environment judges with another provider', { provider: 'openai', model: null }, env, null],
    ['the environment has no judge', { provider: 'anthropic' }, { judgeProvider: null, judgeModel: null }, null],
    ['the environment judge has no model', { provider: 'anthropic' }, { judgeProvider: 'anthropic', judgeModel: null }, null],
  ])('when %s', (_case, requested, environment, expected) => {
    expect(judgeModelFor(requested, environment)).toBe(expected);
  });
});

describe('evalJobKeyExpiry', () => {
  it('is thirty minutes after the request, as ISO-8601 UTC', () => {
    expect(evalJobKeyExpiry(new Date('2025-01-01T12:00:00.000Z'))).toBe('2025-01-01T12:30:00.000Z');
  });
});
