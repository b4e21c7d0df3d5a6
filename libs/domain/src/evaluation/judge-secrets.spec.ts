import fc from 'fast-check';
import { scrubProviderKeys } from './judge-secrets.js';

describe('scrubProviderKeys', () => {
  it.each([
    ['the key in hand', 'failed with my-weird-key-1234 in it', ['my-weird-key-1234'], 'failed with [redacted] in it'],
    ['an OpenAI-shaped key', 'Incorrect API key provided: sk-proj-abcdefghijklmnop', [], 'Incorrect API key provided: [redacted]'],
    ['a Groq-shaped key', 'bad gsk_abcdefghijklmnopqrstu', [], 'bad [redacted]'],
    ['a Google-shaped key', 'bad AIzaSyA1234567890abcdefghijkl', [], 'bad [redacted]'],
    ['a bearer token', 'sent Authorization: Bearer abc.def.ghi123', [], 'sent Authorization: [redacted]'],
    ['a key in a URL query', 'GET https://x.test/v1?alt=json&key=secret123', [], 'GET https://x.test/v1?alt=json&key=[redacted]'],
  ])('removes %s', (_, text, keys, expected) => {
    expect(scrubProviderKeys(text, keys)).toBe(expected);
  });

  it.each([
    ['its first 12 characters', (k: string) => `saw ${k.slice(0, 12)} then`, 'saw [redacted] then'],
    ['its first 30 characters, cut', (k: string) => `saw ${k.slice(0, 30)}…`, 'saw [redacted]…'],
    ['the key twice, run together', (k: string) => `${k}${k}!`, '[redacted][redacted]!'],
    ['11 characters, too few to tell', (k: string) => `saw ${k.slice(0, 11)}`, 'saw team-key-01'],
  ])('removes a known key\'s prefix: %s', (_, text, expected) => {
    const key = `team-key-${'0123456789abcdef'.repeat(3)}`;
    expect(scrubProviderKeys(text(key), [key])).toBe(expected);
  });

  it('leaves ordinary messages alone', () => {
    expect(scrubProviderKeys('openai answered 401 (authentication failed)', ['k3y-value'])).toBe('openai answered 401 (authentication failed)');
  });

  it('never lets a known key through, wherever it sits', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 8, maxLength: 60 }).filter((k) => !k.includes('[redacted]')), fc.string(), (before, key, after) => {
      return !scrubProviderKeys(`${before}${key}${after}`, [key]).includes(key);
    }));
  });
});
