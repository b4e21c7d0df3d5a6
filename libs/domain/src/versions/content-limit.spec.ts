import fc from 'fast-check';
import { checkContentSize, PROMPT_CONTENT_MAX_BYTES, utf8ByteLength } from './content-limit.js';

describe('utf8ByteLength', () => {
  it('agrees with the UTF-8 encoder on any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }),
      (...texts) => {
        for (const t of texts) expect(utf8ByteLength(t)).toBe(encoder.encode(t).length);
      }));
  });
});

describe('checkContentSize', () => {
  it.each([
    ['ASCII', 'a'],
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])('accepts exactly 256 KiB of %s characters and refuses one byte more', (_name, unit) => {
    const size = new TextEncoder().encode(unit).length;
    const exact = unit.repeat(Math.floor(PROMPT_CONTENT_MAX_BYTES / size)) + 'a'.repeat(PROMPT_CONTENT_MAX_BYTES % size);
    expect(checkContentSize(exact)).toBe(exact);
    expect(() => checkContentSize(`${exact}a`)).toThrow(expect.objectContaining({
      kind: 'validation', code: 'validation_failed', details: [expect.objectContaining({ field: 'content' })],
    }));
  });

  it('names the field it checks', () => {
    expect(() => checkContentSize('abcd', 'messages[2].content', 3)).toThrow(expect.objectContaining({
      details: [{ field: 'messages[2].content', messages: ['messages[2].content must be at most 3 bytes (UTF-8)'] }],
    }));
  });
});
