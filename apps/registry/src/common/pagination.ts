import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
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
