import fc from 'fast-check';
import { hashText, ifNoneMatchHits, renderedEtag, versionEtag } from './etag.js';

describe('entity tags', () => {
  const tag = versionEtag('6a1c8d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e', 't');

  it('quotes a version tag and tells representations apart', () => {
    expect(tag).toBe('"6a1c8d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e.t"');
    expect(versionEtag('x', 'j')).not.toBe(versionEtag('x', 't'));
  });

  it('gives equal rendered bodies equal tags and different ones different tags', () => {
    expect(renderedEtag('v', 't', 'Hi Ana')).toBe(renderedEtag('v', 't', 'Hi Ana'));
    expect(renderedEtag('v', 't', 'Hi Ana')).not.toBe(renderedEtag('v', 't', 'Hi Bob'));
    expect(renderedEtag('v', 't', 'Hi Ana')).not.toBe(renderedEtag('w', 't', 'Hi Ana'));
  });

  it.each([
    [undefined, false],
    ['', false],
    [tag, true],
    [`W/${tag}`, true],
    [`"other", ${tag}`, true],
    [`"other" ,W/${tag} `, true],
    ['*', true],
    ['"other"', false],
    [tag.slice(1, -1), false],
  ])('If-None-Match %j matches: %s', (header, expected) => {
    expect(ifNoneMatchHits(header, tag)).toBe(expected);
  });

  it('hashes to a safe integer, and rarely collides on nearby strings', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const h = hashText(s);
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
      expect(hashText(s)).toBe(h);
    }));
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(hashText(`Hello user ${i}`));
    expect(seen.size).toBe(100_000);
  });
});
