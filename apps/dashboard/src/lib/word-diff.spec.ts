import { tokens, wordDiff } from './word-diff.js';

const join = (pieces: Array<{ text: string }>) => pieces.map((p) => p.text).join('');

describe('wordDiff', () => {
  it('marks the words only one answer has, and gives both texts back whole', () => {
    const before = 'Dear customer, your order is late.';
    const after = 'Hey there, your order is late!';
    const { before: b, after: a } = wordDiff(before, after);
    expect(join(b)).toBe(before);
    expect(join(a)).toBe(after);
    expect(b.filter((p) => p.changed).map((p) => p.text)).toEqual(['Dear customer,', 'late.']);
    expect(a.filter((p) => p.changed).map((p) => p.text)).toEqual(['Hey there,', 'late!']);
  });

  it('marks nothing when the answers are equal, everything when they share no word', () => {
    expect(wordDiff('same words', 'same words')).toEqual({
      before: [{ text: 'same words', changed: false }],
      after: [{ text: 'same words', changed: false }],
    });
    expect(wordDiff('a b', 'c d')).toEqual({ before: [{ text: 'a b', changed: true }], after: [{ text: 'c d', changed: true }] });
  });

  it('handles an empty side', () => {
    expect(wordDiff('', 'new text')).toEqual({ before: [], after: [{ text: 'new text', changed: true }] });
  });

  it('splits text into words and whitespace that join back to it', () => {
    const text = '  two\nlines\tand  spaces ';
    expect(tokens(text).join('')).toBe(text);
    expect(tokens('')).toEqual([]);
  });
});
