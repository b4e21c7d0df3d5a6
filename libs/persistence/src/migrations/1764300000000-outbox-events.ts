import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: an event is written in the transaction of the change it reports, so
 * it exists exactly when the change committed; the relay turns unrelayed rows into webhook
 * deliveries and marks them relayed.
 */
export class OutboxEvents1764300000000 implements MigrationInterface {
  name = 'OutboxEvents1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      )`);
    // The relay's sweep reads only what is still to relay, oldest first.
    await q.query(`CREATE INDEX outbox_events_unrelayed_idx ON outbox_events (created_at, id) WHERE relayed_at IS NULL`);
    await q.query(`CREATE INDEX webhooks_workspace_enabled_idx ON webhooks (workspace_id) WHERE disabled_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS webhooks_workspace_enabled_idx`);
    await q.query(`DROP TABLE IF EXISTS outbox_events`);
  }
}
