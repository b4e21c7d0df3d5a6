import Anthropic from '@anthropic-ai/sdk';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';
import { JUDGE_TOOL_NAME, judgeJsonSchema } from './judge-schema.js';

/**
 * The answer comes as a forced tool call: every Claude model with tools takes one, where structured
 * outputs (output_config.format) would refuse older models a request may name. The SDK no longer
 * takes `temperature`.
 */
export const callAnthropicJudge: JudgeProviderClient = async (call) => {
  const client = new Anthropic({ apiKey: call.apiKey, baseURL: call.baseUrl, timeout: call.timeoutMs, maxRetries: 0 });
  const message = await client.messages.create(
    {
      model: call.model,
      max_tokens: JUDGE_MAX_OUTPUT_TOKENS,
      system: call.system,
      messages: [{ role: 'user', content: call.user }],
      tools: [{
        name: JUDGE_TOOL_NAME,
        description: 'Submit the evaluation of the prompt: every criterion scored with a reason, and the suggestions.',
        input_schema: judgeJsonSchema() as Anthropic.Tool.InputSchema,
      }],
      tool_choice: { type: 'tool', name: JUDGE_TOOL_NAME, disable_parallel_tool_use: true },
    },
    { signal: call.signal, timeout: call.timeoutMs },
  );
  const tool = message.content.find((block) => block.type === 'tool_use' && block.name === JUDGE_TOOL_NAME);
  if (tool && tool.type === 'tool_use') return JSON.stringify(tool.input);
  // No tool call (a refusal, or max_tokens reached first): the text, for the parser to read or to fail.
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
};
