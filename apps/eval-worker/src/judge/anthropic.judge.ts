import Anthropic from '@anthropic-ai/sdk';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';

/**
 * No JSON mode here: structured outputs (output_config.format) would refuse older models a request
 * may name, so the rubric asks for JSON and the parser tolerates a fence. The SDK no longer takes
 * `temperature`.
 */
export const callAnthropicJudge: JudgeProviderClient = async (call) => {
  const client = new Anthropic({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const message = await client.messages.create(
    {
      model: call.model,
      max_tokens: JUDGE_MAX_OUTPUT_TOKENS,
      system: call.system,
      messages: [{ role: 'user', content: call.user }],
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
};
