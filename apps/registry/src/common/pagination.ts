import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { HttpRequest as Request } from './http.js';
import { ValidationError } from '#domain';
import { isUuid } from './ids.js';
import { INT4_MAX } from './validation.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** `?limit=` and `?cursor=` of a list request, checked; the cursor is still opaque here. */
export interface PageRequest {
  limit: number;
  cursor: string | null;
}

/** Every list answers this shape (API.md). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,1024}$/;

function badCursor(): ValidationError {
  return new ValidationError('cursor is malformed.', [{ field: 'cursor', messages: ['cursor is malformed'] }]);
}

export function readPageRequest(query: Record<string, unknown>): PageRequest {
  let limit = DEFAULT_PAGE_LIMIT;
  if (query.limit !== undefined) {
    const raw = query.limit;
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) === 0) {
      throw new ValidationError('limit must be a positive integer.', [{ field: 'limit', messages: ['limit must be a positive integer'] }]);
    }
    limit = Math.min(Number(raw), MAX_PAGE_LIMIT);
  }
  let cursor: string | null = null;
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== 'string' || !CURSOR_TEXT.test(query.cursor)) throw badCursor();
    cursor = query.cursor;
  }
  return { limit, cursor };
}

/** `@Pagination() page: PageRequest` in a list handler (put `@ApiPageQuery()` on the handler for the docs). */
export const Pagination = createParamDecorator((_data: unknown, ctx: ExecutionContext): PageRequest =>
  readPageRequest(ctx.switchToHttp().getRequest<Request>().query as Record<string, unknown>));

/** Documents `?limit=` and `?cursor=` in the OpenAPI document. */
export const ApiPageQuery = () => applyDecorators(
  ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, default: DEFAULT_PAGE_LIMIT, maximum: MAX_PAGE_LIMIT } }),
  ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'next_cursor of the previous page' }),
);

/**
 * What one position of a keyset cursor holds; `timestamp` is the exact text of `exactTimestampSql`,
 * `integer` a positive int4 (version_num) and `bigint` a positive safe integer (audit seq).
 */
export type CursorField = 'uuid' | 'timestamp' | 'integer' | 'bigint' | 'text';
type CursorValue<F extends CursorField> = F extends 'integer' | 'bigint' ? number : string;
export type CursorValues<S extends readonly CursorField[]> = { [I in keyof S]: CursorValue<S[I]> };

const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function fits(field: CursorField, value: unknown): boolean {
  switch (field) {
    case 'uuid': return isUuid(value);
    case 'timestamp': return typeof value === 'string' && EXACT_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
    case 'integer': return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= INT4_MAX;
    case 'bigint': return Number.isSafeInteger(value) && (value as number) >= 1;
    case 'text': return typeof value === 'string' && value.length <= 512;
  }
}

export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The keyset position a cursor names, checked against the list's own `shape`, so that a forged
 * or stale cursor is `400` rather than a database error.
 */
export function decodeCursor<const S extends readonly CursorField[]>(cursor: string | null, shape: S): CursorValues<S> | null {
  if (cursor === null) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(values) || values.length !== shape.length || !shape.every((f, i) => fits(f, values[i]))) {
    throw badCursor();
  }
  return values as CursorValues<S>;
}

/**
 * Turns `limit + 1` rows fetched in keyset order into a page: the extra row only says that
 * another page exists, and the cursor is the position of the last row shown.
 */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  positionOf: (row: Row) => ReadonlyArray<string | number>,
  present: (row: Row) => Item,
): Page<Item> {
  const shown = rows.slice(0, limit);
  const more = rows.length > limit && shown.length > 0;
  return { items: shown.map(present), next_cursor: more ? encodeCursor(positionOf(shown[shown.length - 1])) : null };
}

/**
 * SQL for a timestamptz as exact UTC text with microseconds: a JavaScript Date keeps only
 * milliseconds, so a keyset position taken from one would skip or repeat rows.
 */
export function exactTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The order of a list: its columns in SQL, most significant first, the last one unique so the
 * order is total; what each holds in a cursor; one direction for all of them.
 */
export interface Keyset<S extends readonly CursorField[]> {
  columns: { readonly [I in keyof S]: string };
  shape: S;
  direction: 'ASC' | 'DESC';
}

/** Newest first by (created_at, id), the order of most lists; `ASC` for oldest first. */
export function byCreation(alias: string, direction: 'ASC' | 'DESC' = 'DESC'): Keyset<readonly ['timestamp', 'uuid']> {
  return { columns: [`${alias}.created_at`, `${alias}.id`], shape: ['timestamp', 'uuid'], direction };
}

