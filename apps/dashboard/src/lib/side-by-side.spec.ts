import { sideBySide, type DiffLine } from './side-by-side.js';

const l = (op: DiffLine['op'], text: string): DiffLine => ({ op, text });

describe('sideBySide', () => {
  it('puts unchanged lines on both sides with their own numbers', () => {
    expect(sideBySide([l(' ', 'a'), l(' ', 'b')])).toEqual([
      { left: { num: 1, text: 'a', changed: false }, right: { num: 1, text: 'a', changed: false } },
      { left: { num: 2, text: 'b', changed: false }, right: { num: 2, text: 'b', changed: false } },
    ]);
  });

  it('pairs the n-th removed line with the n-th added one within a change', () => {
    const rows = sideBySide([l(' ', 'keep'), l('-', 'old 1'), l('-', 'old 2'), l('+', 'new 1'), l(' ', 'end')]);
    expect(rows).toEqual([
      { left: { num: 1, text: 'keep', changed: false }, right: { num: 1, text: 'keep', changed: false } },
      { left: { num: 2, text: 'old 1', changed: true }, right: { num: 2, text: 'new 1', changed: true } },
      { left: { num: 3, text: 'old 2', changed: true }, right: null },
      { left: { num: 4, text: 'end', changed: false }, right: { num: 3, text: 'end', changed: false } },
    ]);
  });

  it('shows a pure addition or removal beside nothing', () => {
    expect(sideBySide([l('+', 'x'), l('+', 'y')])).toEqual([
      { left: null, right: { num: 1, text: 'x', changed: true } },
      { left: null, right: { num: 2, text: 'y', changed: true } },
    ]);
    expect(sideBySide([l('-', 'x')])).toEqual([{ left: { num: 1, text: 'x', changed: true }, right: null }]);
    expect(sideBySide([])).toEqual([]);
  });

  it('keeps every line of the diff exactly once per side', () => {
    const lines = [l('-', 'a'), l('+', 'b'), l('+', 'c'), l(' ', 'd'), l('-', 'e'), l('-', 'f'), l('+', 'g')];
    const rows = sideBySide(lines);
    expect(rows.flatMap((r) => (r.left ? [r.left.text] : []))).toEqual(lines.filter((x) => x.op !== '+').map((x) => x.text));
    expect(rows.flatMap((r) => (r.right ? [r.right.text] : []))).toEqual(lines.filter((x) => x.op !== '-').map((x) => x.text));
  });
});
