import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the dashboard shows that the schema did not keep: a webhook's optional `name` (people tell
 * subscriptions apart by it), and who reviewed a version (`reviewed_by`: the approver, or who
 * rejected it; `approved_by` says nothing for a rejection). Existing approvals take their approver;
 * existing rejections take the actor of their `version.rejected` audit entry where that user still
 * exists. The partial index serves the workspace's review queue, oldest submission first.
 */
export class DashboardFields1765000000000 implements MigrationInterface {
  name = 'DashboardFields1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN name varchar(200)`);
    await q.query(`ALTER TABLE prompt_versions ADD COLUMN reviewed_by uuid REFERENCES users(id) ON DELETE SET NULL`);
    await q.query(`UPDATE prompt_versions SET reviewed_by = approved_by WHERE approved_by IS NOT NULL`);
    await q.query(`
      UPDATE prompt_versions v SET reviewed_by = u.id
        FROM audit_log a JOIN users u ON u.email = a.actor_email
       WHERE v.status = 'rejected' AND v.reviewed_by IS NULL AND a.action = 'version.rejected' AND a.resource_id = v.id::text`);
    await q.query(`CREATE INDEX prompt_versions_review_queue_idx ON prompt_versions (submitted_at, id) WHERE status = 'pending_review'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS prompt_versions_review_queue_idx`);
    await q.query(`ALTER TABLE prompt_versions DROP COLUMN reviewed_by`);
    await q.query(`ALTER TABLE webhooks DROP COLUMN name`);
  }
}
