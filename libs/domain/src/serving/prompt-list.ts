import { isPromptKey } from '../prompts/prompt-key.js';

/** The list conventions of API.md: `?limit=` default 50, above 200 read as 200; `?cursor=` opaque. */
export const PROMPT_LIST_DEFAULT_LIMIT = 50;
export const PROMPT_LIST_MAX_LIMIT = 200;

export interface PromptListQuery {
  limit: number;
  /** The last key of the previous page: this page starts after it, in byte order. */
  after: string | null;
}

/** A page ends at a key; the next starts after it. The cursor is the key in base64url (keys are ASCII). */
export function promptListCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

/**
 * `GET /v1/prompts?limit=&cursor=`: the page asked for, or the problem (`field` and message) that
 * is a `400 validation_failed`, as the registry answers for its lists.
 */
export function readPromptListQuery(query: { limit?: unknown; cursor?: unknown }): PromptListQuery | { field: string; problem: string } {
  let limit = PROMPT_LIST_DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    if (typeof query.limit !== 'string' || !/^\d{1,12}$/.test(query.limit) || Number(query.limit) === 0) {
      return { field: 'limit', problem: 'limit must be a positive integer.' };
    }
    limit = Math.min(Number(query.limit), PROMPT_LIST_MAX_LIMIT);
  }
  let after: string | null = null;
  if (query.cursor !== undefined) {
    const cursor = query.cursor;
    const key = typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : null;
    if (key === null || !isPromptKey(key) || promptListCursor(key) !== cursor) return { field: 'cursor', problem: 'cursor is malformed.' };
    after = key;
  }
  return { limit, after };
}
