import OpenAI from 'openai';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';

export const callOpenAIJudge: JudgeProviderClient = async (call) => {
  const client = new OpenAI({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const completion = await client.chat.completions.create(
    {
      model: call.model,
      temperature: 0,
      max_completion_tokens: JUDGE_MAX_OUTPUT_TOKENS,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: call.system },
        { role: 'user', content: call.user },
      ],
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  return completion.choices[0]?.message?.content ?? '';
};
