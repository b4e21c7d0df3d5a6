import type { ModelConfig, PromptMessage, PromptType } from '#domain';
import type { EvalRunEntity, PromptVersionEntity } from '#persistence';

/** A person as a version names them: who proposed it, who reviewed it. */
export interface PersonView {
  id: string;
  email: string;
  name: string | null;
}

/** The people a version names, by user id; an id missing here (a deleted user) shows as null. */
export type PeopleById = ReadonlyMap<string, PersonView>;

/** A version as GET /versions/:id answers it (API.md); every endpoint answering `{version}` uses this. */
export interface VersionView {
  id: string;
  prompt_id: string;
  version_num: number;
  status: string;
  type: PromptType;
  /** A text version's content; null for chat. */
  content: string | null;
  /** A chat version's messages; null for text. */
  messages: PromptMessage[] | null;
  config: ModelConfig;
  parent_content: string | null;
  parent_messages: PromptMessage[] | null;
  parent_config: ModelConfig | null;
  base_version_id: string | null;
  rollback_of_version_id: string | null;
  commit_message: string | null;
  proposed_by: string | null;
  approved_by: string | null;
  /** Who approved or rejected it. */
  reviewed_by: string | null;
  proposer: PersonView | null;
  reviewer: PersonView | null;
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

/** The parts of a version a list never loads. */
type Body = 'content' | 'messages' | 'config' | 'parent_content' | 'parent_messages' | 'parent_config';
/** A version in a list: everything but its body and its base's (lists never load them). */
export type VersionSummaryView = Omit<VersionView, Body>;

/** A version row without its body, as lists read it; `type` is the prompt's. */
export type VersionSummaryRow = Omit<PromptVersionEntity, 'content' | 'parentContent' | 'messages' | 'parentMessages' | 'config' | 'parentConfig'>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const personOf = (id: string | null, people: PeopleById): PersonView | null => (id === null ? null : people.get(id) ?? null);

/** The user ids a version names, for one lookup of their people. */
export const peopleIdsOf = (v: Pick<PromptVersionEntity, 'proposedBy' | 'reviewedBy'>): string[] =>
  [v.proposedBy, v.reviewedBy].filter((id): id is string => id !== null);

export function presentVersionSummary(
  v: VersionSummaryRow,
  type: PromptType,
  lastEval: Pick<EvalRunEntity, 'id' | 'score' | 'mode' | 'status'> | null,
  people: PeopleById,
): VersionSummaryView {
  return {
    id: v.id,
    prompt_id: v.promptId,
    version_num: v.versionNum,
    status: v.status,
    type,
    base_version_id: v.baseVersionId,
    rollback_of_version_id: v.rollbackOfVersionId,
    commit_message: v.commitMessage,
    proposed_by: v.proposedBy,
    approved_by: v.approvedBy,
    reviewed_by: v.reviewedBy,
    proposer: personOf(v.proposedBy, people),
    reviewer: personOf(v.reviewedBy, people),
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

/** A version's type follows from its body: a chat version holds messages, a text version content. */
export const typeOfVersion = (v: Pick<PromptVersionEntity, 'messages'>): PromptType => (v.messages === null ? 'text' : 'chat');

export function presentVersion(
  v: PromptVersionEntity,
  lastEval: Pick<EvalRunEntity, 'id' | 'score' | 'mode' | 'status'> | null,
  people: PeopleById,
): VersionView {
  return {
    ...presentVersionSummary(v, typeOfVersion(v), lastEval, people),
    content: v.content,
    messages: v.messages,
    config: v.config,
    parent_content: v.parentContent,
    parent_messages: v.parentMessages,
    parent_config: v.parentConfig,
  };
}
