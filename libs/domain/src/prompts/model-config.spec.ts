import { ValidationError } from '../errors.js';
import { configChanges, readModelConfig } from './model-config.js';

const fieldOf = (value: unknown): string => {
  try {
    readModelConfig(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return ((err as ValidationError).details as Array<{ field: string }>)[0].field;
  }
  throw new Error('no error');
};

describe('readModelConfig', () => {
  it('keeps known keys that are valid and unknown keys as given', () => {
    const config = {
      provider: 'openai', model: 'gpt-4o-mini', temperature: 0, top_p: 1, max_tokens: 1_000_000, stop: ['\n\n'],
      response_format: { type: 'json_object' }, seed: 7, tools: [{ name: 'x' }],
    };
    expect(readModelConfig(config)).toEqual(config);
    expect(readModelConfig({})).toEqual({});
    expect(readModelConfig({ temperature: 2, top_p: 0, max_tokens: 1, stop: [] })).toEqual({ temperature: 2, top_p: 0, max_tokens: 1, stop: [] });
  });

  it.each([
    [null, 'config'],
    [[], 'config'],
    ['x', 'config'],
    [{ provider: 'azure' }, 'config.provider'],
    [{ provider: null }, 'config.provider'],
    [{ model: '' }, 'config.model'],
    [{ model: 'm'.repeat(201) }, 'config.model'],
    [{ model: 4 }, 'config.model'],
    [{ temperature: 2.01 }, 'config.temperature'],
    [{ temperature: -0.1 }, 'config.temperature'],
    [{ temperature: '0.5' }, 'config.temperature'],
    [{ top_p: 1.5 }, 'config.top_p'],
    [{ max_tokens: 0 }, 'config.max_tokens'],
    [{ max_tokens: 1.5 }, 'config.max_tokens'],
    [{ max_tokens: 1_000_001 }, 'config.max_tokens'],
    [{ stop: 'END' }, 'config.stop'],
    [{ stop: Array.from({ length: 9 }, (_, i) => `s${i}`) }, 'config.stop'],
    [{ stop: [1] }, 'config.stop'],
    [{ notes: 'x'.repeat(16_384) }, 'config'],
    [{ a: { b: { c: { d: { e: {} } } } } }, 'config'],
    [{ a: [[[[[1]]]]] }, 'config'],
  ])('refuses %j', (value, field) => {
    expect(fieldOf(value)).toBe(field);
  });

  it('takes depth 5 and exactly 16,384 bytes', () => {
    expect(readModelConfig({ a: { b: { c: [{ d: 1 }] } } })).toEqual({ a: { b: { c: [{ d: 1 }] } } });
    expect(readModelConfig({ a: [[[[1]]]] })).toEqual({ a: [[[[1]]]] });
    const fill = 16_384 - JSON.stringify({ n: '' }).length;
    expect(readModelConfig({ n: 'x'.repeat(fill) })).toBeDefined();
    expect(fieldOf({ n: 'é'.repeat(fill / 2 + 1) })).toBe('config');
  });
});

describe('configChanges', () => {
  it('is empty when nothing changed, whatever the key order', () => {
    expect(configChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
    expect(configChanges({}, {})).toEqual([]);
    expect(configChanges(null, {})).toEqual([]);
  });

  it('lists every changed leaf sorted by path, absent sides null, arrays compared whole', () => {
    expect(configChanges(
      { temperature: 0.2, model: 'a', stop: ['x'], response_format: { type: 'text' }, old: true },
      { temperature: 0.9, model: 'a', stop: ['x', 'y'], response_format: { type: 'json_object', schema: { s: 1 } }, max_tokens: 10 },
    )).toEqual([
      { path: 'max_tokens', before: null, after: 10 },
      { path: 'old', before: true, after: null },
      { path: 'response_format.schema.s', before: null, after: 1 },
      { path: 'response_format.type', before: 'text', after: 'json_object' },
      { path: 'stop', before: ['x'], after: ['x', 'y'] },
      { path: 'temperature', before: 0.2, after: 0.9 },
    ]);
  });

  it('compares an object against a scalar, or an empty object against nothing, whole', () => {
    expect(configChanges({ a: { b: 1 } }, { a: 5 })).toEqual([{ path: 'a', before: { b: 1 }, after: 5 }]);
    expect(configChanges({}, { a: {} })).toEqual([{ path: 'a', before: null, after: {} }]);
  });
});
