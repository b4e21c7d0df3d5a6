import { exactTimestampSql, keysetAfterSql, keysetOrderSql, type CursorValues, type Keyset } from '../common/pagination.js';
import { containsPattern } from './search.js';

/** One row of the prompt list as the query returns it: no version content anywhere. */
export interface PromptListRow {
  id: string;
  key: string;
  type: 'text' | 'chat';
  description: string | null;
  live_id: string | null;
  live_num: number | null;
  versions_count: number;
  pending_count: number;
  updated_at: Date;
  position_at: string;
}

/** Newest change first: the order of prompts_environment_updated_idx. */
export const PROMPT_LIST_ORDER: Keyset<readonly ['timestamp', 'uuid']> = {
  columns: ['p.updated_at', 'p.id'], shape: ['timestamp', 'uuid'], direction: 'DESC',
};

export interface PromptListQuery {
  environmentId: string;
  search: string | null;
  /** Keyset position of the last row of the previous page: exact updated_at text and id. */
  after: CursorValues<typeof PROMPT_LIST_ORDER.shape> | null;
  limit: number;
}

/**
 * The SQL of GET /environments/:env/prompts, newest change first, in one statement that walks
 * prompts_environment_updated_idx. The live version is joined by primary key for its id and number
 * only; versions_count is last_version_num (numbers have no gaps); pending_count probes the partial
 * index prompt_versions_pending_idx. Exported so the benchmark EXPLAINs exactly this query.
 */
export function promptListSql(q: PromptListQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.environmentId];
  const where = ['p.environment_id = $1'];
  if (q.search !== null) {
    params.push(containsPattern(q.search));
    where.push(`(p.key ILIKE $${params.length} ESCAPE '\\' OR p.description ILIKE $${params.length} ESCAPE '\\')`);
  }
  if (q.after !== null) where.push(keysetAfterSql(PROMPT_LIST_ORDER, q.after, (value) => `$${params.push(value)}`));
  params.push(q.limit + 1);
  const sql = `
    SELECT p.id, p.key, p.type, p.description, p.last_version_num AS versions_count, p.updated_at,
           ${exactTimestampSql('p.updated_at')} AS position_at,
           lv.id AS live_id, lv.version_num AS live_num,
           (SELECT count(*)::int FROM prompt_versions pv
             WHERE pv.prompt_id = p.id AND pv.status = 'pending_review') AS pending_count
      FROM prompts p
      LEFT JOIN prompt_versions lv ON lv.id = p.live_version_id
     WHERE ${where.join(' AND ')}
     ORDER BY ${keysetOrderSql(PROMPT_LIST_ORDER)}
     LIMIT $${params.length}`;
  return { sql, params };
}
