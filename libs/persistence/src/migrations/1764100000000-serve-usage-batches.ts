import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage batches already counted, so that a `serve.usage` job run again (BullMQ retries a job
 * whose worker stalled after its transaction committed) never counts twice. Rows are pruned once
 * no retry can still come.
 */
export class ServeUsageBatches1764100000000 implements MigrationInterface {
  name = 'ServeUsageBatches1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE serve_usage_batches (
        batch_id text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX serve_usage_batches_applied_at_idx ON serve_usage_batches (applied_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS serve_usage_batches`);
  }
}
