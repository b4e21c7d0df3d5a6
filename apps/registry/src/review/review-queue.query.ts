import { DataSource } from 'typeorm';
import { Injectable } from '@nestjs/common';
import type { PromptType } from '#domain';
import { exactTimestampSql, KeysetWindow, type Keyset, type Page, type PageRequest } from '../common/pagination.js';
import { versionSummaryFromRow, type VersionSummaryRowRead } from '../prompts/prompts.repository.js';
import type { VersionSummaryRow } from '../prompts/version.view.js';

/**
 * Oldest submission first: a queue is worked from the change that has waited longest, and a page
 * already read never shifts when someone submits (new items join the end). The order of
 * prompt_versions_review_queue_idx.
 */
export const REVIEW_QUEUE_ORDER: Keyset<readonly ['timestamp', 'uuid']> = {
  columns: ['v.submitted_at', 'v.id'], shape: ['timestamp', 'uuid'], direction: 'ASC',
};

/** A version pending review, with what the queue shows of its prompt and environment. */
export interface ReviewQueueRow {
  version: VersionSummaryRow;
  prompt: { id: string; key: string; type: PromptType };
  environment: { id: string; name: string; is_protected: boolean; require_review: boolean };
}

interface RawRow extends VersionSummaryRowRead {
  position_at: string;
  prompt_key: string;
  prompt_type: PromptType;
  environment_id: string;
  environment_name: string;
  is_protected: boolean;
  require_review: boolean;
}

function rowOf(r: RawRow): ReviewQueueRow {
  return {
    version: versionSummaryFromRow(r),
    prompt: { id: r.prompt_id, key: r.prompt_key, type: r.prompt_type },
    environment: { id: r.environment_id, name: r.environment_name, is_protected: r.is_protected, require_review: r.require_review },
  };
}

/** The versions pending review in every environment of a workspace: one statement, never a version's content. */
@Injectable()
export class ReviewQueueQuery {
  constructor(private readonly dataSource: DataSource) {}

  async page(workspaceId: string, page: PageRequest): Promise<Page<ReviewQueueRow>> {
    const window = new KeysetWindow(REVIEW_QUEUE_ORDER, page);
    const params: unknown[] = [workspaceId];
    const where = [`v.status = 'pending_review'`, 'p.workspace_id = $1'];
    const after = window.afterSql(params);
    if (after !== null) where.push(after);
    const rows = (await this.dataSource.query(
      `SELECT v.id, v.prompt_id, v.version_num, v.status, v.base_version_id, v.rollback_of_version_id, v.commit_message,
              v.proposed_by, v.approved_by, v.reviewed_by, v.review_note, v.submitted_at, v.reviewed_at, v.live_from,
              v.live_until, v.last_eval_id, v.served_count, v.last_served_at, v.created_at,
              ${exactTimestampSql('v.submitted_at')} AS position_at,
              p.key AS prompt_key, p.type AS prompt_type,
              e.id AS environment_id, e.name AS environment_name, e.is_protected, e.require_review
         FROM prompt_versions v
         JOIN prompts p ON p.id = v.prompt_id
         JOIN environments e ON e.id = p.environment_id
        WHERE ${where.join(' AND ')}
        ORDER BY ${window.orderSql()}
        LIMIT ${window.limitSql(params)}`,
      params,
    )) as RawRow[];
    return window.pageOf(rows, (r) => [r.position_at, r.id], rowOf);
  }
}
