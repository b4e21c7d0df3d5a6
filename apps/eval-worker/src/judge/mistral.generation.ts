import { Mistral } from '@mistralai/mistralai';
import type { GenerationClient } from './generation-call.js';

export const generateWithMistral: GenerationClient = async (call) => {
  const client = new Mistral({ apiKey: call.apiKey, serverURL: call.baseUrl, timeoutMs: call.timeoutMs, retryConfig: { strategy: 'none' } });
  const { params, schema } = call;
  const completion = await client.chat.complete(
    {
      model: call.model,
      messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
      maxTokens: params.maxTokens,
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.topP !== undefined && { topP: params.topP }),
      ...(params.stop && { stop: params.stop }),
      ...(schema && { responseFormat: { type: 'json_schema' as const, jsonSchema: { name: schema.name, schemaDefinition: schema.schema, strict: true } } }),
    },
    { signal: call.signal, timeoutMs: call.timeoutMs, retries: { strategy: 'none' } },
  );
  const content = completion.choices?.[0]?.message?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
};
