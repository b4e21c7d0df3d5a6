import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommitTail, preparedStatement } from '#persistence';
import { DataSource, type EntityManager, type EntitySubscriberInterface, type QueryRunner } from 'typeorm';
import {
  OUTBOX_CONSUMERS, type ApiKeyEventData, type EvalEventData, type InternalEventType, type OutboxConsumption, type TestRunEventData,
  type VersionEventData, type WebhookEventType,
} from '#contracts';
import { OutboxRelay, type OwnEvent } from './outbox-relay.js';
import { RelayWait } from './relay-wait.js';

type VersionEventType = Extract<WebhookEventType, `version.${string}`>;
type EvalEventType = Extract<WebhookEventType, `eval.${string}`>;
type TestRunEventType = Extract<WebhookEventType, `test_run.${string}`>;

interface VersionRow {
  workspace_id: string;
  workspace_name: string;
  environment_id: string;
  environment_name: string;
  eval_required: boolean;
  eval_pass_threshold: number;
  prompt_id: string;
  prompt_key: string;
  version_id: string;
  version_num: number;
  version_status: string;
}

const VERSION_CONTEXT_SQL = `
  SELECT w.id AS workspace_id, w.name AS workspace_name, e.id AS environment_id, e.name AS environment_name,
         e.eval_required, e.eval_pass_threshold, p.id AS prompt_id, p.key AS prompt_key,
         v.id AS version_id, v.version_num, v.status AS version_status
    FROM prompt_versions v
    JOIN prompts p ON p.id = v.prompt_id
    JOIN environments e ON e.id = p.environment_id
    JOIN workspaces w ON w.id = e.workspace_id`;

function versionPart(row: VersionRow): Omit<VersionEventData, 'actor' | 'note'> {
  return {
    workspace: { id: row.workspace_id, name: row.workspace_name },
    environment: { id: row.environment_id, name: row.environment_name },
    prompt: { id: row.prompt_id, key: row.prompt_key },
    version: { id: row.version_id, version_num: row.version_num, status: row.version_status },
  };
}

/** What a version event says of its version, known to the caller that changed it (see versionEventOf). */
export type VersionEventContext = Omit<VersionEventData, 'actor' | 'note'>;

/**
 * How long the relay leaves a consumption to the process that committed it before taking it
 * itself: that process runs it right after its commit (OutboxRelay.consumeOwn), so the relay only
 * takes it when that process died or failed first (a failure makes it due at once).
 */
export const OWN_CONSUMPTION_LEASE = '2 seconds';

/**
 * Writes the events of a change into `outbox_events`, inside the transaction of the change they
 * report, with a row in `outbox_consumptions` for each consumer besides the webhook relay: an
 * event exists exactly when its change committed, and it is the only way the change leaves the
 * registry. After such a commit the committing request runs its own consumptions itself (and its
 * answer waits for them, see RelayWait), side by side with other requests; the relay is poked for
 * the webhooks when one subscribes, and its periodic sweep takes any consumption whose process did
 * not mark it done.
 */

/** Whether an enabled webhook of `workspaceId` subscribes to events of `type` (SQL expressions): the relay is poked for those. */
export const webhookSubscribesSql = (workspaceId: string, type: string) =>
  `EXISTS (SELECT 1 FROM webhooks w WHERE w.workspace_id = ${workspaceId} AND w.disabled_at IS NULL AND ${type} = ANY(w.events))`;

/**
 * The consumptions of the event a statement inserts in its CTE `event` (id, created_at), one per
 * (consumer, input) row of `source`, leased to this process for `lease` (see OWN_CONSUMPTION_LEASE).
 */
export const leasedConsumptionsSql = (source: string, lease: string) =>
  `INSERT INTO outbox_consumptions (event_id, consumer, input, created_at, next_attempt_at)
     SELECT event.id, c.consumer, c.input, event.created_at, clock_timestamp() + ${lease}
       FROM event, ${source} AS c(consumer, input)`;

/** The event and its consumptions in one statement; it answers whether a webhook subscribes to the event. */
const RECORD_EVENT = preparedStatement(
  `WITH event AS (
     INSERT INTO outbox_events (id, workspace_id, event_type, payload) VALUES ($1::uuid, $2::uuid, $3::text, $4::jsonb) RETURNING id, created_at),
   consumptions AS (${leasedConsumptionsSql('unnest($5::text[], $6::jsonb[])', '$7::interval')})
   SELECT ${webhookSubscribesSql('$2::uuid', '$3::text')} AS subscribed FROM event`,
);
@Injectable()
export class EventOutbox implements EntitySubscriberInterface {
  /** The events written by each open transaction, to consume once it commits, and whether a webhook subscribes to each. */
  private readonly committing = new WeakMap<QueryRunner, Array<OwnEvent & { subscribed: boolean }>>();

  constructor(
    dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly wait: RelayWait,
  ) {
    dataSource.subscribers.push(this);
  }

  /** A version event, read as the transaction sees the version now, and the consumers it has besides webhooks. */
  async versionEvent(
    manager: EntityManager,
    type: VersionEventType,
    versionId: string,
    actor: { email: string },
    note: string | null = null,
    consumptions: OutboxConsumption[] = [],
  ): Promise<void> {
    const row = await this.contextOf(manager, `WHERE v.id = $1`, versionId);
    const data: VersionEventData = { ...versionPart(row), actor: { email: actor.email }, note };
    await this.record(manager, row.workspace_id, type, data, consumptions);
  }

