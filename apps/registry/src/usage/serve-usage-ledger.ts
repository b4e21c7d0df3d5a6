import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ServeUsageJob } from '#contracts';
import { totalServes } from '#domain';
import { ServeUsageRepository } from './serve-usage.repository.js';

/** Long past any BullMQ retry of a batch, so forgetting it can never let a count in twice. */
const BATCH_MEMORY = '7 days';

export type ServeUsageOutcome = 'applied' | 'already_applied';

/** Records the gateways' serve counts on versions and API keys. */
@Injectable()
export class ServeUsageLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: ServeUsageRepository,
  ) {}

  /** Applies a batch once: `batchId` names it across retries, and a batch seen before changes nothing. */
  async record(batch: ServeUsageJob, batchId: string): Promise<ServeUsageOutcome> {
    const { versions, apiKeys } = totalServes(batch.counts);
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.usage.claimBatch(manager, batchId))) return 'already_applied';
      await this.usage.addServes(manager, 'prompt_versions', versions);
      await this.usage.addServes(manager, 'api_keys', apiKeys);
      await this.usage.forgetBatchesOlderThan(manager, BATCH_MEMORY);
      return 'applied';
    });
  }
}
