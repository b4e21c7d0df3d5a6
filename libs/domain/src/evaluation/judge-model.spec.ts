import { judgeModelProblem } from './judge-model.js';

describe('judgeModelProblem', () => {
  it.each([
    ['anthropic', 'claude-sonnet-4-6'],
    ['openai', 'gpt-4o-mini-2024-07-18'],
    ['openai', 'ft:gpt-4o-mini:acme::abc123'],
    ['google', 'gemini-2.0-flash'],
    ['google', 'gemini-1.5-pro-002'],
    ['groq', 'meta-llama/llama-4-scout-17b-16e-instruct'],
    ['groq', 'openai/gpt-oss-120b'],
    ['mistral', 'mistral-small-latest'],
    ['openai', 'a'.repeat(200)],
  ])('allows %s %s', (provider, model) => {
    expect(judgeModelProblem(provider, model)).toBeNull();
  });

  it.each([
    ['google', '../../v1/files/x', '..'],
    ['groq', '../../v1/files/x', '..'],
    ['openai', 'a..b', '..'],
    ['google', 'models/gemini-2.0-flash', '"/" for google'],
    ['google', 'tunedModels/x', '"/" for google'],
    ['openai', 'a'.repeat(201), 'at most 200'],
    ['openai', '', 'empty'],
    ['anthropic', 'claude\u0000', 'only letters'],
    ['anthropic', 'claude-sonnet-4-6 ', 'only letters'],
    ['mistral', 'mistral-smäll', 'only letters'],
    ['google', 'gemini%2F..%2Ffiles', 'only letters'],
    ['groq', 'llama?key=x', 'only letters'],
    ['openai', 'gpt-4o\nX-Injected: 1', 'only letters'],
  ])('refuses %s %j (%s)', (provider, model, why) => {
    expect(judgeModelProblem(provider, model)).toContain(why);
  });
});
