import fc from 'fast-check';
import { lineDiff } from './line-diff.js';

const render = (d: ReturnType<typeof lineDiff>) => d.lines.map((l) => `${l.op}${l.text}`);

describe('lineDiff', () => {
  it.each([
    ['', '', [], 0, 0],
    ['', 'a\nb', ['+a', '+b'], 2, 0],
    ['a\nb', '', ['-a', '-b'], 0, 2],
    ['a\nb\nc', 'a\nb\nc', [' a', ' b', ' c'], 0, 0],
    ['a\nb\nc', 'a\nX\nc', [' a', '-b', '+X', ' c'], 1, 1],
    ['a\nb\nc\n', 'a\nc\n', [' a', '-b', ' c'], 0, 1],
    ['You are terse.\nAnswer in English.', 'You are terse.\nAnswer in {{language}}.\nCite sources.',
      [' You are terse.', '-Answer in English.', '+Answer in {{language}}.', '+Cite sources.'], 2, 1],
    ['a\r\nb', 'a\nb', [' a', ' b'], 0, 0],
  ])('%j -> %j', (before, after, expected, added, removed) => {
    const d = lineDiff(before, after);
    expect(render(d)).toEqual(expected);
    expect(d.added).toBe(added);
    expect(d.removed).toBe(removed);
  });

  const doc = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 30 }).map((ls) => ls.join('\n'));

  it('replays: unchanged + removed lines give the old text, unchanged + added the new', () => {
    fc.assert(fc.property(doc, doc, (before, after) => {
      const d = lineDiff(before, after);
      expect(d.lines.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(split(before));
      expect(d.lines.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(split(after));
    }));
  });

  it('finds a shortest edit script: the unchanged lines are a longest common subsequence', () => {
    fc.assert(fc.property(doc, doc, (before, after) => {
      const d = lineDiff(before, after);
      expect(commonOf(d)).toBe(lcs(split(before), split(after)));
    }));
  });

  it('diffs two 2,000-line prompts with a few edits quickly enough for a request', () => {
    const base = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const edited = [...base];
    edited[10] = 'changed';
    edited.splice(500, 3);
    edited.push('new tail');
    const d = lineDiff(base.join('\n'), edited.join('\n'));
    expect(d.removed).toBe(4);
    expect(d.added).toBe(2);
  });
});

function split(t: string): string[] {
  const l = t === '' ? [] : t.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}
function commonOf(d: ReturnType<typeof lineDiff>): number {
  return d.lines.filter((l) => l.op === ' ').length;
}
function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++)
    dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  return dp[a.length][b.length];
}
