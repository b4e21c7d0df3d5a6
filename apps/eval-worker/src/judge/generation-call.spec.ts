import { generationParams, googleSchemaOf, splitSystem } from './generation-call.js';

describe('generationParams', () => {
  it.each([
    [{}, { maxTokens: 4096 }],
    [{ temperature: 0.2, top_p: 0.5, max_tokens: 300, stop: '###' }, { temperature: 0.2, topP: 0.5, maxTokens: 300, stop: ['###'] }],
    [{ max_completion_tokens: 50, stop: ['a', 1, 'b'] }, { maxTokens: 50, stop: ['a', 'b'] }],
    [{ temperature: '0.2', top_p: null, max_tokens: 1.5, stop: [], seed: 3 }, { maxTokens: 4096 }],
    [{ max_tokens: -1, temperature: Number.NaN }, { maxTokens: 4096 }],
  ])('%j -> %j', (config, expected) => {
    expect(generationParams(config, 4096)).toEqual(expected);
  });
});

describe('splitSystem', () => {
  it('joins system messages and keeps the turns', () => {
    expect(splitSystem([{ role: 'system', content: 'a' }, { role: 'user', content: 'q' }, { role: 'system', content: 'b' }]))
      .toEqual({ system: 'a\n\nb', turns: [{ role: 'user', content: 'q' }] });
  });
  it('sends a lone system text as the user turn', () => {
    expect(splitSystem([{ role: 'system', content: 'only' }])).toEqual({ system: undefined, turns: [{ role: 'user', content: 'only' }] });
  });
});

describe('googleSchemaOf', () => {
  it('upper-cases types, drops additionalProperties at every depth and marks enums', () => {
    expect(googleSchemaOf({
      type: 'object', additionalProperties: false, required: ['v', 'c'],
      properties: { v: { type: 'string', enum: ['same'] }, c: { type: 'object', additionalProperties: false, properties: { p: { type: 'boolean' } } } },
    })).toEqual({
      type: 'OBJECT', required: ['v', 'c'],
      properties: { v: { type: 'STRING', enum: ['same'], format: 'enum' }, c: { type: 'OBJECT', properties: { p: { type: 'BOOLEAN' } } } },
    });
  });
});
