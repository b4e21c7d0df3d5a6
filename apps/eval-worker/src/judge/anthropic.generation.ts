import Anthropic from '@anthropic-ai/sdk';
import { splitSystem, type GenerationClient } from './generation-call.js';

/**
 * The SDK (1.12.0) takes no `temperature` or `top_p`: only `max_tokens` and `stop_sequences` of a
 * version's config reach Claude. A schema is asked for as a forced tool call, as the eval judge does.
 */
export const generateWithAnthropic: GenerationClient = async (call) => {
  const client = new Anthropic({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const { params, schema } = call;
  const { system, turns } = splitSystem(call.messages);
  const message = await client.messages.create(
    {
      model: call.model,
      max_tokens: params.maxTokens,
      ...(system !== undefined && { system }),
      messages: turns.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
      ...(params.stop && { stop_sequences: params.stop }),
      ...(schema && {
        tools: [{ name: schema.name, description: 'Submit the judgement of the answer.', input_schema: schema.schema as Anthropic.Tool.InputSchema }],
        tool_choice: { type: 'tool' as const, name: schema.name, disable_parallel_tool_use: true },
      }),
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  if (schema) {
    const tool = message.content.find((block) => block.type === 'tool_use' && block.name === schema.name);
    if (tool && tool.type === 'tool_use') return JSON.stringify(tool.input);
  }
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
};
