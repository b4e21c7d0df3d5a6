import { promptListCursor, readPromptListQuery } from './prompt-list.js';

describe('readPromptListQuery', () => {
  it('reads the defaults, a limit (capped at 200) and a cursor made by promptListCursor', () => {
    expect(readPromptListQuery({})).toEqual({ limit: 50, after: null });
    expect(readPromptListQuery({ limit: '7' })).toEqual({ limit: 7, after: null });
    expect(readPromptListQuery({ limit: '5000' })).toEqual({ limit: 200, after: null });
    expect(readPromptListQuery({ cursor: promptListCursor('support.reply-2') })).toEqual({ limit: 50, after: 'support.reply-2' });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ cursor: '' }, 'cursor'],
    [{ cursor: 'not base64!' }, 'cursor'],
    [{ cursor: Buffer.from('Upper.Case').toString('base64url') }, 'cursor'],
    [{ cursor: `${promptListCursor('abc')}A` }, 'cursor'],
    [{ cursor: ['a', 'b'] }, 'cursor'],
  ])('refuses %j', (query, field) => {
    expect(readPromptListQuery(query)).toMatchObject({ field });
  });
});
