import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntitySubscriberInterface, type QueryRunner } from 'typeorm';
import {
  OUTBOX_CONSUMERS, type ApiKeyEventData, type EvalEventData, type InternalEventType, type OutboxConsumption, type TestRunEventData,
  type VersionEventData, type WebhookEventType,
} from '#contracts';
import { OutboxRelay } from './outbox-relay.js';
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

/**
 * Writes the events of a change into `outbox_events`, inside the transaction of the change they
 * report, with a row in `outbox_consumptions` for each consumer besides the webhook relay: an
 * event exists exactly when its change committed, and it is the only way the change leaves the
 * registry. After such a commit the relay is poked (and the request's answer waits for it, see
 * RelayWait); its periodic sweep covers a poke that never came.
 */
@Injectable()
export class EventOutbox implements EntitySubscriberInterface {
  private readonly committing = new WeakSet<QueryRunner>();

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
    // Runs in the committing request's async context, so its answer can wait for this relay.
    if (this.committing.delete(event.queryRunner)) this.wait.add(this.wait.outside(() => this.relay.poke()));
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
    const [event] = (await manager.query(
      `INSERT INTO outbox_events (workspace_id, event_type, payload) VALUES ($1, $2, $3::jsonb) RETURNING id, created_at`,
      [workspaceId, type, JSON.stringify(data)],
    )) as Array<{ id: string; created_at: Date }>;
    if (consumptions.length > 0) {
      await manager.query(
        `INSERT INTO outbox_consumptions (event_id, consumer, input, created_at)
         SELECT $1, c.consumer, c.input, $4 FROM unnest($2::text[], $3::jsonb[]) AS c(consumer, input)`,
        [event.id, consumptions.map((c) => c.consumer), consumptions.map((c) => JSON.stringify(c.input)), event.created_at],
      );
    }
    this.committing.add(runner);
  }

  private async contextOf(manager: EntityManager, where: string, id: string): Promise<VersionRow> {
    const [row] = (await manager.query(`${VERSION_CONTEXT_SQL} ${where}`, [id])) as VersionRow[];
    if (!row) throw new Error(`version ${id} not found for its event`);
    return row;
  }
}
