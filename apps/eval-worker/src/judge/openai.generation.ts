import OpenAI from 'openai';
import type { GenerationClient } from './generation-call.js';
import { openAISupportsJsonSchema } from './judge-schema.js';

export const generateWithOpenAI: GenerationClient = async (call) => {
  const client = new OpenAI({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const { params, schema } = call;
  const completion = await client.chat.completions.create(
    {
      model: call.model,
      messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
      max_completion_tokens: params.maxTokens,
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.topP !== undefined && { top_p: params.topP }),
      ...(params.stop && { stop: params.stop }),
      ...(schema && {
        response_format: openAISupportsJsonSchema(call.model)
          ? { type: 'json_schema' as const, json_schema: { name: schema.name, schema: schema.schema, strict: true } }
          : { type: 'json_object' as const },
      }),
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  const message = completion.choices[0]?.message;
  return message?.content ?? message?.refusal ?? '';
};