const SQL_TYPE: Record<CursorField, string> = { uuid: 'uuid', timestamp: 'timestamptz', integer: 'int4', bigint: 'int8', text: 'text' };

/** `ORDER BY` of the keyset, without the keywords. */
export function keysetOrderSql<S extends readonly CursorField[]>(keyset: Keyset<S>): string {
  return (keyset.columns as readonly string[]).map((column) => `${column} ${keyset.direction}`).join(', ');
}

/**
 * The rows after `after` in the keyset's order, as one row comparison (one index range);
 * `placeholder` puts the i-th value into the statement and answers its parameter's SQL.
 */
export function keysetAfterSql<S extends readonly CursorField[]>(
  keyset: Keyset<S>,
  after: CursorValues<S>,
  placeholder: (value: string | number, index: number) => string,
): string {
  const columns = keyset.columns as readonly string[];
  const values = columns.map((_, i) => `CAST(${placeholder((after as ReadonlyArray<string | number>)[i], i)} AS ${SQL_TYPE[keyset.shape[i]]})`);
  const op = keyset.direction === 'DESC' ? '<' : '>';
  return columns.length === 1 ? `${columns[0]} ${op} ${values[0]}` : `(${columns.join(', ')}) ${op} (${values.join(', ')})`;
}

/**
 * One page of a list written in SQL: the cursor is read (`400` when it does not fit the keyset)
 * before any SQL runs; the statement adds `afterSql`, `orderSql` and `limitSql`, and `pageOf`
 * makes the page of the rows it fetched.
 */
export class KeysetWindow<S extends readonly CursorField[]> {
  readonly after: CursorValues<S> | null;

  constructor(private readonly keyset: Keyset<S>, private readonly page: PageRequest) {
    this.after = decodeCursor(page.cursor, keyset.shape);
  }

  /** The condition on rows after the cursor, its values pushed onto `params`; null on the first page. */
  afterSql(params: unknown[]): string | null {
    return this.after === null ? null : keysetAfterSql(this.keyset, this.after, (value) => `$${params.push(value)}`);
  }

  orderSql(): string {
    return keysetOrderSql(this.keyset);
  }

  /** The LIMIT parameter: one row more than the page, which only says that another page exists. */
  limitSql(params: unknown[]): string {
    return `$${params.push(this.page.limit + 1)}`;
  }

  pageOf<Row, Item>(rows: Row[], positionOf: (row: Row) => CursorValues<S>, present: (row: Row) => Item): Page<Item> {
    return pageOf(rows, this.page.limit, positionOf as (row: Row) => ReadonlyArray<string | number>, present);
  }
}

/**
 * The SQL that selects a position as the cursor holds it: a timestamp as its exact text, else a
 * cast, never the bare column (TypeORM would take `k.id` for the entity's own column and drop its alias).
 */
function positionSql(field: CursorField, column: string): string {
  return field === 'timestamp' ? exactTimestampSql(column) : `CAST(${column} AS ${SQL_TYPE[field]})`;
}

/**
 * One page of entities: adds the keyset's order, the condition after the cursor and `limit + 1`
 * to `query` (which holds the list's own filter, and no join, so raw rows and entities align), and
 * reads each row's position in the same statement.
 */
export async function keysetPage<E extends ObjectLiteral, S extends readonly CursorField[], Item>(
  query: SelectQueryBuilder<E>,
  keyset: Keyset<S>,
  page: PageRequest,
  present: (entity: E) => Item,
): Promise<Page<Item>> {
  const window = new KeysetWindow(keyset, page);
  const columns = keyset.columns as readonly string[];
  columns.forEach((column, i) => {
    query.addSelect(positionSql(keyset.shape[i], column), `keyset_${i}`);
    if (i === 0) query.orderBy(column, keyset.direction);
    else query.addOrderBy(column, keyset.direction);
  });
  query.limit(page.limit + 1);
  if (window.after !== null) {
    const values: Record<string, string | number> = {};
    query.andWhere(keysetAfterSql(keyset, window.after, (value, i) => {
      values[`keyset_${i}`] = value;
      return `:keyset_${i}`;
    }), values);
  }
  const { entities, raw } = await query.getRawAndEntities<Record<string, unknown>>();
  const rows = entities.map((entity, i) => ({
    entity,
    position: keyset.shape.map((field, f) => (field === 'bigint' ? Number(raw[i][`keyset_${f}`]) : raw[i][`keyset_${f}`])) as CursorValues<S>,
  }));
  return window.pageOf(rows, (r) => r.position, (r) => present(r.entity));
}
