import { Mistral } from '@mistralai/mistralai';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';
import { JUDGE_SCHEMA_NAME, judgeJsonSchema } from './judge-schema.js';

export const callMistralJudge: JudgeProviderClient = async (call) => {
  const client = new Mistral({ apiKey: call.apiKey, serverURL: call.baseUrl, timeoutMs: call.timeoutMs, retryConfig: { strategy: 'none' } });
  const completion = await client.chat.complete(
    {
      model: call.model,
      temperature: 0,
      maxTokens: JUDGE_MAX_OUTPUT_TOKENS,
      // The SDK sends these as response_format.json_schema.{name, schema, strict}.
      responseFormat: { type: 'json_schema', jsonSchema: { name: JUDGE_SCHEMA_NAME, schemaDefinition: judgeJsonSchema(), strict: true } },
      messages: [
        { role: 'system', content: call.system },
        { role: 'user', content: call.user },
      ],
    },
    { signal: call.signal, timeoutMs: call.timeoutMs, retries: { strategy: 'none' } },
  );
  const content = completion.choices?.[0]?.message?.content;
  if (typeof content === 'string') return content;
  // Newer Mistral models may answer in chunks; only the text chunks are the answer.
  return (content ?? []).map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
};
