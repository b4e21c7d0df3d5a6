import { SchemaType, type ResponseSchema } from '@google/generative-ai';
import { JUDGE_ANSWER_SCHEMA_NAME, JUDGE_CRITERIA, judgeAnswerJsonSchema } from '#domain';

/** The answer as each provider takes a schema for it. The shape is libs/domain's judgeAnswerJsonSchema. */
export const JUDGE_SCHEMA_NAME = JUDGE_ANSWER_SCHEMA_NAME;
export const JUDGE_TOOL_NAME = 'submit_prompt_evaluation';
export const judgeJsonSchema = judgeAnswerJsonSchema;

/** Google's dialect: SchemaType names, `nullable` instead of a type list, no `additionalProperties`. */
export function googleJudgeSchema(): ResponseSchema {
  const criterion: ResponseSchema = {
    type: SchemaType.OBJECT,
    properties: {
      score: { type: SchemaType.INTEGER },
      reason: { type: SchemaType.STRING },
      suggestion: { type: SchemaType.STRING, nullable: true },
    },
    required: ['score', 'reason', 'suggestion'],
  };
  return {
    type: SchemaType.OBJECT,
    properties: {
      criteria: {
        type: SchemaType.OBJECT,
        properties: Object.fromEntries(JUDGE_CRITERIA.map((c) => [c.name, { ...criterion, description: c.asks }])),
        required: JUDGE_CRITERIA.map((c) => c.name),
      },
      suggestions: { type: SchemaType.ARRAY, items: { type: SchemaType.STRING } },
    },
    required: ['criteria', 'suggestions'],
  };
}

/**
 * OpenAI models that predate Structured Outputs (they refuse `json_schema` with a 400) get JSON mode
 * and the tolerant parser; every newer model (gpt-4o and later, o-series, gpt-4.1, gpt-5) gets the schema.
 */
const OPENAI_JSON_MODE_ONLY = /^(?:gpt-3\.5|gpt-4(?:-\d{4}|-turbo|-32k|-vision|$))/;
export const openAISupportsJsonSchema = (model: string): boolean => !OPENAI_JSON_MODE_ONLY.test(model);

/**
 * Groq serves `json_schema` on a few models only (console.groq.com/docs/structured-outputs), and
 * `strict` (constrained decoding) on the gpt-oss ones; any other model gets `json_object` and the
 * tolerant parser, since an unsupported `json_schema` is a 400.
 */
const GROQ_STRICT_SCHEMA = new Set(['openai/gpt-oss-20b', 'openai/gpt-oss-120b', 'openai/gpt-oss-safeguard-20b']);
const GROQ_SCHEMA = new Set([
  ...GROQ_STRICT_SCHEMA,
  'moonshotai/kimi-k2-instruct',
  'moonshotai/kimi-k2-instruct-0905',
  'meta-llama/llama-4-maverick-17b-128e-instruct',
  'meta-llama/llama-4-scout-17b-16e-instruct',
]);
export function groqSchemaMode(model: string): 'strict' | 'best-effort' | 'json_object' {
  if (GROQ_STRICT_SCHEMA.has(model)) return 'strict';
  return GROQ_SCHEMA.has(model) ? 'best-effort' : 'json_object';
}
