import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager, type FindOptionsSelect } from 'typeorm';
import type { GateEval, ModelConfig, PromptBody, PromptMessage, PromptType, Role, VersionStatus } from '#domain';
import type { VersionEventData } from '#contracts';
import { EnvironmentEntity, EvalRunEntity, preparedStatement, PromptEntity, PromptVersionEntity } from '#persistence';
import { KeysetWindow, keysetPage, type Keyset, type Page, type PageRequest } from '../common/pagination.js';
import type { StatementEntry } from '../audit/audit-trail.js';
import { leasedConsumptionsSql, webhookSubscribesSql } from '../outbox/event-outbox.js';
import { promptListSql, PROMPT_LIST_ORDER, type PromptListRow } from './prompt-list.query.js';
import type { PersonView, VersionSummaryRow } from './version.view.js';

/** What a version shows of its last eval. */
export type LastEval = Pick<EvalRunEntity, 'id' | 'score' | 'mode' | 'status'>;
const LAST_EVAL_COLUMNS: FindOptionsSelect<EvalRunEntity> = { id: true, score: true, mode: true, status: true };

/** Every column of a version but its body and its base's (content, messages, config): what a list of versions reads. */
const VERSION_SUMMARY_COLUMNS = [
  'id', 'promptId', 'versionNum', 'status', 'baseVersionId', 'rollbackOfVersionId', 'commitMessage', 'proposedBy', 'approvedBy',
  'reviewedBy', 'reviewNote', 'submittedAt', 'reviewedAt', 'liveFrom', 'liveUntil', 'lastEvalId', 'servedCount', 'lastServedAt', 'createdAt',
].map((column) => `v.${column}`);

/** Newest version first; numbers have no gaps, so the number names the position. */
const NEWEST_VERSION_FIRST: Keyset<readonly ['integer']> = { columns: ['v.version_num'], shape: ['integer'], direction: 'DESC' };

/** A version row about to be written; the prompt's number counter was bumped for it. */
export interface VersionRow {
  promptId: string;
  versionNum: number;
  status: 'draft' | 'pending_review';
  /** Exactly one of content (text) and messages (chat). */
  content: string | null;
  messages: PromptMessage[] | null;
  /** null: the base version's config is carried over (`{}` when there is no base). */
  config: ModelConfig | null;
  rollbackOfVersionId: string | null;
  commitMessage: string | null;
  proposedBy: string;
}

/** A prompts row as PostgreSQL returns it. */
interface PromptRow {
  id: string;
  workspace_id: string;
  environment_id: string;
  key: string;
  type: PromptType;
  description: string | null;
  live_version_id: string | null;
  last_version_num: number;
  created_at: Date;
  updated_at: Date;
}

/** A prompt_versions row without its body, as PostgreSQL returns it (bigint as text): what lists of versions read. */
export interface VersionSummaryRowRead {
  id: string;
  prompt_id: string;
  version_num: number;
  status: VersionStatus;
  base_version_id: string | null;
  rollback_of_version_id: string | null;
  commit_message: string | null;
  proposed_by: string | null;
  approved_by: string | null;
  reviewed_by: string | null;
  review_note: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  live_from: Date | null;
  live_until: Date | null;
  last_eval_id: string | null;
  served_count: string;
  last_served_at: Date | null;
  created_at: Date;
}

/** A prompt_versions row as PostgreSQL returns it (bigint as text). */
interface VersionRowRead extends VersionSummaryRowRead {
  content: string | null;
  parent_content: string | null;
  messages: PromptMessage[] | null;
  parent_messages: PromptMessage[] | null;
  config: ModelConfig;
  parent_config: ModelConfig | null;
}

