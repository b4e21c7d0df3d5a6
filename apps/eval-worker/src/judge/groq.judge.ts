import Groq from 'groq-sdk';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';
import { groqSchemaMode, JUDGE_SCHEMA_NAME, judgeJsonSchema } from './judge-schema.js';

export const callGroqJudge: JudgeProviderClient = async (call) => {
  const client = new Groq({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const mode = groqSchemaMode(call.model);
  const completion = await client.chat.completions.create(
    {
      model: call.model,
      temperature: 0,
      max_completion_tokens: JUDGE_MAX_OUTPUT_TOKENS,
      response_format: mode === 'json_object'
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: JUDGE_SCHEMA_NAME, schema: judgeJsonSchema(), strict: mode === 'strict' } },
      messages: [
        { role: 'system', content: call.system },
        { role: 'user', content: call.user },
      ],
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  return completion.choices[0]?.message?.content ?? '';
};
