import { randomUUID } from 'node:crypto';
import { evalRequestJobSchema } from './evals.js';

const judgeJob = (provider: string, model: string | null) => ({
  v: 1, mode: 'judge', eval_id: randomUUID(), workspace_id: randomUUID(), version_id: randomUUID(), content: 'You are a poet.',
  provider, model, sealed_key: 'v1.abc.def.ghi', key_expires_at: new Date().toISOString(),
});

describe('evalRequestJobSchema: the judge model', () => {
  it.each([
    ['groq', 'meta-llama/llama-4-scout-17b-16e-instruct'],
    ['google', 'gemini-2.0-flash'],
    ['openai', null],
  ])('takes %s %p', (provider, model) => {
    expect(evalRequestJobSchema.safeParse(judgeJob(provider, model)).success).toBe(true);
  });

  it.each([
    ['google', '../../v1/files/x'],
    ['google', 'tunedModels/mine'],
    ['openai', 'a..b'],
    ['anthropic', 'claude\u0000'],
  ])('refuses a forged job for %s %j on the model field', (provider, model) => {
    const parsed = evalRequestJobSchema.safeParse(judgeJob(provider, model));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['model']);
  });
});
