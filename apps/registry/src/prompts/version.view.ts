import type { EvalRunEntity, PromptVersionEntity } from '#persistence';

/** A version as GET /versions/:id answers it (API.md); every endpoint answering `{version}` uses this. */
export interface VersionView {
  id: string;
  prompt_id: string;
  version_num: number;
  status: string;
  content: string;
  parent_content: string | null;
  base_version_id: string | null;
  rollback_of_version_id: string | null;
  commit_message: string | null;
  proposed_by: string | null;
  approved_by: string | null;
  review_note: string | null;
  created_at: string;
  submitted_at: string | null;
  reviewed_at: string | null;
  live_from: string | null;
  live_until: string | null;
  served_count: number;
  last_served_at: string | null;
  last_eval: { id: string; score: number | null; mode: string; status: string } | null;
}

/** A version in a list: everything but the texts (lists never load contents). */
export type VersionSummaryView = Omit<VersionView, 'content' | 'parent_content'>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentVersionSummary(
  v: Omit<PromptVersionEntity, 'content' | 'parentContent'>,
  lastEval: Pick<EvalRunEntity, 'id' | 'score' | 'mode' | 'status'> | null,
): VersionSummaryView {
  return {
    id: v.id,
    prompt_id: v.promptId,
    version_num: v.versionNum,
    status: v.status,
    base_version_id: v.baseVersionId,
    rollback_of_version_id: v.rollbackOfVersionId,
    commit_message: v.commitMessage,
    proposed_by: v.proposedBy,
    approved_by: v.approvedBy,
    review_note: v.reviewNote,
    created_at: v.createdAt.toISOString(),
    submitted_at: iso(v.submittedAt),
    reviewed_at: iso(v.reviewedAt),
    live_from: iso(v.liveFrom),
    live_until: iso(v.liveUntil),
    served_count: v.servedCount,
    last_served_at: iso(v.lastServedAt),
    last_eval: lastEval ? { id: lastEval.id, score: lastEval.score, mode: lastEval.mode, status: lastEval.status } : null,
  };
}

export function presentVersion(
  v: PromptVersionEntity,
  lastEval: Pick<EvalRunEntity, 'id' | 'score' | 'mode' | 'status'> | null,
): VersionView {
  return { ...presentVersionSummary(v, lastEval), content: v.content, parent_content: v.parentContent };
}
