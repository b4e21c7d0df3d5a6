import { moveMessage, previewDiff, withoutUid, withUid } from './messages.js';

describe('the messages editor', () => {
  it('moves a message up or down, and nowhere past the ends', () => {
    expect(moveMessage(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveMessage(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveMessage(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(moveMessage(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
  });

  it('gives each edited message its own key and takes it off again', () => {
    const a = withUid({ role: 'user', content: 'x' });
    const b = withUid({ role: 'user', content: 'x' });
    expect(a.uid).not.toBe(b.uid);
    expect(withoutUid(a)).toEqual({ role: 'user', content: 'x' });
  });
});

describe('previewDiff', () => {
  it('diffs text content against the live version', () => {
    expect(previewDiff({ content: 'one\ntwo' }, { content: 'one\nthree' })).toEqual({
      lines: [{ op: ' ', text: 'one' }, { op: '-', text: 'two' }, { op: '+', text: 'three' }],
      added: 1,
      removed: 1,
    });
  });

  it('diffs chat messages in the rendering the registry diffs', () => {
    const diff = previewDiff(
      { messages: [{ role: 'system', content: 'Be formal.' }] },
      { messages: [{ role: 'system', content: 'Be casual.' }, { role: 'placeholder', name: 'history' }] },
    );
    expect(diff.lines).toEqual([
      { op: ' ', text: '[system]' },
      { op: '-', text: 'Be formal.' },
      { op: '+', text: 'Be casual.' },
      { op: '+', text: '[placeholder:history]' },
    ]);
  });

  it('without a live version, everything is added', () => {
    expect(previewDiff(null, { content: 'new' })).toEqual({ lines: [{ op: '+', text: 'new' }], added: 1, removed: 0 });
  });
});
