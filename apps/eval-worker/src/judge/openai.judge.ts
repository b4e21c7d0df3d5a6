import OpenAI from 'openai';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';
import { JUDGE_SCHEMA_NAME, judgeJsonSchema, openAISupportsJsonSchema } from './judge-schema.js';

export const callOpenAIJudge: JudgeProviderClient = async (call) => {
  const client = new OpenAI({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const completion = await client.chat.completions.create(
    {
      model: call.model,
      temperature: 0,
      max_completion_tokens: JUDGE_MAX_OUTPUT_TOKENS,
      response_format: openAISupportsJsonSchema(call.model)
        ? { type: 'json_schema', json_schema: { name: JUDGE_SCHEMA_NAME, schema: judgeJsonSchema(), strict: true } }
        : { type: 'json_object' },
      messages: [
        { role: 'system', content: call.system },
        { role: 'user', content: call.user },
      ],
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  // A refusal comes instead of content under Structured Outputs; the parser then fails it, quoting it redacted.
  const message = completion.choices[0]?.message;
  return message?.content ?? message?.refusal ?? '';
};
