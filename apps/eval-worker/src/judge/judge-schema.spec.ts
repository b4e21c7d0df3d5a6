import { judgeAnswerJsonSchema } from '#domain';
import { googleJudgeSchema, groqSchemaMode, openAISupportsJsonSchema } from './judge-schema.js';

type Node = { type?: unknown; properties?: Record<string, Node>; items?: Node; required?: string[]; nullable?: boolean };

/** The tree of types, property names and required lists, in one notation for both dialects. */
function outline(node: Node): unknown {
  const types = (Array.isArray(node.type) ? node.type : [node.type]).map((t) => String(t).toLowerCase());
  const nullable = node.nullable === true || types.includes('null');
  return {
    type: types.filter((t) => t !== 'null')[0], nullable, required: node.required ?? [],
    properties: node.properties && Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, outline(v)])),
    items: node.items && outline(node.items),
  };
}

describe('judge schemas', () => {
  it('gives Google the same answer shape as the JSON Schema, in its dialect and without additionalProperties', () => {
    expect(outline(googleJudgeSchema() as Node)).toEqual(outline(judgeAnswerJsonSchema() as Node));
    expect(JSON.stringify(googleJudgeSchema())).not.toContain('additionalProperties');
  });

  it.each([
    ['gpt-4o-mini', true], ['gpt-4o-2024-08-06', true], ['gpt-4.1', true], ['gpt-5-mini', true], ['o3-mini', true],
    ['gpt-4', false], ['gpt-4-0613', false], ['gpt-4-turbo', false], ['gpt-4-turbo-2024-04-09', false], ['gpt-3.5-turbo', false],
  ])('OpenAI %s takes json_schema: %p', (model, expected) => {
    expect(openAISupportsJsonSchema(model)).toBe(expected);
  });

  it.each([
    ['openai/gpt-oss-120b', 'strict'],
    ['openai/gpt-oss-20b', 'strict'],
    ['meta-llama/llama-4-scout-17b-16e-instruct', 'best-effort'],
    ['moonshotai/kimi-k2-instruct-0905', 'best-effort'],
    ['llama-3.3-70b-versatile', 'json_object'],
    ['llama-3.1-8b-instant', 'json_object'],
  ])('Groq %s: %s', (model, expected) => {
    expect(groqSchemaMode(model)).toBe(expected);
  });
});