/** The columns of PromptRow, of VersionRowRead: what the prepared statements return, never `*` (see PreparedStatement). */
const PROMPT_COLUMNS = ['id', 'workspace_id', 'environment_id', 'key', 'type', 'description', 'live_version_id', 'last_version_num', 'created_at', 'updated_at'];
const VERSION_COLUMNS = [
  'id', 'prompt_id', 'version_num', 'status', 'base_version_id', 'rollback_of_version_id', 'commit_message', 'proposed_by', 'approved_by',
  'reviewed_by', 'review_note', 'submitted_at', 'reviewed_at', 'live_from', 'live_until', 'last_eval_id', 'served_count', 'last_served_at',
  'created_at', 'content', 'parent_content', 'messages', 'parent_messages', 'config', 'parent_config',
];
/** `columns` as a select list, each qualified by `alias` when given. */
function selectList(columns: readonly string[], alias?: string): string {
  return columns.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

/**
 * The CTEs `target`, the prompt $1 with the role of user $2 in its workspace (no row: no such
 * prompt), and `bumped`, the prompt counted one more version under its row lock when `allowed`
 * holds of `t` (an UPDATE that waited for the lock returns the row as its holder committed it).
 */
function countedPrompt(allowed: string): string {
  return `target AS (
     SELECT p.id, m.role FROM prompts p LEFT JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = $2
      WHERE p.id = $1),
   bumped AS (
     UPDATE prompts p SET last_version_num = p.last_version_num + 1, updated_at = clock_timestamp()
       FROM target t
      WHERE p.id = t.id AND ${allowed}
     RETURNING ${selectList(PROMPT_COLUMNS, 'p')})`;
}

/**
 * The `pending` CTE of a change to a version made by one statement: its audit entry (see
 * StatementEntry) into audit_pending, whose body the statement finishes with the prompt's key and
 * the version's number. `from` is the FROM clause its row comes from; the other fields are SQL
 * expressions over it, `p` the entry's parameters.
 */
function versionEntryPending(v: {
  action: string; from: string; workspaceId: string; versionId: string; versionNum: string; key: string;
  p: { pendingId: string; actorEmail: string; createdAt: string; pieces: readonly [string, string, string] };
}): string {
  return `pending AS (
     INSERT INTO audit_pending (id, workspace_id, entries)
     SELECT ${v.p.pendingId}::uuid, ${v.workspaceId}, jsonb_build_array(jsonb_build_object(
              'action', '${v.action}', 'resource_type', 'version', 'resource_id', ${v.versionId}::text, 'actor_email', ${v.p.actorEmail}::text,
              'extra', jsonb_build_object('version_num', ${v.versionNum}, 'prompt_key', ${v.key}), 'created_at', ${v.p.createdAt}::text,
              'body', ${v.p.pieces[0]}::text || to_json(${v.key})::text || ${v.p.pieces[1]}::text || ${v.versionNum}::text || ${v.p.pieces[2]}::text))
       ${v.from})`;
}

/** The three pieces of a version's entry for versionEntryPending: its holes are the key, then the number (AuditTrail.versionEntryForStatement). */
function versionEntryPieces(entry: StatementEntry): readonly string[] {
  if (entry.holes.join(',') !== 'key,num' || entry.pieces.length !== 3) throw new Error('a version\'s audit entry has the key and then the number as holes');
  return entry.pieces;
}

const COUNT_NEW_VERSION = preparedStatement(
  `WITH ${countedPrompt('($3::text[] IS NULL OR t.role = ANY($3::text[]))')}
   SELECT t.role AS caller_role, ${selectList(PROMPT_COLUMNS, 'b')} FROM target t LEFT JOIN bumped b ON b.id = t.id`,
);

const INSERT_VERSION = preparedStatement(
  `INSERT INTO prompt_versions (prompt_id, version_num, status, content, parent_content, base_version_id,
                                rollback_of_version_id, commit_message, proposed_by, submitted_at, created_at,
                                messages, parent_messages, config, parent_config)
   SELECT $1::uuid, $2::integer, $3::text, $4::text, base.content, base.id, $6::uuid, $7::text, $8::uuid,
          CASE WHEN $3::text = 'pending_review' THEN clock_timestamp() END, clock_timestamp(),
          $9::jsonb, base.messages, COALESCE($10::jsonb, base.config, '{}'::jsonb), base.config
     FROM (SELECT 1) AS one LEFT JOIN prompt_versions base ON base.id = $5::uuid
   RETURNING ${selectList(VERSION_COLUMNS)}`,
);

// A proposal in one autocommitted statement: the caller's role, the prompt's row lock and count,
// the insert based on the live version, and its audit entry into audit_pending (its body finished
// with the prompt's key and the version's number, see StatementEntry), all or nothing. Every part
// of a statement reads the snapshot it started with, taken before it waited for the lock: a
// version the last lock holder made live in the meantime is not in it. Then, or when the body is
// not of the prompt's type, nothing is inserted and the statement refuses itself (PSVNB, see
// promptgate_refuse), undoing the count; the caller then proposes in a transaction, whose later
// statements see that version. A caller without the role changes nothing (no bumped row).
const PROPOSE_VERSION = preparedStatement(
  `WITH ${countedPrompt('t.role = ANY($3::text[])')},
   base AS (
     SELECT v.id, v.content, v.messages, v.config FROM bumped b JOIN prompt_versions v ON v.id = b.live_version_id),
   inserted AS (
     INSERT INTO prompt_versions (id, prompt_id, version_num, status, content, parent_content, base_version_id,
                                  commit_message, proposed_by, created_at, messages, parent_messages, config, parent_config)
     SELECT $9::uuid, b.id, b.last_version_num, 'draft', $5::text, base.content, base.id, $8::text, $2::uuid, clock_timestamp(),
            $6::jsonb, base.messages, COALESCE($7::jsonb, base.config, '{}'::jsonb), base.config
       FROM bumped b LEFT JOIN base ON true
      WHERE b.type = $4::text AND (b.live_version_id IS NULL OR base.id IS NOT NULL)
     RETURNING ${selectList(VERSION_COLUMNS)}),
   ${versionEntryPending({
    action: 'version.created', from: 'FROM bumped b JOIN inserted i ON true', workspaceId: 'b.workspace_id', versionId: 'i.id',
    versionNum: 'i.version_num', key: 'b.key', p: { pendingId: '$10', actorEmail: '$11', createdAt: '$12', pieces: ['$13', '$14', '$15'] },
  })}
   SELECT t.role AS caller_role, ${PROMPT_COLUMNS.map((c) => `b.${c} AS p_${c}`).join(', ')},
          ${selectList(VERSION_COLUMNS, 'i')},
          CASE WHEN b.id IS NOT NULL AND i.id IS NULL THEN promptgate_refuse('PSVNB', 'the proposal was not inserted by its statement') END AS refused
     FROM target t LEFT JOIN bumped b ON true LEFT JOIN inserted i ON true`,
);

/** What a proposal in one statement came to; `in_transaction`: nothing changed, propose in a transaction. */
export type OneStatementProposal =
  | { outcome: 'not_found' | 'forbidden' | 'in_transaction' }
  | { outcome: 'proposed'; prompt: PromptEntity; version: PromptVersionEntity };

/** What a submit in one statement came to; `in_transaction`: nothing changed, submit in a transaction. */
export type OneStatementSubmit =
  | { outcome: 'in_transaction' }
  | { outcome: 'submitted'; target: ReviewTarget & { locked: true }; version: PromptVersionEntity; event: { id: string; payload: VersionEventData; subscribed: boolean } };

/** The SQLSTATE of a proposal its one statement could not make (see PROPOSE_VERSION). */
export const PROPOSAL_NOT_IN_ONE_STATEMENT = 'PSVNB';

const LAST_EVAL_AND_PEOPLE = preparedStatement(
  `SELECT (SELECT json_build_object('id', e.id, 'score', e.score, 'mode', e.mode, 'status', e.status)
             FROM eval_runs e WHERE e.id = $1::uuid) AS last_eval,
          (SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name)), '[]'::json)
             FROM users u WHERE u.id = ANY($2::uuid[])) AS people`,
);

const REVIEW_TARGET = preparedStatement(`SELECT review_target($1, $2, $3::text[]) AS found`);

const MARK_SUBMITTED = preparedStatement(
  `WITH changed AS (UPDATE prompt_versions SET status = $2, submitted_at = clock_timestamp() WHERE id = $1 RETURNING ${selectList(VERSION_COLUMNS)})
   SELECT ${selectList(VERSION_COLUMNS)} FROM changed`,
);

/**
 * A submit in one autocommitted statement: review_target (the role, then the prompt's row lock and
 * a fresh read), the version's status changed when it still has the status a submit starts from
 * (re-checked on the row's newest version after the lock wait), and with that change the outbox
 * event, its consumption and the audit entry (its body finished in SQL at the prompt's key and the
 * version's number, as a proposal's). It changes nothing when review_target refuses or the status
 * is another: the caller then submits in a transaction, which answers why.
 */
const SUBMIT_VERSION = preparedStatement(
  `WITH target AS (SELECT review_target($1::uuid, $2::uuid, $3::text[]) AS found),
   changed AS (
     UPDATE prompt_versions v SET status = $5::text, submitted_at = clock_timestamp()
       FROM target t
      WHERE v.id = $1::uuid AND t.found ? 'version' AND v.status = $4::text
     RETURNING ${selectList(VERSION_COLUMNS, 'v')}),
   event AS (
     INSERT INTO outbox_events (id, workspace_id, event_type, payload)
     SELECT $6::uuid, (t.found->'prompt'->>'workspace_id')::uuid, 'version.submitted', jsonb_build_object(
              'workspace', jsonb_build_object('id', t.found->'prompt'->'workspace_id', 'name', t.found->'workspace_name'),
              'environment', jsonb_build_object('id', t.found->'environment'->'id', 'name', t.found->'environment'->'name'),
              'prompt', jsonb_build_object('id', t.found->'prompt'->'id', 'key', t.found->'prompt'->'key'),
              'version', jsonb_build_object('id', c.id, 'version_num', c.version_num, 'status', c.status),
              'actor', jsonb_build_object('email', $7::text),
              'note', NULL)
       FROM target t JOIN changed c ON true
     RETURNING id, workspace_id, event_type, payload, created_at),
   consumption AS (${leasedConsumptionsSql('(VALUES ($8::text, $9::jsonb))', '$10::interval')}),
   ${versionEntryPending({
    action: 'version.submitted', from: 'FROM event e JOIN changed c ON true JOIN target t ON true', workspaceId: 'e.workspace_id', versionId: 'c.id',
    versionNum: 'c.version_num', key: `t.found->'prompt'->>'key'`, p: { pendingId: '$11', actorEmail: '$7', createdAt: '$12', pieces: ['$13', '$14', '$15'] },
  })}
   SELECT t.found, e.payload AS event_payload,
          ${webhookSubscribesSql('e.workspace_id', 'e.event_type')} AS subscribed,
          ${selectList(VERSION_COLUMNS, 'c')}
     FROM target t LEFT JOIN changed c ON true LEFT JOIN event e ON true`,
);

const MARK_REJECTED = preparedStatement(
  `WITH changed AS (
     UPDATE prompt_versions SET status = $2, review_note = $3, reviewed_by = $4, reviewed_at = clock_timestamp() WHERE id = $1
     RETURNING ${selectList(VERSION_COLUMNS)})
   SELECT ${selectList(VERSION_COLUMNS)} FROM changed`,
);

// Millisecond precision, as the API shows it; never before the previous start, whatever the clock did.
// `live` reads the count of `ended`, so the previous range ends before the new one starts:
// prompt_versions_one_live_idx is checked row by row.
const GO_LIVE = preparedStatement(
  `WITH clock AS (SELECT greatest(date_trunc('milliseconds', clock_timestamp()), $4::timestamptz) AS now),
   ended AS (
     UPDATE prompt_versions pv SET status = $5, live_until = clock.now FROM clock WHERE pv.id = $3 RETURNING pv.id),
   live AS (
     UPDATE prompt_versions pv
        SET status = 'approved', approved_by = $6, reviewed_by = $6, review_note = $7, reviewed_at = clock.now, live_from = clock.now, live_until = NULL
       FROM clock, (SELECT count(*) AS n FROM ended) AS e
      WHERE pv.id = $2 AND e.n >= 0
     RETURNING ${selectList(VERSION_COLUMNS, 'pv')}),
   moved AS (
     UPDATE prompts p SET live_version_id = $2, updated_at = clock.now FROM clock, (SELECT count(*) AS n FROM live) AS l
      WHERE p.id = $1 AND l.n > 0
     RETURNING p.id)
   SELECT ${selectList(VERSION_COLUMNS, 'live')}, (SELECT count(*) FROM moved)::int AS moved FROM live`,
);

const NEWEST_SUCCEEDED_EVALS = preparedStatement(
  `SELECT DISTINCT ON (mode) id, mode, score FROM eval_runs
    WHERE version_id = $1 AND status = 'succeeded'
    ORDER BY mode, created_at DESC, id DESC`,
);

function promptFromRow(r: PromptRow): PromptEntity {
  return Object.assign(new PromptEntity(), {
    id: r.id, workspaceId: r.workspace_id, environmentId: r.environment_id, key: r.key, type: r.type, description: r.description,
    liveVersionId: r.live_version_id, lastVersionNum: r.last_version_num, createdAt: r.created_at, updatedAt: r.updated_at,
  });
}

/** A version entity without its body from a raw row (review queue, lists read by SQL). */
export function versionSummaryFromRow(r: VersionSummaryRowRead): VersionSummaryRow {
  return Object.assign(new PromptVersionEntity(), {
    id: r.id, promptId: r.prompt_id, versionNum: r.version_num, status: r.status, baseVersionId: r.base_version_id,
    rollbackOfVersionId: r.rollback_of_version_id, commitMessage: r.commit_message, proposedBy: r.proposed_by,
    approvedBy: r.approved_by, reviewedBy: r.reviewed_by, reviewNote: r.review_note, submittedAt: r.submitted_at,
    reviewedAt: r.reviewed_at, liveFrom: r.live_from, liveUntil: r.live_until, lastEvalId: r.last_eval_id,
    servedCount: Number(r.served_count), lastServedAt: r.last_served_at, createdAt: r.created_at,
  }) as VersionSummaryRow;
}

function versionFromRow(r: VersionRowRead): PromptVersionEntity {
  return Object.assign(versionSummaryFromRow(r), {
    content: r.content, parentContent: r.parent_content, messages: r.messages, parentMessages: r.parent_messages,
    config: r.config, parentConfig: r.parent_config,
  }) as PromptVersionEntity;
}

/** A version about to go live, and what it replaces (already decided by the caller under the prompt's row lock). */
export interface GoLive {
  promptId: string;
  versionId: string;
  /** The version live until now, to be superseded. */
  previous: { id: string; status: VersionStatus; liveFrom: Date | null } | null;
  /** The previous version's status once superseded. */
  supersededStatus: VersionStatus | null;
  approvedBy: string;
  note: string | null;
}

/** A version live over [live_from, live_until). */
export interface LiveVersionRow {
  id: string;
  version_num: number;
  content: string | null;
  messages: PromptMessage[] | null;
  config: ModelConfig;
  live_from: Date;
  live_until: Date | null;
}

/** What review_target answers (see its migration): a role only when the caller may not go on, else everything a decision reads. */
export type ReviewTarget =
  | { locked: false; role: Role | null }
  | {
    locked: true;
    role: Role;
    prompt: PromptEntity;
    version: PromptVersionEntity;
    environment: EnvironmentEntity;
    workspaceName: string;
    /** The version live now, as the caller found it under the prompt's lock. */
    live: { id: string; status: VersionStatus; liveFrom: Date | null } | null;
    lastEval: LastEval | null;
    /** The version's proposer and reviewer, as far as they still exist. */
    people: PersonView[];
  };

/** A row of review_target's JSON: timestamps are ISO strings there, bigints numbers. */
type JsonRow<Row> = { [K in keyof Row]: Row[K] extends Date ? string : Row[K] extends Date | null ? string | null : Row[K] };

const dateOf = (value: string | null): Date | null => (value === null ? null : new Date(value));

interface EnvironmentJson {
  id: string; workspace_id: string; name: string; is_protected: boolean; require_review: boolean; eval_required: boolean;
  eval_pass_threshold: number; judge_provider: EnvironmentEntity['judgeProvider']; judge_model: string | null; tests_required: boolean;
  max_regressions: number;
}

interface ReviewTargetJson {
  role: Role | null;
  prompt?: JsonRow<PromptRow>;
  version?: JsonRow<Omit<VersionRowRead, 'served_count'>> & { served_count: number | string };
  environment?: EnvironmentJson;
  workspace_name?: string;
  live?: { id: string; status: VersionStatus; live_from: string | null } | null;
  last_eval?: LastEval | null;
  people?: PersonView[];
}

function reviewTargetOf(found: ReviewTargetJson): ReviewTarget {
  const { prompt: p, version: v, environment: e } = found;
  if (!p || !v || !e || found.role === null) return { locked: false, role: found.role };
  const environment = Object.assign(new EnvironmentEntity(), {
    id: e.id, workspaceId: e.workspace_id, name: e.name, isProtected: e.is_protected, requireReview: e.require_review,
    evalRequired: e.eval_required, evalPassThreshold: e.eval_pass_threshold, judgeProvider: e.judge_provider, judgeModel: e.judge_model,
    testsRequired: e.tests_required, maxRegressions: e.max_regressions,
  });
  return {
    locked: true,
    role: found.role,
    prompt: promptFromRow({ ...p, created_at: new Date(p.created_at), updated_at: new Date(p.updated_at) }),
    version: versionFromRow({
      ...v, served_count: String(v.served_count), created_at: new Date(v.created_at), submitted_at: dateOf(v.submitted_at),
      reviewed_at: dateOf(v.reviewed_at), live_from: dateOf(v.live_from), live_until: dateOf(v.live_until), last_served_at: dateOf(v.last_served_at),
    }),
    environment,
    workspaceName: found.workspace_name ?? '',
    live: found.live ? { id: found.live.id, status: found.live.status, liveFrom: dateOf(found.live.live_from) } : null,
    lastEval: found.last_eval ?? null,
    people: found.people ?? [],
  };
}

/**
 * Prompts and their versions. Writes take the caller's EntityManager, in whose transaction they
 * run (the caller holds the locks it needs); reads default to the pool and take a manager to read
 * inside a transaction.
 */
@Injectable()
export class PromptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findPrompt(promptId: string, manager: EntityManager = this.dataSource.manager): Promise<PromptEntity | null> {
    return manager.findOneBy(PromptEntity, { id: promptId });
  }

  getPrompt(promptId: string, manager: EntityManager = this.dataSource.manager): Promise<PromptEntity> {
    return manager.findOneByOrFail(PromptEntity, { id: promptId });
  }

  findPromptByKey(environmentId: string, key: string, manager: EntityManager = this.dataSource.manager): Promise<PromptEntity | null> {
    return manager.findOneBy(PromptEntity, { environmentId, key });
  }

  environmentOf(prompt: PromptEntity, manager: EntityManager = this.dataSource.manager): Promise<EnvironmentEntity> {
    return manager.findOneByOrFail(EnvironmentEntity, { id: prompt.environmentId });
  }

  findVersion(versionId: string, manager: EntityManager = this.dataSource.manager): Promise<PromptVersionEntity | null> {
    return manager.findOneBy(PromptVersionEntity, { id: versionId });
  }

  getVersion(versionId: string, manager: EntityManager = this.dataSource.manager): Promise<PromptVersionEntity> {
    return manager.findOneByOrFail(PromptVersionEntity, { id: versionId });
  }

  /** A version's id and number only, or null. */
  findVersionNumber(versionId: string): Promise<Pick<PromptVersionEntity, 'id' | 'versionNum'> | null> {
    return this.dataSource.manager.findOne(PromptVersionEntity, { where: { id: versionId }, select: { id: true, versionNum: true } });
  }

  /** What a prompt shows of its live version. */
  getLiveContent(
    versionId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Pick<PromptVersionEntity, 'id' | 'versionNum' | 'content' | 'messages' | 'config' | 'liveFrom'>> {
    return manager.findOneOrFail(PromptVersionEntity, {
      where: { id: versionId }, select: { id: true, versionNum: true, content: true, messages: true, config: true, liveFrom: true },
    });
  }

  /**
   * What a version shows besides its row, in one statement: its last eval (when `lastEvalId`) and
   * the people of `userIds` (a deleted user is simply absent).
   */
  async lastEvalAndPeople(
    lastEvalId: string | null,
    userIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ lastEval: LastEval | null; people: PersonView[] }> {
    if (lastEvalId === null && userIds.length === 0) return { lastEval: null, people: [] };
    const [row] = (await LAST_EVAL_AND_PEOPLE.run(manager, [lastEvalId, [...new Set(userIds)]])) as Array<{ last_eval: LastEval | null; people: PersonView[] }>;
    return { lastEval: row.last_eval, people: row.people };
  }

  /** The people of `userIds`, by id (a deleted user is absent). */
  async peopleOf(userIds: readonly string[]): Promise<Map<string, PersonView>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    const rows = (await this.dataSource.query(`SELECT id, email, name FROM users WHERE id = ANY($1::uuid[])`, [ids])) as PersonView[];
    return new Map(rows.map((p) => [p.id, p]));
  }

  /** The last evals of the versions, by eval id. */
  async lastEvalsOf(versions: ReadonlyArray<Pick<PromptVersionEntity, 'lastEvalId'>>): Promise<Map<string, LastEval>> {
    const ids = versions.flatMap((v) => (v.lastEvalId ? [v.lastEvalId] : []));
    const evals = ids.length ? await this.dataSource.manager.find(EvalRunEntity, { select: LAST_EVAL_COLUMNS, where: { id: In(ids) } }) : [];
    return new Map<string, LastEval>(evals.map((e) => [e.id, e]));
  }

  /**
   * Inserts the prompt with version 1 counted and answers it, or null when the key exists in the
   * environment. ON CONFLICT rather than catching 23505: the caller's transaction stays usable,
   * and a concurrent insert of the same key waits for the other one and then finds the conflict.
   */
  async insertPrompt(
    manager: EntityManager,
    prompt: { workspaceId: string; environmentId: string; key: string; type: PromptType; description: string | null },
  ): Promise<PromptEntity | null> {
    const inserted = (await manager.query(
      `INSERT INTO prompts (workspace_id, environment_id, key, type, description, last_version_num, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 1, clock_timestamp(), clock_timestamp())
       ON CONFLICT ON CONSTRAINT prompts_environment_key_key DO NOTHING
       RETURNING *`,
      [prompt.workspaceId, prompt.environmentId, prompt.key, prompt.type, prompt.description],
    )) as PromptRow[];
    return inserted[0] ? promptFromRow(inserted[0]) : null;
  }

  /**
   * Counts one more version of the prompt, taking its row lock for the rest of the transaction, and
   * answers the prompt as the last lock holder left it (null when there is no such prompt). With
   * `caller`, one statement also reads the caller's role in the prompt's workspace and counts only
   * when it is one of `caller.roles`; the prompt is then null with the role as read.
   */
  async countNewVersion(
    manager: EntityManager,
    promptId: string,
    caller: { userId: string; roles: readonly Role[] } | null = null,
  ): Promise<{ prompt: PromptEntity | null; role: Role | null; found: boolean }> {
    // UPDATE ... RETURNING inside a CTE so the rows come back as from a SELECT; an UPDATE that
    // waited for the row lock returns the row as its holder committed it.
    const rows = (await COUNT_NEW_VERSION.run(manager, [promptId, caller?.userId ?? null, caller ? [...caller.roles] : null])) as Array<PromptRow & { caller_role: Role | null }>;
    const [row] = rows;
    if (!row) return { prompt: null, role: null, found: false };
    return { prompt: row.id ? promptFromRow(row) : null, role: row.caller_role, found: true };
  }

  /**
   * A draft of the prompt proposed by `userId`, with its audit entry `entry` (holes: the prompt's
   * key, the version's number), in one autocommitted statement when the caller holds one of
   * `roles` (see PROPOSE_VERSION): `found` false for no such prompt, `prompt` null (nothing
   * changed) for a caller without the role, `version` null (nothing changed) when the caller must
   * propose in a transaction instead.
   */
  async proposeInOneStatement(
    manager: EntityManager,
    v: {
      promptId: string; userId: string; roles: readonly Role[]; body: PromptBody; config: ModelConfig | null; commitMessage: string | null;
      versionId: string; actorEmail: string | null; entry: StatementEntry;
    },
  ): Promise<OneStatementProposal> {
    const params = [
      v.promptId, v.userId, [...v.roles], v.body.type, v.body.type === 'text' ? v.body.content : null,
      // jsonb as text: pg would send a JavaScript array as a PostgreSQL array, not as JSON.
      v.body.type === 'chat' ? JSON.stringify(v.body.messages) : null, v.config === null ? null : JSON.stringify(v.config), v.commitMessage,
      v.versionId, v.entry.pendingId, v.actorEmail, v.entry.createdAt, ...versionEntryPieces(v.entry),
    ];
    let rows: Array<Record<string, unknown> & { caller_role: Role | null; p_id: string | null }>;
    try {
      rows = (await PROPOSE_VERSION.run(manager, params)) as typeof rows;
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === PROPOSAL_NOT_IN_ONE_STATEMENT) return { outcome: 'in_transaction' };
      throw err;
    }
    const [row] = rows;
    // A non-member is told the prompt does not exist.
    if (!row || row.caller_role === null) return { outcome: 'not_found' };
    if (row.p_id === null) return { outcome: 'forbidden' };
    // The prompt's columns as p_*: the version's own (id, prompt_id, ...) keep their names.
    const prompt = promptFromRow(Object.fromEntries(PROMPT_COLUMNS.map((c) => [c, row[`p_${c}`]])) as unknown as PromptRow);
    return { outcome: 'proposed', prompt, version: versionFromRow(row as unknown as VersionRowRead) };
  }

  /**
   * Inserts the version (submitted now when it starts in review) based on the version live now,
   * whose content, messages and config it keeps as parent_content, parent_messages and
   * parent_config (and whose config it carries over when `v.config` is null), and answers it. A
   * statement of its own after the prompt's lock was taken, so its snapshot sees the live version
   * the last lock holder committed.
   */
  async insertVersion(manager: EntityManager, v: VersionRow, liveVersionId: string | null): Promise<PromptVersionEntity> {
    const [row] = (await INSERT_VERSION.run(manager, [
      v.promptId, v.versionNum, v.status, v.content, liveVersionId, v.rollbackOfVersionId, v.commitMessage, v.proposedBy,
      // jsonb as text: pg would send a JavaScript array as a PostgreSQL array, not as JSON.
      v.messages === null ? null : JSON.stringify(v.messages), v.config === null ? null : JSON.stringify(v.config),
    ])) as VersionRowRead[];
    return versionFromRow(row);
  }

  /** An environment's prompts, newest change first, optionally only those whose key or description contains `search`. */
  async listPrompts<Item>(
    environmentId: string,
    search: string | null,
    page: PageRequest,
    present: (row: PromptListRow) => Item,
  ): Promise<Page<Item>> {
    const window = new KeysetWindow(PROMPT_LIST_ORDER, page);
    const { sql, params } = promptListSql({ environmentId, search, after: window.after, limit: page.limit });
    const rows = (await this.dataSource.query(sql, params)) as PromptListRow[];
    return window.pageOf(rows, (r) => [r.position_at, r.id], present);
  }

  /** A prompt's versions, newest first, without their texts. */
  listVersions(promptId: string, page: PageRequest): Promise<Page<PromptVersionEntity>> {
    const query = this.dataSource.manager.createQueryBuilder(PromptVersionEntity, 'v')
      .select(VERSION_SUMMARY_COLUMNS)
      .where('v.promptId = :promptId', { promptId });
    return keysetPage(query, NEWEST_VERSION_FIRST, page, (v) => v);
  }

  /** The version live at `at`, if any: one probe of prompt_versions_live_from_idx. */
  async findLiveAt(promptId: string, at: Date): Promise<LiveVersionRow | null> {
    // The latest start at or before T, if it had not ended by T.
    const [row] = (await this.dataSource.query(
      `SELECT id, version_num, content, messages, config, live_from, live_until
         FROM prompt_versions
        WHERE prompt_id = $1 AND live_from IS NOT NULL AND live_from <= $2 AND (live_until IS NULL OR live_until > $2)
        ORDER BY live_from DESC
        LIMIT 1`,
      [promptId, at],
    )) as LiveVersionRow[];
    return row ?? null;
  }

  /** Locks the prompt row for the rest of the caller's transaction and reads it as the last holder left it. */
  lockPrompt(manager: EntityManager, promptId: string): Promise<PromptEntity | null> {
    return manager.findOne(PromptEntity, { where: { id: promptId }, lock: { mode: 'pessimistic_write' } });
  }

  findVersionByNumber(manager: EntityManager, promptId: string, versionNum: number): Promise<PromptVersionEntity | null> {
    return manager.findOneBy(PromptVersionEntity, { promptId, versionNum });
  }

  /**
   * The version a review decision is about, with everything the decision reads, in one statement
   * (review_target): null for no such version; unlocked with the caller's role (null for a
   * non-member) when it is not one of `roles`; else under the prompt's row lock, as the last
   * holder left it.
   */
  async reviewTarget(manager: EntityManager, versionId: string, userId: string, roles: readonly Role[]): Promise<ReviewTarget | null> {
    const [{ found }] = (await REVIEW_TARGET.run(manager, [versionId, userId, [...roles]])) as Array<{
      found: ReviewTargetJson | null;
    }>;
    return found ? reviewTargetOf(found) : null;
  }

  /**
   * A submit in one autocommitted statement (SUBMIT_VERSION): `submitted` with what review_target
   * read under the lock (the version as it was), the version as it now is and the event written
   * with it; `in_transaction` when the statement changed nothing (no such version, a role too
   * low, a status a submit does not start from), and the caller submits in a transaction, which
   * answers why.
   */
  async submitInOneStatement(
    manager: EntityManager,
    v: {
      versionId: string; userId: string; roles: readonly Role[]; from: VersionStatus; to: VersionStatus; eventId: string; actorEmail: string;
      consumption: { consumer: string; input: unknown }; lease: string; entry: StatementEntry;
    },
  ): Promise<OneStatementSubmit> {
    const [row] = (await SUBMIT_VERSION.run(manager, [
      v.versionId, v.userId, [...v.roles], v.from, v.to, v.eventId, v.actorEmail, v.consumption.consumer, JSON.stringify(v.consumption.input), v.lease,
      v.entry.pendingId, v.entry.createdAt, ...versionEntryPieces(v.entry),
    ])) as Array<VersionRowRead & { found: ReviewTargetJson | null; event_payload: VersionEventData | null; subscribed: boolean | null }>;
    if (!row?.found || row.id === null || row.event_payload === null) return { outcome: 'in_transaction' };
    const target = reviewTargetOf(row.found);
    if (!target.locked) return { outcome: 'in_transaction' };
    return {
      outcome: 'submitted', target, version: versionFromRow(row), event: { id: v.eventId, payload: row.event_payload, subscribed: row.subscribed === true },
    };
  }

  // An UPDATE ... RETURNING inside a CTE: TypeORM answers a bare UPDATE as [rows, count], a SELECT as its rows.

  /** Marks the version submitted and answers it as it now is. */
  async markSubmitted(manager: EntityManager, versionId: string, status: VersionStatus): Promise<PromptVersionEntity> {
    const [row] = (await MARK_SUBMITTED.run(manager, [versionId, status])) as VersionRowRead[];
    return versionFromRow(row);
  }

  /** Marks the version rejected and answers it as it now is. */
  async markRejected(
    manager: EntityManager, versionId: string, status: VersionStatus, note: string, reviewedBy: string,
  ): Promise<PromptVersionEntity> {
    const [row] = (await MARK_REJECTED.run(manager, [versionId, status, note, reviewedBy])) as VersionRowRead[];
    return versionFromRow(row);
  }

  /**
   * Makes the version approved and the prompt's live version, and ends the previous one's range,
   * in one statement; answers the version as it now is (its live_from the instant it went live).
   * The caller holds the prompt's row lock.
   */
  async goLive(manager: EntityManager, change: GoLive): Promise<PromptVersionEntity> {
    const [row] = (await GO_LIVE.run(manager, [
      change.promptId, change.versionId, change.previous?.id ?? null, change.previous?.liveFrom ?? null, change.supersededStatus,
      change.approvedBy, change.note,
    ])) as Array<VersionRowRead & { moved: number }>;
    if (!row || row.moved !== 1) throw new Error(`version ${change.versionId} of prompt ${change.promptId} did not go live`);
    return versionFromRow(row);
  }

  /** The version's newest succeeded evaluation of each mode: what the eval gate weighs. */
  newestSucceededEvals(manager: EntityManager, versionId: string): Promise<GateEval[]> {
    return NEWEST_SUCCEEDED_EVALS.run<GateEval[]>(manager, [versionId]);
  }
}
