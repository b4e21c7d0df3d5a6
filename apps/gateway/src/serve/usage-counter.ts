import { randomUUID } from 'node:crypto';
import { QUEUES, SERVE_USAGE_JOB, serveUsageJobSchema, type ServeUsageJob } from '#contracts';
import { QueueProducer, type AppLogger } from '#runtime';

interface Counter {
  count: number;
  lastServedAt: number;
}

/** The most counts one job may carry (serveUsageJobSchema). */
const MAX_COUNTS_PER_JOB = 10_000;

/**
 * Counts serves per API key and version in memory and sends them every USAGE_FLUSH_MS (and once
 * more on shutdown) as serve.usage jobs. Counts a job could not be added for are kept for the next
 * flush, so a Redis outage delays usage figures but does not lose them.
 */
export class ServeUsageCounter {
  private counts = new Map<string, Map<string, Counter>>();
  private readonly queue: QueueProducer<typeof QUEUES.serveUsage>;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Logs an outage once, not once a flush. */
  private failing = false;

  /** The counter has a fail-fast connection of its own, so an add fails at once while Redis is away; close() closes it. */
  constructor(
    redisUrl: string,
    bullPrefix: string,
    private readonly gatewayId: string,
    private readonly flushMs: number,
    private readonly logger: AppLogger,
  ) {
    this.queue = new QueueProducer({
      redisUrl, bullPrefix, client: 'promptgate-gateway', queue: QUEUES.serveUsage,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
    });
  }

  record(apiKeyId: string, versionId: string, nowMs: number): void {
    this.add(apiKeyId, versionId, 1, nowMs);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => this.logger.pino.error({ err, error_id: randomUUID() }, 'serve usage flush failed'));
    }, this.flushMs);
    this.timer.unref();
  }

  /** Stops the timer, sends what is left, and closes the queue's connection. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((err: unknown) => this.logger.pino.error({ err, error_id: randomUUID() }, 'last serve usage flush failed'));
    await this.queue.close();
  }

  /** Sends the counts so far; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (this.counts.size === 0) return;
    const taken = this.counts;
    this.counts = new Map();
    const rows: ServeUsageJob['counts'] = [];
    for (const [apiKeyId, byVersion] of taken) {
      for (const [versionId, c] of byVersion) {
        rows.push({ api_key_id: apiKeyId, version_id: versionId, count: c.count, last_served_at: new Date(c.lastServedAt).toISOString() });
      }
    }
    for (let i = 0; i < rows.length; i += MAX_COUNTS_PER_JOB) {
      const job = this.checked(rows.slice(i, i + MAX_COUNTS_PER_JOB));
      if (job === null) continue;
      try {
        await this.queue.add(SERVE_USAGE_JOB, job);
      } catch (err) {
        for (const row of job.counts) this.add(row.api_key_id, row.version_id, row.count, Date.parse(row.last_served_at));
        if (!this.failing) this.logger.pino.warn({ err: { message: (err as Error).message } }, 'serve usage not queued; kept for the next flush');
        this.failing = true;
        continue;
      }
      this.failing = false;
    }
  }

  /**
   * The job for these counts, as its contract checks it. Counts that cannot pass (no retry could
   * make them) are dropped with an error log naming the fields, so they do not block the others.
   */
  private checked(counts: ServeUsageJob['counts']): ServeUsageJob | null {
    const whole = serveUsageJobSchema.safeParse({ v: 1, gateway_id: this.gatewayId, counts });
    if (whole.success) return whole.data;
    const problems = whole.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    const keep = counts.filter((row) => serveUsageJobSchema.safeParse({ v: 1, gateway_id: this.gatewayId, counts: [row] }).success);
    this.logger.pino.error({ error_id: randomUUID(), dropped: counts.length - keep.length, problems }, 'serve usage counts refused by their contract; dropped');
    if (keep.length === 0) return null;
    const retried = serveUsageJobSchema.safeParse({ v: 1, gateway_id: this.gatewayId, counts: keep });
    return retried.success ? retried.data : null;
  }

  private add(apiKeyId: string, versionId: string, count: number, lastServedAt: number): void {
    let byVersion = this.counts.get(apiKeyId);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.counts.set(apiKeyId, byVersion);
    }
    const counter = byVersion.get(versionId);
    if (counter === undefined) byVersion.set(versionId, { count, lastServedAt });
    else {
      counter.count += count;
      if (lastServedAt > counter.lastServedAt) counter.lastServedAt = lastServedAt;
    }
  }
}
