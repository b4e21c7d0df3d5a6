import fc from 'fast-check';
import { DIFF_WORK_BUDGET, lineDiff, lineDiffWithStats } from './line-diff.js';

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

  const lines = (alphabet: string[], maxLength: number) => fc.array(fc.constantFrom(...alphabet), { maxLength });
  const doc2 = fc.oneof(lines(['a', 'b'], 60), lines(['a', 'b', 'c', 'd', 'e', ''], 60), lines(['x', 'y', 'z', 'w', 'v', 'u', 't'], 20))
    .map((ls) => ls.join('\n'));

  it('is an edit script: applied to the old lines it gives the new ones, and is minimal under budget', () => {
    fc.assert(fc.property(doc2, doc2, (beforeText, afterText) => {
      const [before, after] = [split(beforeText), split(afterText)];
      const r = lineDiffWithStats(beforeText, afterText);
      expect(r.coarse).toBe(false);
      expect(apply(before, r.diff)).toEqual(after);
      expect(r.diff.added + r.diff.removed).toBe(before.length + after.length - 2 * lcs(before, after));
    }), { numRuns: 400 });
  });

  it('over a small budget answers coarsely, still as a correct edit script, and minimal whenever not coarse', () => {
    fc.assert(fc.property(doc2, doc2, fc.nat(200), (beforeText, afterText, budget) => {
      const [before, after] = [split(beforeText), split(afterText)];
      const r = lineDiffWithStats(beforeText, afterText, budget);
      expect(apply(before, r.diff)).toEqual(after);
      expect(r.steps).toBeLessThanOrEqual(budget + before.length + after.length);
      const changed = r.diff.added + r.diff.removed;
      const minimal = before.length + after.length - 2 * lcs(before, after);
      if (r.coarse) expect(changed).toBeGreaterThanOrEqual(minimal);
      else expect(changed).toBe(minimal);
    }), { numRuns: 400 });
  });

  it('bounds its work by the budget on two 40,000-line contents that share lines but little order', () => {
    const random = seeded(7);
    const side = () => Array.from({ length: 40_000 }, () => `l${Math.floor(random() * 50)}`);
    const before = side();
    const after = side();
    const r = lineDiffWithStats(before.join('\n'), after.join('\n'));
    expect(r.coarse).toBe(true);
    expect(r.steps).toBeLessThanOrEqual(DIFF_WORK_BUDGET + before.length + after.length);
    expect(apply(before, r.diff)).toEqual(after);
    const small = lineDiffWithStats(before.join('\n'), after.join('\n'), 5_000);
    expect(small.steps).toBeLessThanOrEqual(5_000 + before.length + after.length);
    expect(apply(before, small.diff)).toEqual(after);
  });

  it('answers 4,000 distinct lines on each side as all removed then all added without searching', () => {
    const before = Array.from({ length: 4000 }, (_, i) => `old line ${i}`);
    const after = Array.from({ length: 4000 }, (_, i) => `new line ${i}`);
    const r = lineDiffWithStats(before.join('\n'), after.join('\n'));
    expect(r).toMatchObject({ coarse: false, steps: 0, diff: { added: 4000, removed: 4000 } });
    expect(r.diff.lines.slice(3999, 4001)).toEqual([{ op: '-', text: 'old line 3999' }, { op: '+', text: 'new line 0' }]);
  });

  it('spends steps in proportion to the edits: a few edits in 2,000 lines take a few thousand steps', () => {
    const base = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const edited = [...base];
    edited[10] = 'changed';
    edited[1500] = 'line 3';
    edited.splice(500, 3);
    const r = lineDiffWithStats(base.join('\n'), edited.join('\n'));
    expect(r.coarse).toBe(false);
    expect(r.steps).toBeLessThan(20_000);
    expect(apply(base, r.diff)).toEqual(edited);
  });
});

/** Applies the script to the old lines: ' ' and '-' must name the next old line, '+' inserts. */
function apply(old: string[], d: ReturnType<typeof lineDiff>): string[] {
  const out: string[] = [];
  let i = 0;
  for (const l of d.lines) {
    if (l.op === '+') {
      out.push(l.text);
      continue;
    }
    if (old[i] !== l.text) throw new Error(`line ${i}: script says ${JSON.stringify(l.text)}, old has ${JSON.stringify(old[i])}`);
    i++;
    if (l.op === ' ') out.push(l.text);
  }
  if (i !== old.length) throw new Error(`script consumed ${i} of ${old.length} old lines`);
  return out;
}
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}
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
