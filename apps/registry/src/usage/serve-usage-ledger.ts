import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ServeUsageJob } from '#contracts';
import { totalServes, type ServeTotal } from '#domain';

/** Long past any BullMQ retry of a batch, so forgetting it can never let a count in twice. */
const BATCH_MEMORY = '7 days';

export type ServeUsageOutcome = 'applied' | 'already_applied';

/** Adds one batch's totals to served_count/last_served_at; ids that do not exist are skipped. */
async function addServes(manager: EntityManager, table: 'prompt_versions' | 'api_keys', totals: ServeTotal[]): Promise<void> {
  if (totals.length === 0) return;
  const ids = totals.map((t) => t.id);
  // Rows locked in id order: concurrent batches (other replicas) touching the same rows never deadlock.
  await manager.query(`SELECT 1 FROM ${table} WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  await manager.query(
    `UPDATE ${table} AS t
        SET served_count = t.served_count + u.count,
            last_served_at = GREATEST(t.last_served_at, u.last_served_at)
       FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(id, count, last_served_at)
      WHERE t.id = u.id`,
    [ids, totals.map((t) => t.count), totals.map((t) => t.lastServedAt)],
  );
}

/** Records the gateways' serve counts on versions and API keys. */
@Injectable()
export class ServeUsageLedger {
  constructor(private readonly dataSource: DataSource) {}

  /** Applies a batch once: `batchId` names it across retries, and a batch seen before changes nothing. */
  async record(batch: ServeUsageJob, batchId: string): Promise<ServeUsageOutcome> {
    const { versions, apiKeys } = totalServes(batch.counts);
    return this.dataSource.transaction(async (manager) => {
      const claimed = (await manager.query(
        `INSERT INTO serve_usage_batches (batch_id) VALUES ($1) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
        [batchId],
      )) as unknown[];
      if (claimed.length === 0) return 'already_applied';
      await addServes(manager, 'prompt_versions', versions);
      await addServes(manager, 'api_keys', apiKeys);
      await manager.query(`DELETE FROM serve_usage_batches WHERE applied_at < now() - $1::interval`, [BATCH_MEMORY]);
      return 'applied';
    });
  }
}
