import { ValidationError } from '#domain';
import { byCreation, decodeCursor, encodeCursor, keysetAfterSql, keysetOrderSql, KeysetWindow, pageOf, readPageRequest, type Keyset } from './pagination.js';

describe('readPageRequest', () => {
  it.each([
    [{}, 50],
    [{ limit: '1' }, 1],
    [{ limit: '200' }, 200],
    [{ limit: '201' }, 200],
    [{ limit: '99999999999999999999' }, 200],
  ])('%j -> limit %i', (query, limit) => {
    expect(readPageRequest(query).limit).toBe(limit);
  });

  it.each([['0'], ['-1'], ['abc'], ['1.5'], ['1e3'], [''], [['1', '2']]])('refuses limit %j', (limit) => {
    expect(() => readPageRequest({ limit })).toThrow(ValidationError);
  });

  it('refuses a cursor that is not base64url text', () => {
    expect(() => readPageRequest({ cursor: 'a b' })).toThrow(ValidationError);
    expect(() => readPageRequest({ cursor: ['a', 'b'] })).toThrow(ValidationError);
    expect(readPageRequest({ cursor: 'abc' }).cursor).toBe('abc');
  });
});

describe('cursors', () => {
  const id = '3f1e2d3c-1111-4222-8333-944445555666';
  const at = '2026-01-02T03:04:05.123456Z';

  it('round-trips a keyset position', () => {
    expect(decodeCursor(encodeCursor([at, id]), ['timestamp', 'uuid'] as const)).toEqual([at, id]);
    expect(decodeCursor(null, ['uuid'] as const)).toBeNull();
  });

  it.each([
    ['not json', Buffer.from('nope').toString('base64url')],
    ['wrong arity', encodeCursor([at])],
    ['wrong types', encodeCursor([id, at])],
    ['bad timestamp', encodeCursor(['2026-13-40T00:00:00.000000Z', id])],
    ['an object', Buffer.from('{"at":1}').toString('base64url')],
  ])('refuses %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor, ['timestamp', 'uuid'] as const)).toThrow(ValidationError);
  });

  it.each([[9007199254740991], [2147483648], [0], [-1], [1.5], [1e308], ['7']])(
    'refuses the integer (int4 version_num) position %j, which the column cannot hold', (position) => {
      expect(() => decodeCursor(encodeCursor([position]), ['integer'] as const)).toThrow(ValidationError);
    });

  it('reads int4 and bigint positions within their columns', () => {
    expect(decodeCursor(encodeCursor([2147483647]), ['integer'] as const)).toEqual([2147483647]);
    expect(decodeCursor(encodeCursor([2147483648]), ['bigint'] as const)).toEqual([2147483648]);
    expect(() => decodeCursor(encodeCursor([9007199254740992]), ['bigint'] as const)).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor([0]), ['bigint'] as const)).toThrow(ValidationError);
  });

  it('pageOf shows limit rows and a cursor only when more exist', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    const full = pageOf(rows, 2, (r) => [r.n], (r) => r.n);
    expect(full.items).toEqual([1, 2]);
    expect(decodeCursor(full.next_cursor, ['integer'] as const)).toEqual([2]);
    expect(pageOf(rows.slice(0, 2), 2, (r) => [r.n], (r) => r.n)).toEqual({ items: [1, 2], next_cursor: null });
  });
});

describe('keysets', () => {
  const id = '3f1e2d3c-1111-4222-8333-944445555666';
  const at = '2026-01-02T03:04:05.123456Z';
  const bySeq: Keyset<readonly ['bigint']> = { columns: ['seq'], shape: ['bigint'], direction: 'DESC' };

  it('orders every column one way', () => {
    expect(keysetOrderSql(byCreation('k'))).toBe('k.created_at DESC, k.id DESC');
    expect(keysetOrderSql(byCreation('e', 'ASC'))).toBe('e.created_at ASC, e.id ASC');
  });

  it('reads after a position as one row comparison, each value cast to its column', () => {
    const values: Array<string | number> = [];
    const sql = keysetAfterSql(byCreation('k'), [at, id], (value, i) => {
      values.push(value);
      return `:p${i}`;
    });
    expect(sql).toBe('(k.created_at, k.id) < (CAST(:p0 AS timestamptz), CAST(:p1 AS uuid))');
    expect(values).toEqual([at, id]);
    expect(keysetAfterSql(byCreation('m', 'ASC'), [at, id], (_v, i) => `$${i + 2}`))
      .toBe('(m.created_at, m.id) > (CAST($2 AS timestamptz), CAST($3 AS uuid))');
    expect(keysetAfterSql(bySeq, [7], () => '$4')).toBe('seq < CAST($4 AS int8)');
  });

  it('a window numbers its parameters after the statement\'s own, and fetches one row more than the page', () => {
    const window = new KeysetWindow(bySeq, { limit: 2, cursor: encodeCursor([9]) });
    const params: unknown[] = ['ws'];
    expect(window.afterSql(params)).toBe('seq < CAST($2 AS int8)');
    expect(window.limitSql(params)).toBe('$3');
    expect(params).toEqual(['ws', 9, 3]);
    expect(window.orderSql()).toBe('seq DESC');
  });

  it('a window on the first page adds no condition', () => {
    const params: unknown[] = [];
    expect(new KeysetWindow(bySeq, { limit: 5, cursor: null }).afterSql(params)).toBeNull();
    expect(params).toEqual([]);
  });

  it('a window refuses a cursor of another list before any SQL', () => {
    expect(() => new KeysetWindow(bySeq, { limit: 5, cursor: encodeCursor([at, id]) })).toThrow(ValidationError);
  });

  it('a window pages its rows with the cursor of the last row shown', () => {
    const window = new KeysetWindow(bySeq, { limit: 2, cursor: null });
    const page = window.pageOf([{ seq: 9 }, { seq: 8 }, { seq: 7 }], (r) => [r.seq], (r) => r.seq);
    expect(page.items).toEqual([9, 8]);
    expect(page.next_cursor).toBe(encodeCursor([8]));
  });
});