  /**
   * A version event from what the caller read and wrote under the prompt's lock (no read of its
   * own): `context.version.status` is the version's status after the change.
   */
  async versionEventOf(
    manager: EntityManager,
    type: VersionEventType,
    context: VersionEventContext,
    actor: { email: string },
    note: string | null = null,
    consumptions: OutboxConsumption[] = [],
  ): Promise<void> {
    const data: VersionEventData = { ...context, actor: { email: actor.email }, note };
    await this.record(manager, context.workspace.id, type, data, consumptions);
  }

  /** An API key created or revoked, for the gateways' snapshot; internal, never sent to webhooks. */
  async apiKeyEvent(manager: EntityManager, type: InternalEventType, apiKey: { id: string; workspaceId: string }): Promise<void> {
    const data: ApiKeyEventData = { v: 1, api_key_id: apiKey.id };
    await this.record(manager, apiKey.workspaceId, type, data, [{ consumer: OUTBOX_CONSUMERS.apiKeySnapshot, input: null }]);
  }

  /** An eval's final result as just recorded, with the gate of its environment. */
  async evalEvent(
    manager: EntityManager,
    type: EvalEventType,
    run: { id: string; version_id: string; mode: string; provider: string | null; model: string | null; status: string; score: number | null; error: string | null },
  ): Promise<void> {
    const row = await this.contextOf(manager, `WHERE v.id = $1`, run.version_id);
    const data: EvalEventData = {
      ...versionPart(row),
      eval: { id: run.id, mode: run.mode, provider: run.provider, model: run.model, status: run.status, score: run.score, error: run.error },
      threshold: row.eval_pass_threshold,
      eval_required: row.eval_required,
    };
    await this.record(manager, row.workspace_id, type, data);
  }

  /** A test run's outcome, as the run's transaction wrote it. */
  async testRunEvent(manager: EntityManager, type: TestRunEventType, workspaceId: string, data: TestRunEventData): Promise<void> {
    await this.record(manager, workspaceId, type, data);
  }

  afterTransactionCommit(event: { queryRunner: QueryRunner }): void {
    const events = this.committing.get(event.queryRunner);
    if (!events) return;
    this.committing.delete(event.queryRunner);
    this.committed(events);
  }

  /**
   * What follows the commit of events: after a transaction's (afterTransactionCommit), and after
   * a single autocommitted statement of the caller that wrote them with its change (the
   * one-statement submit), which calls this itself.
   */
  committed(events: Array<OwnEvent & { subscribed: boolean }>): void {
    // Runs in the committing request's async context, so its answer can wait for its own consumptions;
    // the consumers themselves run outside it (what they commit is not this request's).
    const own = events.filter((e) => e.consumptions.length > 0);
    if (own.length > 0) this.wait.add(this.wait.outside(() => this.relay.consumeOwn(own)));
    // An event no webhook subscribed to when it was written is marked relayed by the next sweep, within a second.
    if (events.some((e) => e.subscribed)) this.wait.outside(() => void this.relay.poke('webhooks'));
  }

  afterTransactionRollback(event: { queryRunner: QueryRunner }): void {
    this.committing.delete(event.queryRunner);
  }

  private async record(
    manager: EntityManager,
    workspaceId: string,
    type: WebhookEventType | InternalEventType,
    data: VersionEventData | EvalEventData | TestRunEventData | ApiKeyEventData,
    consumptions: OutboxConsumption[] = [],
  ): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('An outbox event must be written inside the transaction of its change');
    const payload = JSON.stringify(data);
    const consumers = consumptions.map((c) => c.consumer);
    const inputs = consumptions.map((c) => JSON.stringify(c.input));
    const event: OwnEvent & { subscribed: boolean } = {
      id: randomUUID(), type, payload: JSON.parse(payload) as unknown, subscribed: false,
      consumptions: consumptions.map((c, i) => ({ consumer: c.consumer, input: JSON.parse(inputs[i]) as unknown })),
    };
    const subscribed = (rows: unknown[]) => {
      event.subscribed = (rows as Array<{ subscribed: boolean }>)[0]?.subscribed === true;
    };
    // Nothing reads an event back before its transaction commits: in an audited one it goes with
    // the COMMIT, once the statement is parsed on the transaction's connection (see CommitTail).
    const params = [event.id, workspaceId, type, payload, consumers, inputs, OWN_CONSUMPTION_LEASE];
    if (!CommitTail.of(runner)?.hold(RECORD_EVENT, params, subscribed)) subscribed(await RECORD_EVENT.run(manager, params));
    const events = this.committing.get(runner) ?? [];
    events.push(event);
    this.committing.set(runner, events);
  }

  private async contextOf(manager: EntityManager, where: string, id: string): Promise<VersionRow> {
    const [row] = (await manager.query(`${VERSION_CONTEXT_SQL} ${where}`, [id])) as VersionRow[];
    if (!row) throw new Error(`version ${id} not found for its event`);
    return row;
  }
}
