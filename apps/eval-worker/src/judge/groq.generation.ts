import Groq from 'groq-sdk';
import type { GenerationClient } from './generation-call.js';
import { groqSchemaMode } from './judge-schema.js';

export const generateWithGroq: GenerationClient = async (call) => {
  const client = new Groq({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const { params, schema } = call;
  const mode = groqSchemaMode(call.model);
  const completion = await client.chat.completions.create(
    {
      model: call.model,
      messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
      max_completion_tokens: params.maxTokens,
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.topP !== undefined && { top_p: params.topP }),
      ...(params.stop && { stop: params.stop }),
      ...(schema && {
        response_format: mode === 'json_object'
          ? { type: 'json_object' as const }
          : { type: 'json_schema' as const, json_schema: { name: schema.name, schema: schema.schema, strict: mode === 'strict' } },
      }),
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  return completion.choices[0]?.message?.content ?? '';
};
