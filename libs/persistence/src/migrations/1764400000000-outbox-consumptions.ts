import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox's consumers besides the webhook relay (whose mark stays `outbox_events.relayed_at`):
 * one row per (event, consumer), written with the event in the change's transaction and marked
 * done by that consumer alone, so one consumer failing never redoes or holds up another's work.
 * `input` is what the consumer needs beyond the event's payload, which webhooks may see.
 */
export class OutboxConsumptions1764400000000 implements MigrationInterface {
  name = 'OutboxConsumptions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_consumptions (
        event_id uuid NOT NULL REFERENCES outbox_events(id) ON DELETE CASCADE,
        consumer text NOT NULL CHECK (consumer ~ '^[a-z][a-z0-9_]{0,62}$'),
        input jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        done_at timestamptz,
        PRIMARY KEY (event_id, consumer)
      )`);
    // Each consumer's sweep reads only its own pending rows that are due.
    await q.query(`CREATE INDEX outbox_consumptions_due_idx ON outbox_consumptions (consumer, next_attempt_at) WHERE done_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outbox_consumptions`);
  }
}
